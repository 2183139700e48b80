using System.Runtime.CompilerServices;
using Sluice.Nexmark.Model;

namespace Sluice.Nexmark.Results;

/// <summary>
/// Deterministic 64-bit hashing of result rows (the same in every process, unlike <c>string.GetHashCode</c>). Fields
/// are multiplied by distinct odd constants, xor-ed and mixed once: the multiplications are independent, so a row
/// costs one mixer's latency whatever its width — the checksum stays cheap next to the query it measures.
/// </summary>
public static class RowHash
{
    private const ulong K1 = 0x9E3779B97F4A7C15UL;
    private const ulong K2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong K3 = 0x165667B19E3779F9UL;
    private const ulong K4 = 0xD6E8FEB86659FD93UL;
    private const ulong K5 = 0xFF51AFD7ED558CCDUL;

    /// <summary>Hash of a row of two numbers; <paramref name="table"/> separates row types.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ulong table, long a, long b) => SplitMix64.Mix(table ^ ((ulong)a * K1) ^ ((ulong)b * K2));

    /// <summary>Hash of a row of three numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ulong table, long a, long b, long c) => SplitMix64.Mix(table ^ ((ulong)a * K1) ^ ((ulong)b * K2) ^ ((ulong)c * K3));

    /// <summary>Hash of a row of four numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ulong table, long a, long b, long c, long d) =>
        SplitMix64.Mix(table ^ ((ulong)a * K1) ^ ((ulong)b * K2) ^ ((ulong)c * K3) ^ ((ulong)d * K4));

    /// <summary>Hash of a row of five numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ulong table, long a, long b, long c, long d, long e) =>
        SplitMix64.Mix(table ^ ((ulong)a * K1) ^ ((ulong)b * K2) ^ ((ulong)c * K3) ^ ((ulong)d * K4) ^ ((ulong)e * K5));

    /// <summary>A string as a number for <see cref="Of(ulong, long, long)"/> (FNV-1a over its characters).</summary>
    public static long Str(string? value)
    {
        if (value is null)
        {
            return -1;
        }
        var h = 0xCBF29CE484222325UL;
        foreach (var c in value)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }
        return (long)h;
    }
}
