using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    /// <summary>When true, opening verifies the CRC of every batch of every segment, not just the last one, and
    /// lists what it finds in <see cref="PartitionLog.KnownDamage"/> (nothing is changed). Default false: closed
    /// segments with a valid index are verified lazily, on read.</summary>
    public bool VerifyAllSegmentsOnOpen { get; init; }

    /// <summary>
    /// When true the log's files are never created, changed or deleted: no torn tail is cut, no index or
    /// transaction marker is written, appends and transactions throw <see cref="InvalidOperationException"/>, and
    /// a missing data directory is an error instead of being created. Consumer group commits still work (they
    /// are the reader's own state). For commands that only read. Default false.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Where the log reports what it did to files on open (a torn tail cut, damage found). Default: none.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
