namespace Sluice.Bench.Cli.Cdc;

/// <summary>The verdict of the CDC kill harness on one replica table: it must equal the source table row for row.</summary>
internal static class CdcReplicaComparison
{
    /// <summary>Examples named per kind of difference.</summary>
    private const int Examples = 3;

    /// <summary>
    /// Adds one problem to <paramref name="problems"/> unless <paramref name="replica"/> holds exactly the rows of
    /// <paramref name="source"/> (both keyed by their key's text, values as canonical text): it counts the keys missing
    /// from the replica, the keys only the replica has, and the keys whose values differ, with a few examples of each.
    /// </summary>
    /// <returns>Whether the two are equal.</returns>
    public static bool Compare(string what, IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> replica, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(problems);
        var missing = new List<string>();
        var different = new List<string>();
        var missingCount = 0;
        var differentCount = 0;
        foreach (var (key, row) in source)
        {
            if (!replica.TryGetValue(key, out var copy))
            {
                if (missingCount++ < Examples)
                {
                    missing.Add(row);
                }
            }
            else if (!string.Equals(row, copy, StringComparison.Ordinal))
            {
                if (differentCount++ < Examples)
                {
                    different.Add($"{row} vs {copy}");
                }
            }
        }
        var extra = new List<string>();
        var extraCount = 0;
        foreach (var (key, row) in replica)
        {
            if (!source.ContainsKey(key) && extraCount++ < Examples)
            {
                extra.Add(row);
            }
        }
        if (missingCount == 0 && extraCount == 0 && differentCount == 0)
        {
            return true;
        }
        problems.Add($"{what}: {missingCount} rows missing (e.g. {Join(missing)}), {extraCount} rows the source does not have (e.g. {Join(extra)}), "
            + $"{differentCount} rows with other values (source vs replica, e.g. {Join(different)}); source {source.Count} rows, replica {replica.Count}");
        return false;

        static string Join(List<string> examples) => examples.Count == 0 ? "none" : string.Join("; ", examples);
    }
}
