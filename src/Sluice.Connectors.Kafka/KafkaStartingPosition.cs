namespace Sluice.Connectors.Kafka;

/// <summary>
/// Where a partition's reading begins when no explicit starting offset (a restored checkpoint position) is given
/// for it. Immutable.
/// </summary>
public sealed record KafkaStartingPosition
{
    private KafkaStartingPosition(KafkaStartingPositionKind kind, long timestampMs, KafkaStartingPositionKind fallback)
    {
        Kind = kind;
        TimestampMs = timestampMs;
        Fallback = fallback;
    }

    /// <summary>Which rule applies.</summary>
    public KafkaStartingPositionKind Kind { get; }

    /// <summary>For <see cref="KafkaStartingPositionKind.Timestamp"/>: the first record with a timestamp ≥ this (Unix ms) is read first.</summary>
    public long TimestampMs { get; }

    /// <summary>For <see cref="KafkaStartingPositionKind.Committed"/>: where partitions without a committed offset begin (earliest or latest).</summary>
    public KafkaStartingPositionKind Fallback { get; }

    /// <summary>The first retained record of each partition.</summary>
    public static KafkaStartingPosition Earliest { get; } = new(KafkaStartingPositionKind.Earliest, 0, KafkaStartingPositionKind.Earliest);

    /// <summary>Only records appended after the partition is assigned.</summary>
    public static KafkaStartingPosition Latest { get; } = new(KafkaStartingPositionKind.Latest, 0, KafkaStartingPositionKind.Latest);

    /// <summary>The consumer group's committed offset; partitions without one begin at <paramref name="fallback"/> (earliest by default).</summary>
    /// <exception cref="ArgumentException"><paramref name="fallback"/> is neither earliest nor latest.</exception>
    public static KafkaStartingPosition Committed(KafkaStartingPositionKind fallback = KafkaStartingPositionKind.Earliest) =>
        fallback is KafkaStartingPositionKind.Earliest or KafkaStartingPositionKind.Latest
            ? new(KafkaStartingPositionKind.Committed, 0, fallback)
            : throw new ArgumentException("The fallback of a committed starting position must be Earliest or Latest.", nameof(fallback));

    /// <summary>The first record whose timestamp is ≥ <paramref name="timestampMs"/> (Unix ms); partitions with none begin at their end.</summary>
    public static KafkaStartingPosition Timestamp(long timestampMs) => new(KafkaStartingPositionKind.Timestamp, timestampMs, KafkaStartingPositionKind.Latest);
}

/// <summary>The kinds of <see cref="KafkaStartingPosition"/>.</summary>
public enum KafkaStartingPositionKind
{
    /// <summary>First retained record.</summary>
    Earliest,

    /// <summary>End of the partition.</summary>
    Latest,

    /// <summary>The group's committed offset.</summary>
    Committed,

    /// <summary>First record at or after a timestamp.</summary>
    Timestamp,
}
