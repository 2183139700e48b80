namespace Sluice.Log;

/// <summary>Options of a <see cref="PartitionedLog"/>. Immutable once the log is opened.</summary>
public sealed record LogOptions
{
    /// <summary>Clock for record timestamps, segment roll by time and retention by time. Default: system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Flush policy for non-transactional appends. Default: <see cref="FlushPolicy.EveryBatch"/>.
    /// Transactional appends are always made durable by prepare/commit instead.</summary>
    public FlushPolicy FlushPolicy { get; init; } = FlushPolicy.EveryBatch;

    /// <summary>Bytes of log between two sparse index entries. Default 4096.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>Period of background maintenance (retention, compaction, interval flush) run on
    /// <see cref="TimeProvider"/>'s timers; null disables it (call <see cref="PartitionedLog.RunMaintenance"/>).
    /// Default: 1 minute.</summary>
    public TimeSpan? MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>When true, opening verifies the CRC of every batch of every segment, not just the last one;
    /// a damaged closed segment is then truncated at its first bad batch together with all later segments.
    /// Default false: closed segments are verified lazily, on read.</summary>
    public bool VerifyAllSegmentsOnOpen { get; init; }
}
