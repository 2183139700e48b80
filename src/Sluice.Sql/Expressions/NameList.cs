namespace Sluice.Sql.Expressions;

/// <summary>Suggests the existing names closest to a misspelt one, for "unknown name" errors.</summary>
internal static class NameList
{
    /// <summary>
    /// "'X', 'Y' or 'Z'": up to three names within a few edits (ignoring case), or the three nearest when none is,
    /// for "did you mean …?" sentences; "no names" when there are none.
    /// </summary>
    public static string Closest(string name, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return "no names";
        }
        var upper = name.ToUpperInvariant();
        var scored = names.Select(n => (Name: n, Distance: Distance(upper, n.ToUpperInvariant()))).OrderBy(p => p.Distance).ThenBy(p => p.Name, StringComparer.Ordinal).ToArray();
        // Names within a couple of edits are the likely typos; only when there are none do the three nearest stand in.
        var near = scored.Where(p => p.Distance <= Math.Max(2, upper.Length / 3)).Take(3).Select(p => p.Name).ToArray();
        var ranked = near.Length > 0 ? near : [.. scored.Take(3).Select(p => p.Name)];
        var quoted = ranked.Select(n => "'" + n + "'").ToArray();
        return quoted.Length == 1 ? quoted[0] : string.Join(", ", quoted[..^1]) + " or " + quoted[^1];
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
