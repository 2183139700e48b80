using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>Optional settings of a <see cref="LogSource{T}"/>. Immutable; the defaults suit an unbounded job.</summary>
public sealed record LogSourceOptions
{
    /// <summary>Where partitions without an explicit starting offset begin. Default <see cref="LogStartingPosition.Earliest"/>.</summary>
    public LogStartingPosition StartingPosition { get; init; } = LogStartingPosition.Earliest;

    /// <summary>
    /// True: each reader stops at the end offsets (the last stable offset under read-committed) it observes when it
    /// is created, so the job finishes — for batch-like jobs and tests. False (default): follow the log forever.
    /// </summary>
    public bool Bounded { get; init; }

    /// <summary>Most records one poll emits, over all of a reader's partitions; 0 (default) = the job's batch size.</summary>
    public int MaxRecordsPerPoll { get; init; }

    /// <summary>Which records are visible. Default <see cref="IsolationLevel.ReadCommitted"/>: open and aborted transactions are never delivered.</summary>
    public IsolationLevel Isolation { get; init; } = IsolationLevel.ReadCommitted;

    /// <summary>
    /// When set, each reader commits its positions to this consumer group when it ends (bounded end, stop, failure)
    /// and on <see cref="LogSourceReader{T}.CommitPositions"/>, so lag tools (<c>sluice log groups</c>) see progress.
    /// This is progress reporting, not a delivery guarantee (see docs/connectors/log.md).
    /// </summary>
    public string? ConsumerGroup { get; init; }

    /// <summary>
    /// How long one wait for new data lasts before it is re-armed (measured on the log's clock). Waiting is
    /// signal-based; this only bounds how long a pending wait holds resources. Default 30 s.
    /// </summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(StartingPosition, nameof(StartingPosition));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRecordsPerPoll, nameof(MaxRecordsPerPoll));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WaitTimeout, TimeSpan.Zero, nameof(WaitTimeout));
        if (ConsumerGroup is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(ConsumerGroup, nameof(ConsumerGroup));
        }
    }
}
