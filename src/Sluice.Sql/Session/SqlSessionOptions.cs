using Sluice.Connectors;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Session;

/// <summary>How a <see cref="SqlSession"/> is set up. Immutable.</summary>
public sealed record SqlSessionOptions
{
    /// <summary>
    /// The data directory: the catalog persists in its <c>catalog/</c> folder (see <see cref="Catalog.SqlCatalog.Open"/>)
    /// and jobs checkpoint under <c>checkpoints/</c>. Null (the default): everything lives in memory and checkpoints go
    /// to a temporary directory.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The connectors tables may name; null (the default): those of every loaded assembly (<see cref="ConnectorRegistry.FromLoadedAssemblies"/>).</summary>
    public ConnectorRegistry? Connectors { get; init; }

    /// <summary>The initial settings (<see cref="SqlSettings.Default"/> unless given).</summary>
    public SqlSettings Settings { get; init; } = SqlSettings.Default;

    /// <summary>The processing-time clock of expressions such as CURRENT_TIMESTAMP (the system clock by default).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Functions registered in code before the session opens (<see cref="SqlSession.RegisterFunction"/> adds more later); each called with the session's function catalog.</summary>
    public IReadOnlyList<Action<FunctionCatalog>> FunctionRegistrations { get; init; } = [];

    /// <summary>
    /// Adjusts the options of every job a statement starts, after the session chose them from its settings (name,
    /// parallelism, checkpoints): a host sets its own checkpoint directory, logger factory or restart strategy here.
    /// Null (the default): the session's options are used as they are. Called on the thread running the statement.
    /// </summary>
    public Func<JobOptions, JobOptions>? ConfigureJob { get; init; }

    /// <summary>
    /// Starts the job of an INSERT or STATEMENT SET (e.g. <c>registry.Submit(environment)</c>, so that a server lists
    /// it); must plan and start the job and return its client, or throw. Null (the default): <c>environment.Start()</c>.
    /// A SELECT's job always starts with <c>environment.Start()</c>, its rows being read by the caller.
    /// </summary>
    public Func<StreamEnvironment, JobClient>? JobStarter { get; init; }
}
