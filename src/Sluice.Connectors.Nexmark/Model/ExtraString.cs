using System.Runtime.CompilerServices;

namespace Sluice.Nexmark.Model;

/// <summary>
/// The padding column <c>extra</c> of every Nexmark event: a slice of one shared pool of random letters, as the
/// reference generator does (it cuts <c>extra</c> out of a reusable 1 MiB string). Kept as (offset, length) so that
/// events stay small and copying an event never copies its padding; <see cref="ToString"/> materialises it.
/// </summary>
/// <param name="Offset">First character in <see cref="Pool"/>.</param>
/// <param name="Length">Number of characters.</param>
public readonly record struct ExtraString(int Offset, int Length)
{
    /// <summary>The shared pool (1 MiB of lowercase letters from a fixed seed; identical in every process).</summary>
    public static readonly string Pool = CreatePool(1 << 20);

    /// <summary>The characters of this slice (derived: not part of the checkpointed state).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ReadOnlySpan<char> Span => Pool.AsSpan(Offset, Length);

    /// <summary>Materialises the slice.</summary>
    public override string ToString() => Length == 0 ? "" : Pool.Substring(Offset, Length);

    /// <summary>A 64-bit identity of the content (equal slices of the pool at different offsets are rare enough to ignore).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Fingerprint() => ((ulong)(uint)Offset << 32) | (uint)Length;

    private static string CreatePool(int length)
    {
        var random = new SplitMix64(0x5EED_E87A_0000_0001UL);
        return string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.NextInt(26));
            }
        });
    }
}
