using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    /// <summary>The default retention of removed files: 7 days, as Delta's <c>delta.deletedFileRetentionDuration</c>.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>
    /// Deletes the data files that no version within the retention period references: the retained versions are the one
    /// current at <c>now − retention</c> and every later one, and a file any of them references is never deleted. Files
    /// in the table directory that no commit names (left by failed or unfinished writes) are deleted too when they are
    /// older than the cutoff, as Spark does. The log (<c>_delta_log</c>) and hidden files and directories (names starting
    /// with <c>_</c> or <c>.</c>, other than partition directories) are never touched. A real run records a
    /// <c>VACUUM START</c> commit before deleting and a <c>VACUUM END</c> commit after; emptied partition directories are
    /// removed. Time comes from <see cref="DeltaTableOptions.TimeProvider"/>; a file's age is its modification time.
    /// </summary>
    /// <param name="retention">How long removed files are kept; null for the table's <c>delta.deletedFileRetentionDuration</c> (7 days by default).</param>
    /// <param name="dryRun">True to only list the files a real run would delete.</param>
    /// <param name="force">True to allow a retention shorter than the table's (readers of older versions, and writes in
    /// flight, may then lose files).</param>
    /// <exception cref="DeltaException">The retention is shorter than the table's and <paramref name="force"/> is false;
    /// the table property cannot be parsed; the log is damaged.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative retention.</exception>
    public DeltaVacuumResult Vacuum(TimeSpan? retention = null, bool dryRun = false, bool force = false)
    {
        var snapshot = GetSnapshot();
        // VACUUM writes (its START/END commits) and deletes files: a writer feature Sluice does not implement may keep
        // files no add names (the protocol's vacuumProtocolCheck asks writers to check this before a VACUUM).
        DeltaFeatures.CheckWritable(Path, snapshot.Version, snapshot.Protocol, snapshot.Metadata);
        var tableRetention = TableRetention(snapshot);
        var keep = retention ?? tableRetention;
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, TimeSpan.Zero, nameof(retention));
        if (keep < tableRetention && !force)
        {
            throw new DeltaException(
                $"VACUUM of table '{Path}' with a retention of {keep.TotalHours:0.##} hours is refused: the table keeps removed files for {tableRetention.TotalHours:0.##} hours (delta.deletedFileRetentionDuration), and a shorter retention can delete files that readers of older versions or writes in flight still need. Retain at least that long, or force it.",
                snapshot.Version);
        }
        var now = Options.TimeProvider.GetUtcNow();
        var cutoff = now - keep;
        var oldest = OldestRetainedVersion(cutoff);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in GetSnapshot(oldest).ActiveFiles)
        {
            referenced.Add(RelativeDataPath(file.Path));
        }
        for (var v = oldest + 1; v <= snapshot.Version; v++)
        {
            foreach (var action in _log.ReadCommit(v))
            {
                if (action is AddFile add)
                {
                    referenced.Add(RelativeDataPath(add.Path));
                }
            }
        }
        var partitionColumns = snapshot.PartitionColumns;
        var doomed = new List<(string Relative, string Full, long Size)>();
        foreach (var full in DataFilesUnder(Path, partitionColumns))
        {
            var relative = System.IO.Path.GetRelativePath(Path, full).Replace('\\', '/');
            var info = new FileInfo(full);
            if (!referenced.Contains(relative) && info.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                doomed.Add((relative, full, info.Length));
            }
        }
        doomed.Sort(static (a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        var bytes = doomed.Sum(d => d.Size);
        var result = new DeltaVacuumResult([.. doomed.Select(d => d.Relative)], bytes, dryRun, cutoff, oldest);
        if (dryRun)
        {
            return result;
        }
        var parameters = new JsonObject
        {
            ["retentionCheckEnabled"] = !force,
            ["defaultRetentionMillis"] = (long)tableRetention.TotalMilliseconds,
            ["specifiedRetentionMillis"] = (long)keep.TotalMilliseconds,
        };
        CommitInfoOnly("VACUUM START", parameters, RewriteMetrics(("numFilesToDelete", doomed.Count), ("sizeOfDataToDelete", bytes)));
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, full, _) in doomed)
        {
            File.Delete(full);
            directories.Add(System.IO.Path.GetDirectoryName(full)!);
        }
        var removedDirectories = 0;
        foreach (var directory in directories.OrderByDescending(d => d.Length))
        {
            // Emptied partition directories go, deepest first; the table root never does. A concurrent writer may create
            // a file in one between the check and the delete: the non-recursive delete then fails and the directory stays
            // (the writer, for its part, recreates a directory deleted under it: DataFileWriter).
            for (var d = directory; d.Length > Path.Length && Directory.Exists(d) && !Directory.EnumerateFileSystemEntries(d).Any(); d = System.IO.Path.GetDirectoryName(d)!)
            {
                Options.BeforeVacuumDeletesDirectory?.Invoke(d);
                if (!TryDeleteEmptyDirectory(d))
                {
                    break;
                }
                removedDirectories++;
            }
        }
        CommitInfoOnly("VACUUM END", new JsonObject { ["status"] = "COMPLETED" }, RewriteMetrics(("numDeletedFiles", doomed.Count), ("numVacuumedDirectories", removedDirectories)));
        return result;
    }

    private static JsonObject RewriteMetrics(params (string Name, long Value)[] metrics) => Writing.RewritePlan.Metrics(metrics);

    /// <summary>The table's <c>delta.deletedFileRetentionDuration</c> (an interval such as <c>interval 7 days</c>), or 7 days.</summary>
    internal TimeSpan TableRetention(DeltaSnapshot snapshot)
    {
        const string Key = "delta.deletedFileRetentionDuration";
        if (!snapshot.Configuration.TryGetValue(Key, out var text) || text is null)
        {
            return DefaultRetention;
        }
        return ParseInterval(text) ?? throw new DeltaException(
            $"Table '{Path}' has {Key} = '{text}' at version {snapshot.Version}, which is not an interval such as 'interval 7 days'; fix the property.", snapshot.Version);
    }

    /// <summary>Parses <c>interval N unit</c> (week, day, hour, minute, second, millisecond; singular or plural), or null.</summary>
    internal static TimeSpan? ParseInterval(string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = parts.Length > 0 && parts[0].Equals("interval", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        if (parts.Length - at != 2 || !long.TryParse(parts[at], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }
        return parts[at + 1].ToLowerInvariant().TrimEnd('s') switch
        {
            "week" => TimeSpan.FromDays(7 * n),
            "day" => TimeSpan.FromDays(n),
            "hour" => TimeSpan.FromHours(n),
            "minute" => TimeSpan.FromMinutes(n),
            "second" => TimeSpan.FromSeconds(n),
            "millisecond" => TimeSpan.FromMilliseconds(n),
            _ => null,
        };
    }

    private long OldestRetainedVersion(DateTimeOffset cutoff)
    {
        try
        {
            return _log.VersionAt(cutoff);
        }
        catch (DeltaException)
        {
            // The cutoff is before the earliest commit the log has: everything from the oldest readable version is retained.
            var listing = _log.Files.List();
            return listing.Commits.Contains(0) || listing.Checkpoints.Count == 0 ? 0 : listing.Checkpoints.Keys.First();
        }
    }

    private string RelativeDataPath(string logPath)
    {
        var decoded = DeltaPaths.Decode(logPath);
        return System.IO.Path.IsPathRooted(decoded) ? System.IO.Path.GetRelativePath(Path, decoded).Replace('\\', '/') : decoded;
    }

    /// <summary>The files VACUUM may consider: every file under the table root outside hidden names (partition directories excepted).</summary>
    private static IEnumerable<string> DataFilesUnder(string root, IReadOnlyList<string> partitionColumns)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(directory))
            {
                var name = System.IO.Path.GetFileName(sub);
                var equals = name.IndexOf('=', StringComparison.Ordinal);
                if (!IsHidden(name) || (equals > 0 && partitionColumns.Contains(name[..equals])))
                {
                    pending.Push(sub);
                }
            }
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                if (!IsHidden(System.IO.Path.GetFileName(file)))
                {
                    yield return file;
                }
            }
        }
    }

    private static bool IsHidden(string name) => name.StartsWith('_') || name.StartsWith('.');

    /// <summary>Commits a version holding only a commitInfo (VACUUM START/END), at the first free version.</summary>
    private void CommitInfoOnly(string operation, JsonObject parameters, JsonObject metrics)
    {
        for (var attempt = 1; attempt <= Options.MaxCommitAttempts; attempt++)
        {
            var latest = _log.Files.List().LatestVersion;
            var info = new CommitInfoAction(new JsonObject
            {
                ["timestamp"] = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                ["operation"] = operation,
                ["operationParameters"] = parameters.DeepClone(),
                ["readVersion"] = latest,
                ["isBlindAppend"] = true,
                ["operationMetrics"] = metrics.DeepClone(),
                ["engineInfo"] = EngineInfo,
            });
            if (TryCreateCommit(latest + 1, DeltaActionJson.WriteCommit([info])))
            {
                _ = MaybeCheckpoint(latest + 1);
                return;
            }
        }
        throw new DeltaException($"{operation} on table '{Path}' found no free version in {Options.MaxCommitAttempts} attempts: other writers kept committing first.");
    }

    /// <summary>Deletes <paramref name="directory"/> if it is still empty; false when a concurrent writer put something in it (or removed it).</summary>
    private static bool TryDeleteEmptyDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: false);
            return true;
        }
        catch (IOException) when (Directory.Exists(directory))
        {
            return false; // not empty any more
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }
}
