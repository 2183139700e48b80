using Sluice.Models.Templating;

namespace Sluice.Models.Project;

/// <summary>What a <see cref="ProjectNode"/> is (dbt's resource types).</summary>
internal enum NodeKind
{
    Model,
    Seed,
    Test,
    Source,
}

/// <summary>How a model is built (dbt's materializations).</summary>
internal enum Materialization
{
    View,
    Table,
    Incremental,
    Ephemeral,
}

/// <summary>
/// One node of the project's graph: a model, seed, test or source. Immutable after
/// <see cref="ModelProject.Load"/> except <see cref="Config"/> values set by a model's own <c>config()</c> call while
/// the project loads.
/// </summary>
internal sealed class ProjectNode
{
    public required NodeKind Kind { get; init; }

    /// <summary>The name <c>ref()</c> and <c>--select</c> use (a source's is <c>source_name.table_name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>dbt's unique id: <c>model.jaffle_shop.orders</c>, <c>seed.…</c>, <c>test.…</c>, <c>source.jaffle_shop.raw.orders</c>.</summary>
    public required string UniqueId { get; init; }

    /// <summary>Project-relative path of the file that defines it (the .sql, .csv or the YAML file), '/' separated.</summary>
    public required string Path { get; init; }

    /// <summary>The parsed SQL template (models and singular tests); null for seeds, sources and generic tests.</summary>
    public JinjaTemplate? Template { get; init; }

    /// <summary>Configuration: <c>materialized</c>, <c>unique_key</c>, <c>tags</c>, <c>schema</c>, <c>alias</c>, <c>severity</c>, <c>where</c>…</summary>
    public Dictionary<string, object?> Config { get; } = [];

    /// <summary>Unique ids of the nodes this one reads, found while the project loads.</summary>
    public SortedSet<string> DependsOn { get; } = new(StringComparer.Ordinal);

    /// <summary>For a generic test: its kind and arguments; for a test of any kind: the model and column it guards.</summary>
    public GenericTest? Test { get; init; }

    /// <summary>The test's attached node (the model or source a schema test is declared on).</summary>
    public string? AttachedTo { get; init; }

    /// <summary>The column a schema test is declared on.</summary>
    public string? Column { get; init; }

    /// <summary>Columns declared in schema YAML (name → description), for the manifest.</summary>
    public Dictionary<string, string?> Columns { get; } = [];

    /// <summary>For a source: its schema and table identifier.</summary>
    public (string Schema, string Identifier)? SourceRelation { get; init; }

    /// <summary>For a seed: its absolute file path.</summary>
    public string? SeedFile { get; init; }

    public Materialization Materialization => Kind != NodeKind.Model ? Materialization.Table : (Config.GetValueOrDefault("materialized") as string) switch
    {
        "view" => Materialization.View,
        "incremental" => Materialization.Incremental,
        "ephemeral" => Materialization.Ephemeral,
        _ => Materialization.Table,
    };

    public IReadOnlyList<string> Tags => Config.GetValueOrDefault("tags") switch
    {
        string tag => [tag],
        List<object?> tags => [.. tags.OfType<string>()],
        _ => [],
    };

    /// <summary>The table name in the warehouse: the <c>alias</c> config or the name.</summary>
    public string Identifier => Config.GetValueOrDefault("alias") as string ?? Name;

    public override string ToString() => UniqueId;
}

/// <summary>A generic schema test: <c>not_null</c>, <c>unique</c>, <c>accepted_values</c> or <c>relationships</c>, with its arguments.</summary>
internal sealed record GenericTest(string Kind, IReadOnlyDictionary<string, object?> Arguments);
