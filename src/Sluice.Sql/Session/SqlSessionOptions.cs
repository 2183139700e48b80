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
}
