using Sluice.Nexmark.Model;

namespace Sluice.Nexmark.Queries;

/// <summary>Who runs a query.</summary>
public enum NexmarkEngine
{
    /// <summary>Sluice's DataStream API.</summary>
    Sluice,

    /// <summary>Plain C# loops and dictionaries, single-threaded: what a user writes without an engine.</summary>
    Handwritten,

    /// <summary>System.Reactive operators on a subject the events are pushed into.</summary>
    Rx,

    /// <summary>DuckDB running the query's SQL in batch over the events loaded into tables.</summary>
    DuckDb,

    /// <summary>Sluice SQL running the nexmark/nexmark Flink SQL text of each query.</summary>
    Sql,
}

/// <summary>Settings one query run gets.</summary>
/// <param name="Parallelism">Threads the engine may use (Sluice subtasks, DuckDB threads); hand-written and Rx use one.</param>
/// <param name="KeepRows">Keep the result rows (tests, --out).</param>
/// <param name="CheckpointInterval">Checkpoint interval of Sluice jobs; null runs without checkpoints.</param>
/// <param name="StateBackend">Where Sluice jobs keep keyed state; null is the heap.</param>
public sealed record QueryRunSettings(int Parallelism, bool KeepRows, TimeSpan? CheckpointInterval = null, Sluice.State.StateBackendOptions? StateBackend = null);

/// <summary>An engine that runs Nexmark queries over in-memory events.</summary>
public interface IQueryEngine : IDisposable
{
    /// <summary>The engine.</summary>
    NexmarkEngine Engine { get; }

    /// <summary>False when the query cannot be expressed on this engine.</summary>
    bool Supports(NexmarkQuery query);

    /// <summary>
    /// Work done once per event set, outside the measured time (DuckDB: loading the tables). Returns the seconds it took.
    /// </summary>
    double Prepare(Event[] events, int parallelism);

    /// <summary>Runs <paramref name="query"/> over <paramref name="events"/> and returns what it produced.</summary>
    Results.QueryOutput Run(NexmarkQuery query, Event[] events, QueryRunSettings settings);
}
