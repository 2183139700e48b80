using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Checkpoints;
using Sluice.State;

namespace Sluice;

/// <summary>How the runtime executes a job.</summary>
public enum ExecutionMode
{
    /// <summary>Each subtask of each chain runs on its own thread; exchanges are bounded channels with backpressure.</summary>
    Parallel,

    /// <summary>
    /// Every subtask runs on the calling thread in a fixed order: the same input gives the same output, in the same
    /// order, on every run. For tests and debugging; channels are unbounded in this mode.
    /// </summary>
    Deterministic,
}

/// <summary>Job-wide settings. Immutable once the job is built; validated by <see cref="Validate"/>.</summary>
public sealed record JobOptions
{
    /// <summary>The job's name in logs, errors and metrics.</summary>
    public string JobName { get; init; } = "sluice-job";

    /// <summary>Default number of parallel subtasks per operator (operators may override). Default: 1.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>
    /// Number of key groups: the unit in which keyed state is partitioned and the largest parallelism a keyed
    /// operator may have. Fixed for the lifetime of a job's state. Default <see cref="KeyGroups.DefaultCount"/>.
    /// </summary>
    public int KeyGroupCount { get; init; } = KeyGroups.DefaultCount;

    /// <summary>Records per batch sent between tasks. Larger batches: more throughput, more latency. Default 1024.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>
    /// Batches an exchange channel holds before its producer blocks (backpressure). Per channel, at most
    /// <c>ChannelCapacity × BatchSize</c> records are queued. Default 4.
    /// </summary>
    public int ChannelCapacity { get; init; } = 4;

    /// <summary>Parallel threads or the single-threaded deterministic mode.</summary>
    public ExecutionMode Mode { get; init; } = ExecutionMode.Parallel;

    /// <summary>Chain operators connected by forward edges with equal parallelism into one task. Default true.</summary>
    public bool ChainingEnabled { get; init; } = true;

    /// <summary>The processing-time clock: every processing-time window, timer, TTL and idleness check reads it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where keyed operators keep their state: <see cref="HeapStateBackend"/> (the default) or
    /// <see cref="RocksDbStateBackend"/> for state larger than memory. Full checkpoints of either restore into either; incremental RocksDB checkpoints into RocksDB.
    /// </summary>
    public StateBackendOptions StateBackend { get; init; } = HeapStateBackend.Instance;

    /// <summary>Periodic checkpoints for exactly-once recovery; null (the default) runs without checkpoints.</summary>
    public CheckpointOptions? Checkpoints { get; init; }

    /// <summary>What happens when a task fails: restart from the last checkpoint or fail the job. Default: fail.</summary>
    public RestartStrategy Restart { get; init; } = RestartStrategy.None;

    /// <summary>
    /// Where the job logs: its start and end, restarts with their cause, failed and abandoned checkpoints (categories
    /// <c>Sluice.Runtime.JobExecution</c> and <c>Sluice.Checkpointing</c>), and what connectors log (they get it
    /// through their reader, writer and committer contexts). Loggers are created when the job starts and written from
    /// job threads and the thread pool, so the factory and its loggers must be thread-safe (every
    /// <c>Microsoft.Extensions.Logging</c> factory is). Event ids are listed in docs/operations.md. Default
    /// <see cref="NullLoggerFactory.Instance"/>: nothing is logged. <c>Sluice.Hosting</c> sets the host's factory.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Where the job's OpenLineage run events go: START when it starts running, COMPLETE when it finishes or is
    /// stopped, FAIL (with the error) when it fails, ABORT when cancelled; inputs are its sources and outputs its sinks
    /// that describe their datasets (<see cref="Lineage.ILineageDataset"/>). Default
    /// <see cref="Lineage.NoLineageEmitter.Instance"/>: none. Not owned by the job (the caller disposes it). See docs/lineage.md.
    /// </summary>
    public Lineage.ILineageEmitter Lineage { get; init; } = Sluice.Lineage.NoLineageEmitter.Instance;

    /// <summary>The namespace of the job in lineage events; null: <c>OPENLINEAGE_NAMESPACE</c>, else <c>default</c>.</summary>
    public string? LineageNamespace { get; init; }

    /// <summary>Checks every setting, failing with one message that names the setting and the allowed range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">A setting is invalid (for example the state backend's).</exception>
    public void Validate()
    {
        if (Parallelism < 1 || Parallelism > KeyGroupCount)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, $"Parallelism must be in [1, KeyGroupCount={KeyGroupCount}].");
        }
        if (KeyGroupCount < 1 || KeyGroupCount > 32768)
        {
            throw new ArgumentOutOfRangeException(nameof(KeyGroupCount), KeyGroupCount, "KeyGroupCount must be in [1, 32768].");
        }
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }
        if (ChannelCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChannelCapacity), ChannelCapacity, "ChannelCapacity must be at least 1 batch.");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(JobName, nameof(JobName));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(LoggerFactory, nameof(LoggerFactory));
        ArgumentNullException.ThrowIfNull(Lineage, nameof(Lineage));
        if (LineageNamespace is not null && string.IsNullOrWhiteSpace(LineageNamespace))
        {
            throw new ArgumentException("LineageNamespace must be null (the default namespace) or a non-blank OpenLineage namespace.", nameof(LineageNamespace));
        }
        ArgumentNullException.ThrowIfNull(StateBackend, nameof(StateBackend));
        StateBackend.Validate();
    }
}
