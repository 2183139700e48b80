namespace Sluice.Sql.Expressions;

/// <summary>Suggests the existing names closest to a misspelt one, for "unknown name" errors.</summary>
internal static class NameList
{
    /// <summary>
    /// "no names" or "X, Y or Z" (the up to three names closest by edit distance, ignoring case), phrased for
    /// "… the input has …" / "… did you mean …" sentences.
    /// </summary>
    public static string Closest(string name, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return "no names";
        }
        var ranked = names.OrderBy(n => Distance(name.ToUpperInvariant(), n.ToUpperInvariant())).ThenBy(n => n, StringComparer.Ordinal).Take(3).ToArray();
        var quoted = ranked.Select(n => "'" + n + "'").ToArray();
        var prefix = names.Count > ranked.Length ? "closest " : "";
        return quoted.Length == 1 ? prefix + quoted[0] : prefix + string.Join(", ", quoted[..^1]) + " and " + quoted[^1];
    }

    /// <summary>The Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
