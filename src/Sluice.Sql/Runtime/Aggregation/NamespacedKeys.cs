using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Keys of the map states behind DISTINCT and retractable MIN/MAX/FIRST_VALUE/LAST_VALUE/LISTAGG: the namespace (0
/// for a group aggregation, the window for a window aggregation) as four chars of 16 bits, most significant first, then
/// the encoded value one char per byte. Ordinal order of two keys of one namespace built by <see cref="ForSequence"/>
/// is the order of their (non-negative) sequence numbers. Stateless and thread-safe.
/// </summary>
internal static class NamespacedKeys
{
    /// <summary>The number of chars the namespace takes at the start of a key.</summary>
    public const int PrefixLength = 4;

    /// <summary>The key of <paramref name="bytes"/> in namespace <paramref name="ns"/>.</summary>
    public static string Create(long ns, ReadOnlySpan<byte> bytes)
    {
        var chars = new char[PrefixLength + bytes.Length];
        WritePrefix(chars, ns);
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[PrefixLength + i] = (char)bytes[i];
        }
        return new string(chars);
    }

    /// <summary>The key of sequence number <paramref name="sequence"/> (≥ 0) in namespace <paramref name="ns"/>.</summary>
    public static string ForSequence(long ns, long sequence)
    {
        Span<char> chars = stackalloc char[PrefixLength * 2];
        WritePrefix(chars, ns);
        WritePrefix(chars[PrefixLength..], sequence);
        return new string(chars);
    }

    /// <summary>Whether <paramref name="key"/> belongs to namespace <paramref name="ns"/>.</summary>
    public static bool InNamespace(string key, long ns)
    {
        Span<char> prefix = stackalloc char[PrefixLength];
        WritePrefix(prefix, ns);
        return key.AsSpan(0, PrefixLength).SequenceEqual(prefix);
    }

    /// <summary>The same value's key in namespace <paramref name="ns"/>.</summary>
    public static string Rebase(string key, long ns) => string.Create(key.Length, (key, ns), static (chars, state) =>
    {
        WritePrefix(chars, state.ns);
        state.key.AsSpan(PrefixLength).CopyTo(chars[PrefixLength..]);
    });

    /// <summary>A reader over the value part of <paramref name="key"/> (one byte per char).</summary>
    public static StateReader ValueReader(string key)
    {
        var bytes = new byte[key.Length - PrefixLength];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)key[PrefixLength + i];
        }
        return new StateReader(bytes);
    }

    /// <summary>A reader over the bytes of an encoded value stored as a string (one byte per char).</summary>
    public static StateReader ReaderOf(string encoded)
    {
        var bytes = new byte[encoded.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)encoded[i];
        }
        return new StateReader(bytes);
    }

    /// <summary>The bytes of <paramref name="bytes"/> as a string of one char per byte.</summary>
    public static string ToText(ReadOnlySpan<byte> bytes) => string.Create(bytes.Length, bytes.ToArray(), static (chars, data) =>
    {
        for (var i = 0; i < data.Length; i++)
        {
            chars[i] = (char)data[i];
        }
    });

    private static void WritePrefix(Span<char> chars, long value)
    {
        var bits = (ulong)value;
        chars[0] = (char)(bits >> 48);
        chars[1] = (char)(bits >> 32);
        chars[2] = (char)(bits >> 16);
        chars[3] = (char)bits;
    }
}
