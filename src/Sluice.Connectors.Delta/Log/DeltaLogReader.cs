namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Loads snapshots of a table from its log: the newest complete checkpoint at or before the wanted version (multi-part
/// checkpoints with a missing part are ignored; <c>_last_checkpoint</c> is only a hint, checked against the listing),
/// then every JSON commit after it, which must be contiguous. Thread-safe (no state beyond the paths).
/// </summary>
internal sealed class DeltaLogReader(DeltaLogFiles files)
{
    /// <summary>The log's files.</summary>
    public DeltaLogFiles Files { get; } = files;

    /// <summary>Loads the snapshot of <paramref name="version"/>, or of the latest version when null.</summary>
    /// <exception cref="DeltaException">The directory is not a Delta table; the version does not exist or a commit before it
    /// is missing (a gap), corrupt or truncated; the table needs a feature Sluice does not read.</exception>
    public DeltaSnapshot Load(long? version = null)
    {
        var listing = Files.List();
        var latest = listing.LatestVersion;
        if (latest < 0)
        {
            throw new DeltaException($"'{Files.TablePath}' is not a Delta table: it has no {DeltaLogFiles.LogDirectoryName} directory with commits or checkpoints.");
        }
        var target = version ?? latest;
        if (target < 0 || target > latest)
        {
            throw new DeltaException($"Table '{Files.TablePath}' has no version {target}; its versions end at {latest}.", target);
        }
        var replay = new LogReplay();
        var start = 0L;
        var checkpoint = PreferredCheckpoint(listing, target);
        if (checkpoint is { } cp)
        {
            replay.Apply(cp, DeltaCheckpoints.Read(Files, cp, listing.Checkpoints[cp]));
            start = cp + 1;
        }
        else if (!listing.Commits.Contains(0))
        {
            var first = listing.Commits.Count == 0 ? target : listing.Commits.Min;
            throw new DeltaException($"Table '{Files.TablePath}' cannot be read at version {target}: its log starts at version {first} (commit {DeltaLogFiles.CommitName(0)} is gone) and no checkpoint at or before version {target} covers the versions before it.", target, DeltaLogFiles.CommitName(0));
        }
        for (var v = start; v <= target; v++)
        {
            if (!listing.Commits.Contains(v))
            {
                throw new DeltaException($"Table '{Files.TablePath}' has a gap in its log: commit {DeltaLogFiles.CommitName(v)} (version {v}) is missing, though the log goes on to version {latest}.", v, DeltaLogFiles.CommitName(v));
            }
            replay.Apply(v, ReadCommit(v));
        }
        if (replay.Protocol is null || replay.Metadata is null)
        {
            throw new DeltaException($"Table '{Files.TablePath}' at version {target} has no {(replay.Protocol is null ? "protocol" : "metaData")} action in its log, which every table must have.", target);
        }
        DeltaFeatures.CheckReadable(Files.TablePath, target, replay.Protocol, replay.Metadata);
        return new DeltaSnapshot(Files.TablePath, target, replay.Protocol, replay.Metadata, replay.ActiveFiles(), replay.Tombstones(), replay.Transactions());
    }

    private long? PreferredCheckpoint(LogListing listing, long target)
    {
        // _last_checkpoint names the newest checkpoint; a listing may show a newer one (a writer died before updating
        // the pointer) or none at that version (a damaged pointer): the listing decides.
        var hinted = DeltaCheckpoints.ReadLastCheckpoint(Files);
        var listed = listing.CheckpointAtOrBefore(target);
        if (hinted is { } last && last.Version <= target && listing.Checkpoints.ContainsKey(last.Version) && (listed is null || listed <= last.Version))
        {
            return last.Version;
        }
        return listed;
    }

    /// <summary>Reads the actions of the commit of <paramref name="version"/>.</summary>
    /// <exception cref="DeltaException">The commit file is missing, corrupt or truncated.</exception>
    public List<DeltaAction> ReadCommit(long version)
    {
        var name = DeltaLogFiles.CommitName(version);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Files.PathOf(name));
        }
        catch (FileNotFoundException e)
        {
            throw new DeltaException($"Table '{Files.TablePath}' has no commit {name} (version {version}).", version, name, e);
        }
        return DeltaActionJson.ParseCommit(bytes, version, name);
    }

    /// <summary>
    /// The timestamp of the commit of <paramref name="version"/>: its <c>inCommitTimestamp</c> when the table has
    /// in-commit timestamps enabled, else the commit file's modification time (as the protocol specifies).
    /// </summary>
    public DateTimeOffset CommitTimestamp(long version, bool inCommitTimestamps)
    {
        if (inCommitTimestamps)
        {
            foreach (var action in ReadCommit(version))
            {
                if (action is CommitInfoAction { InCommitTimestamp: { } ict })
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds(ict);
                }
            }
        }
        return new DateTimeOffset(File.GetLastWriteTimeUtc(Files.PathOf(DeltaLogFiles.CommitName(version))), TimeSpan.Zero);
    }

    /// <summary>
    /// The newest version committed at or before <paramref name="timestamp"/>. Commit timestamps are made monotonic first
    /// (a commit's time is at least its predecessor's plus 1 ms), as Spark does, so clock skew cannot reorder history.
    /// </summary>
    /// <exception cref="DeltaException">The timestamp is before the earliest commit the log still has.</exception>
    public long VersionAt(DateTimeOffset timestamp)
    {
        var latest = Load();
        var ict = latest.Configuration.TryGetValue("delta.enableInCommitTimestamps", out var enabled) && string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase);
        var listing = Files.List();
        long? found = null;
        var previous = DateTimeOffset.MinValue;
        DateTimeOffset? earliest = null;
        foreach (var version in listing.Commits)
        {
            if (version > latest.Version)
            {
                break;
            }
            var time = CommitTimestamp(version, ict);
            if (time <= previous)
            {
                time = previous.AddMilliseconds(1);
            }
            previous = time;
            earliest ??= time;
            if (time <= timestamp)
            {
                found = version;
            }
            else
            {
                break;
            }
        }
        return found ?? throw new DeltaException(
            $"Table '{Files.TablePath}' has no version at or before {timestamp:O}: its earliest commit still in the log is at {earliest:O}.");
    }
}
