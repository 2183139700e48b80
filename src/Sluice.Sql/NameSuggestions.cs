namespace Sluice.Sql;

/// <summary>
/// "Did you mean …": the names closest to a misspelt one, by edit distance (insertions, deletions, substitutions
/// and transpositions of adjacent characters, ignoring case). Used by every unknown-name error in the SQL front end.
/// </summary>
internal static class NameSuggestions
{
    /// <summary>
    /// Up to <paramref name="max"/> of <paramref name="candidates"/> close to <paramref name="name"/>, closest first
    /// (ties in the candidates' order). A candidate is close when at most a third of the name's characters (at
    /// least one) must change, or when the names differ only in case.
    /// </summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        int limit = Math.Max(1, name.Length / 3);
        var scored = new List<(int Distance, int Order, string Name)>();
        int order = 0;
        foreach (var candidate in candidates)
        {
            int distance = Distance(name, candidate);
            if (distance <= limit)
            {
                scored.Add((distance, order, candidate));
            }

            order++;
        }

        scored.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Order.CompareTo(b.Order));
        var result = new List<string>(Math.Min(max, scored.Count));
        for (int i = 0; i < scored.Count && result.Count < max; i++)
        {
            if (!result.Contains(scored[i].Name, StringComparer.Ordinal))
            {
                result.Add(scored[i].Name);
            }
        }

        return result;
    }

    /// <summary>
    /// " Did you mean 'a' or 'b'?" for the closest names, or "" when none is close; to append to an error sentence.
    /// With <paramref name="orNearest"/>, when none is close the (up to three) nearest names stand in, so the user
    /// sees names that exist (columns of a small input); "" only when there are no candidates.
    /// </summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates, bool orNearest = false)
    {
        var closest = Closest(name, candidates);
        if (closest.Count == 0 && orNearest)
        {
            closest = [.. candidates.Distinct(StringComparer.Ordinal).OrderBy(c => Distance(name, c)).ThenBy(static c => c, StringComparer.Ordinal).Take(3)];
        }

        return closest.Count switch
        {
            0 => "",
            1 => $" Did you mean '{closest[0]}'?",
            _ => $" Did you mean {string.Join(", ", closest.Take(closest.Count - 1).Select(static c => $"'{c}'"))} or '{closest[^1]}'?",
        };
    }

    /// <summary>The optimal-string-alignment distance between <paramref name="a"/> and <paramref name="b"/>, ignoring case.</summary>
    internal static int Distance(string a, string b)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            char ca = char.ToLowerInvariant(a[i - 1]);
            for (int j = 1; j <= b.Length; j++)
            {
                char cb = char.ToLowerInvariant(b[j - 1]);
                int cost = ca == cb ? 0 : 1;
                int best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && ca == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == cb)
                {
                    best = Math.Min(best, previous2[j - 2] + 1);
                }

                current[j] = best;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length];
    }
}
