namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// Compares strings in UTF-8 byte order — Unicode code point order — as Delta and Parquet order string statistics
/// (min/max). UTF-16 ordinal order differs for characters from U+E000 to U+FFFF against characters above U+FFFF
/// (surrogate pairs): <c>"\uFFFD"</c> sorts before <c>"😀"</c> in UTF-8 but after it in UTF-16, and data skipping by
/// another engine's statistics must not prune a file that holds the value. Stateless, allocation-free.
/// </summary>
internal static class Utf8Order
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, with or after <paramref name="b"/> in UTF-8 byte order.</summary>
    public static int Compare(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y)
            {
                return CodePointRank(x) - CodePointRank(y);
            }
        }
        return a.Length - b.Length;
    }

    /// <summary>
    /// The length of the longest prefix of <paramref name="value"/> of at most <paramref name="maxLength"/> UTF-16 units
    /// that does not split a surrogate pair (a lone half would be written as U+FFFD, which may sort above the value).
    /// </summary>
    public static int PrefixLength(string value, int maxLength) =>
        value.Length <= maxLength ? value.Length : char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;

    /// <summary>
    /// Whether <paramref name="value"/> holds no character at or above U+D800: then it compares with every string the same
    /// in UTF-8 and UTF-16 order (the orders differ only among surrogates and U+E000–U+FFFF, which both orders rank above
    /// every lower character).
    /// </summary>
    public static bool OrdersAgree(string value) => value.AsSpan().IndexOfAnyInRange('\uD800', '\uFFFF') < 0;

    /// <summary>
    /// The string bounds <paramref name="min"/>/<paramref name="max"/> of a file, or (null, null) — unknown — when either
    /// holds a character at or above U+D800: files written by Sluice before 2026-12 ordered string statistics in UTF-16
    /// order, so such a bound may not be the UTF-8 minimum or maximum and would prune a file that holds the value.
    /// Other bounds pass unchanged.
    /// </summary>
    public static (IComparable? Min, IComparable? Max) TrustedBounds(IComparable? min, IComparable? max) =>
        (min is string a && !OrdersAgree(a)) || (max is string b && !OrdersAgree(b)) ? (null, null) : (min, max);

    // Surrogates (U+D800–U+DFFF, the units of code points above U+FFFF) rank above U+E000–U+FFFF, as their code points do.
    private static int CodePointRank(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}
