using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>What a <see cref="LogStartingPosition"/> resolves from.</summary>
public enum LogStartingPositionKind
{
    /// <summary>The partition's log start offset (the oldest record still stored).</summary>
    Earliest,

    /// <summary>The partition's end at the time the reader starts: only records appended afterwards are read.</summary>
    Latest,

    /// <summary>The first record whose timestamp is ≥ a given time (Kafka's offsetsForTimes); the end when none is.</summary>
    Timestamp,

    /// <summary>The offset a consumer group committed; a fallback position where the group has none.</summary>
    Committed,
}

/// <summary>
/// Where a <see cref="LogSource{T}"/> starts reading each partition that has no explicit starting offset
/// (see <see cref="LogSource{T}.WithStartingOffsets"/>). Resolved once per partition when the reader is created.
/// Immutable and thread-safe.
/// </summary>
public sealed record LogStartingPosition
{
    private LogStartingPosition(LogStartingPositionKind kind, long timestampMs, string? group, LogStartingPosition? fallback)
    {
        Kind = kind;
        TimestampMs = timestampMs;
        Group = group;
        Fallback = fallback;
    }

    /// <summary>Start at the oldest stored record of every partition.</summary>
    public static LogStartingPosition Earliest { get; } = new(LogStartingPositionKind.Earliest, 0, null, null);

    /// <summary>Start at the end of every partition as observed when the reader starts.</summary>
    public static LogStartingPosition Latest { get; } = new(LogStartingPositionKind.Latest, 0, null, null);

    /// <summary>How this position resolves.</summary>
    public LogStartingPositionKind Kind { get; }

    /// <summary>For <see cref="LogStartingPositionKind.Timestamp"/>: Unix milliseconds; 0 otherwise.</summary>
    public long TimestampMs { get; }

    /// <summary>For <see cref="LogStartingPositionKind.Committed"/>: the consumer group; null otherwise.</summary>
    public string? Group { get; }

    /// <summary>For <see cref="LogStartingPositionKind.Committed"/>: used for partitions the group has no offset for.</summary>
    public LogStartingPosition? Fallback { get; }

    /// <summary>Start at the first record whose timestamp is ≥ <paramref name="timestampMs"/> (per partition).</summary>
    /// <param name="timestampMs">Unix milliseconds.</param>
    public static LogStartingPosition Timestamp(long timestampMs) => new(LogStartingPositionKind.Timestamp, timestampMs, null, null);

    /// <summary>Start at the offsets <paramref name="group"/> committed; partitions without one use <paramref name="fallback"/>.</summary>
    /// <param name="group">Consumer group name (non-empty).</param>
    /// <param name="fallback">Position for partitions without a committed offset; default <see cref="Earliest"/>. Must not itself be <see cref="LogStartingPositionKind.Committed"/>.</param>
    /// <exception cref="ArgumentException">The group is empty or the fallback is a committed position.</exception>
    public static LogStartingPosition Committed(string group, LogStartingPosition? fallback = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        if (fallback?.Kind == LogStartingPositionKind.Committed)
        {
            throw new ArgumentException("The fallback of a committed starting position must be Earliest, Latest or Timestamp.", nameof(fallback));
        }
        return new(LogStartingPositionKind.Committed, 0, group, fallback ?? Earliest);
    }

    /// <summary>The offset this position resolves to on <paramref name="partition"/>, now.</summary>
    /// <param name="log">The log holding the group offsets.</param>
    /// <param name="partition">The partition.</param>
    internal long Resolve(PartitionedLog log, PartitionLog partition) => Kind switch
    {
        LogStartingPositionKind.Earliest => partition.LogStartOffset,
        LogStartingPositionKind.Latest => partition.EndOffset,
        LogStartingPositionKind.Timestamp => partition.FindOffsetForTimestamp(TimestampMs) ?? partition.EndOffset,
        _ => log.Groups.GetCommittedOffset(Group!, partition.Topic, partition.Partition) ?? Fallback!.Resolve(log, partition),
    };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LogStartingPositionKind.Timestamp => $"Timestamp({TimestampMs})",
        LogStartingPositionKind.Committed => $"Committed({Group}, fallback {Fallback})",
        _ => Kind.ToString(),
    };
}
