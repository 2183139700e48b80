namespace Sluice.Log;

/// <summary>What happens to old data of a topic.</summary>
public enum CleanupPolicy
{
    /// <summary>Whole closed segments are deleted by time/size retention.</summary>
    Delete,

    /// <summary>Closed segments keep only the last record per key (changelogs, registries).</summary>
    Compact,

    /// <summary>Both compaction and retention.</summary>
    CompactAndDelete,
}

/// <summary>Per-topic configuration (Kafka's topic configs, same meaning). Persisted with the topic.</summary>
public sealed record TopicConfig
{
    /// <summary>Number of partitions (≥ 1). Default 1.</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>A segment is rolled when an append would make it larger than this many bytes. Default 128 MiB.</summary>
    public long SegmentBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>A non-empty segment is rolled on the first append this long after it was created. Default 7 days.</summary>
    public TimeSpan SegmentTime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Closed segments whose newest record is older than this are deleted; null keeps forever. Default 7 days.</summary>
    public TimeSpan? RetentionTime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Oldest closed segments are deleted while a partition is larger than this many bytes; null = unbounded.</summary>
    public long? RetentionBytes { get; init; }

    /// <summary>Delete, compact, or both. Default <see cref="CleanupPolicy.Delete"/>.</summary>
    public CleanupPolicy CleanupPolicy { get; init; } = CleanupPolicy.Delete;

    /// <summary>On compacted topics, tombstones (null values) older than this are removed by compaction. Default 1 day.</summary>
    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromDays(1);

    internal void Validate(string topic)
    {
        if (Partitions < 1 || Partitions > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions, $"Topic '{topic}': partitions must be between 1 and 100000.");
        }

        if (SegmentBytes < 1024 || SegmentBytes > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentBytes), SegmentBytes, $"Topic '{topic}': segment bytes must be between 1 KiB and 2 GiB.");
        }

        if (SegmentTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentTime), SegmentTime, $"Topic '{topic}': segment time must be positive.");
        }
    }
}
