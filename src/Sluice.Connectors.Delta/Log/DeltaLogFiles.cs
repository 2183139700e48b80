using System.Globalization;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// The files of a table's <c>_delta_log</c> directory on the local filesystem, by name: JSON commits
/// (<c>{version:D20}.json</c>), classic checkpoints (<c>{version:D20}.checkpoint.parquet</c>), multi-part checkpoints
/// (<c>{version:D20}.checkpoint.{part:D10}.{parts:D10}.parquet</c>) and <c>_last_checkpoint</c>. A listing is a
/// point-in-time view; a writer may add files at any time. Stateless apart from the paths; thread-safe.
/// </summary>
internal sealed class DeltaLogFiles
{
    /// <summary>The name of the log directory under the table root.</summary>
    public const string LogDirectoryName = "_delta_log";

    /// <summary>The name of the file pointing at the latest checkpoint.</summary>
    public const string LastCheckpointName = "_last_checkpoint";

    /// <summary>Creates the view of the log of the table at <paramref name="tablePath"/>.</summary>
    public DeltaLogFiles(string tablePath)
    {
        TablePath = Path.GetFullPath(tablePath);
        LogPath = Path.Combine(TablePath, LogDirectoryName);
    }

    /// <summary>The table's root directory (absolute).</summary>
    public string TablePath { get; }

    /// <summary>The <c>_delta_log</c> directory (absolute).</summary>
    public string LogPath { get; }

    /// <summary>The file name of the commit of <paramref name="version"/>: <c>00000000000000000003.json</c>.</summary>
    public static string CommitName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    /// <summary>The file name of the classic checkpoint of <paramref name="version"/>.</summary>
    public static string CheckpointName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".checkpoint.parquet";

    /// <summary>The full path of <paramref name="name"/> in the log directory.</summary>
    public string PathOf(string name) => Path.Combine(LogPath, name);

    /// <summary>Whether the log directory exists.</summary>
    public bool Exists => Directory.Exists(LogPath);

    /// <summary>Lists the log: commit versions, complete checkpoints (multi-part ones with every part present).</summary>
    public LogListing List()
    {
        var commits = new SortedSet<long>();
        var classic = new Dictionary<long, string>();
        var parts = new Dictionary<(long Version, int Parts), SortedDictionary<int, string>>();
        if (Directory.Exists(LogPath))
        {
            foreach (var file in Directory.EnumerateFiles(LogPath))
            {
                var name = Path.GetFileName(file);
                if (name.Length < 21 || !long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || name[20] != '.')
                {
                    continue;
                }
                var rest = name.AsSpan(21);
                if (rest.SequenceEqual("json"))
                {
                    commits.Add(version);
                }
                else if (rest.SequenceEqual("checkpoint.parquet"))
                {
                    classic[version] = name;
                }
                else if (rest.StartsWith("checkpoint.") && rest.EndsWith(".parquet") && rest.Length == "checkpoint.".Length + 10 + 1 + 10 + ".parquet".Length
                    && int.TryParse(rest.Slice(11, 10), NumberStyles.None, CultureInfo.InvariantCulture, out var part)
                    && int.TryParse(rest.Slice(22, 10), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                    && part >= 1 && part <= count)
                {
                    if (!parts.TryGetValue((version, count), out var set))
                    {
                        parts[(version, count)] = set = [];
                    }
                    set[part] = name;
                }
                // UUID-named (v2) checkpoints need the v2Checkpoint reader feature, which Sluice refuses: ignored here.
            }
        }
        var checkpoints = new SortedDictionary<long, IReadOnlyList<string>>();
        foreach (var (version, name) in classic)
        {
            checkpoints[version] = [name];
        }
        foreach (var ((version, count), names) in parts)
        {
            // A multi-part checkpoint is not written atomically: one with missing parts is ignored, as the protocol says.
            if (names.Count == count && !checkpoints.ContainsKey(version))
            {
                checkpoints[version] = [.. names.Values];
            }
        }
        return new LogListing(commits, checkpoints);
    }
}

/// <summary>A listing of a log: the commit versions present and the complete checkpoints (version → part file names).</summary>
internal sealed record LogListing(SortedSet<long> Commits, SortedDictionary<long, IReadOnlyList<string>> Checkpoints)
{
    /// <summary>The newest version the log has a commit or a checkpoint for, or −1 when it has none.</summary>
    public long LatestVersion => Math.Max(Commits.Count == 0 ? -1 : Commits.Max, Checkpoints.Count == 0 ? -1 : Checkpoints.Keys.Last());

    /// <summary>The newest complete checkpoint at or before <paramref name="version"/>, or null.</summary>
    public long? CheckpointAtOrBefore(long version)
    {
        long? best = null;
        foreach (var v in Checkpoints.Keys)
        {
            if (v <= version)
            {
                best = v;
            }
        }
        return best;
    }
}
