using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// What the planner needs to know beyond the catalog: which changelogs the connectors' sinks accept and their sources
/// produce, and the session for constant folding. Immutable; thread-safe when the delegates are.
/// </summary>
internal sealed record PlannerSettings
{
    /// <summary>The default settings: <see cref="DefaultSinkMode"/>, insert-only sources, no session folding.</summary>
    public static PlannerSettings Default { get; } = new();

    /// <summary>The changelog a table's sink accepts (a connector factory's <c>GetSinkChangelogMode</c>).</summary>
    public Func<CatalogTable, ChangelogMode> SinkChangelogMode { get; init; } = DefaultSinkMode;

    /// <summary>The changelog a table's source produces (a connector factory's source mode); insert-only by default.</summary>
    public Func<CatalogTable, ChangelogMode> SourceChangelogMode { get; init; } = static _ => ChangelogMode.InsertOnly;

    /// <summary>The session constant folding may read (time zone); null folds only what does not depend on it.</summary>
    public SqlEvaluationContext? Session { get; init; }

    /// <summary>
    /// The modes of the connectors Sluice ships, without a registry: 'print' and 'blackhole' accept every change (as in
    /// Flink), 'upsert-kafka' and the embedded log in upsert mode take upserts, 'duckdb' upserts with a PRIMARY KEY;
    /// everything else appends only.
    /// </summary>
    public static ChangelogMode DefaultSinkMode(CatalogTable table) => table.Option("connector") switch
    {
        "print" or "blackhole" => ChangelogMode.All,
        "upsert-kafka" => ChangelogMode.Upsert,
        "duckdb" when table.PrimaryKey.Count > 0 => ChangelogMode.Upsert,
        "sluice-log" when table.Option("changelog.mode") == "upsert" => ChangelogMode.Upsert,
        _ => ChangelogMode.InsertOnly,
    };
}
