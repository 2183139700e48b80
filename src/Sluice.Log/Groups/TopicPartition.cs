namespace Sluice.Log;

/// <summary>A topic partition.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
public readonly record struct TopicPartition(string Topic, int Partition);

/// <summary>A position in a topic partition: for committed offsets, the next offset the group will read.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Offset">The offset.</param>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset);

/// <summary>A consumer group's position and lag on one partition.</summary>
/// <param name="Group">Group name.</param>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Committed">Committed offset (next to read), or null when the group never committed here.</param>
/// <param name="EndOffset">The partition's high watermark.</param>
/// <param name="Lag">EndOffset − Committed (EndOffset − LogStartOffset when nothing is committed).</param>
public readonly record struct GroupPartitionLag(string Group, string Topic, int Partition, long? Committed, long EndOffset, long Lag)
{
    /// <summary>True when the committed offset is beyond the partition's end (the partition lost records it once
    /// acknowledged, e.g. on a power loss without fsync): the group cannot read until it is reset.</summary>
    public bool IsPastEnd => Committed > EndOffset;
}

/// <summary>Where <see cref="PartitionedLog.ResetGroupOffsets"/> moves a group.</summary>
public enum OffsetResetKind
{
    /// <summary>The log start offset.</summary>
    Earliest,

    /// <summary>The end offset (high watermark).</summary>
    Latest,

    /// <summary>The first offset with timestamp ≥ a given time (or the end when none).</summary>
    Timestamp,

    /// <summary>A given offset, clamped to each partition's [log start, end].</summary>
    Offset,
}
