using Sluice.Nexmark.Queries;

namespace Sluice.Nexmark.Running;

/// <summary>What <see cref="NexmarkRunner.Run"/> runs.</summary>
public sealed record NexmarkOptions
{
    /// <summary>Queries to run, in order. Default: all.</summary>
    public IReadOnlyList<NexmarkQuery> Queries { get; init; } = NexmarkQueries.All;

    /// <summary>Engines to run each query on, in order. Default: all four.</summary>
    public IReadOnlyList<NexmarkEngine> Engines { get; init; } = [NexmarkEngine.Sluice, NexmarkEngine.Handwritten, NexmarkEngine.Rx, NexmarkEngine.DuckDb];

    /// <summary>Events to generate (all engines get the same ones). Default 1 000 000.</summary>
    public long Events { get; init; } = 1_000_000;

    /// <summary>Generator seed. Default 42.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Sluice subtasks per operator and DuckDB threads. Default 1.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>
    /// Checkpoint interval for Sluice jobs (checkpoints go to a fresh temporary directory per run, removed afterwards);
    /// null runs without checkpoints.
    /// </summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>Where Sluice jobs keep keyed state. Default: the heap.</summary>
    public Sluice.State.StateBackendOptions StateBackend { get; init; } = Sluice.State.HeapStateBackend.Instance;

    /// <summary>When set, the events go to <c>events.jsonl</c> and each run's sorted rows to <c>&lt;query&gt;.&lt;engine&gt;.jsonl</c> here.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Run each (query, engine) once on a small prefix first so JIT compilation is not measured. Default true.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Progress messages (stderr in the CLI); null = silent.</summary>
    public Action<string>? Log { get; init; }
}
