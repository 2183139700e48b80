using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors;

/// <summary>What a connector can be used as.</summary>
[Flags]
public enum ConnectorCapabilities
{
    /// <summary>Neither (not a valid connector).</summary>
    None = 0,

    /// <summary>A table it reads: <see cref="IConnectorFactory.CreateSource"/> works.</summary>
    Source = 1,

    /// <summary>A table it writes: <see cref="IConnectorFactory.CreateSink"/> works.</summary>
    Sink = 2,

    /// <summary>A table it reads by key, for lookup joins: <see cref="IConnectorFactory.CreateLookupSource"/> works.</summary>
    Lookup = 4,
}

/// <summary>
/// A connector, as SQL DDL (<c>WITH ('connector' = 'datagen', …)</c>) and the C# API reach it: an identifier, the
/// options it accepts, and the creation of a <see cref="Row"/> source or sink for a table from validated options —
/// the same steps as Flink's <c>DynamicTableFactory</c> and Arroyo's connector (options → schema → operator).
/// </summary>
/// <remarks>
/// <para>Register a factory by naming its type in the assembly's <see cref="ConnectorFactoriesAttribute"/> (it needs
/// a public parameterless constructor), or pass an instance to <see cref="ConnectorRegistry.Register"/>.</para>
/// <para>Implementations are stateless and thread-safe: one instance serves every table and job. Everything a created
/// source or sink needs comes from the <see cref="ConnectorContext"/>; option errors are
/// <see cref="ConfigOptionsException"/>s raised while creating, before any job runs.</para>
/// </remarks>
public interface IConnectorFactory
{
    /// <summary>The identifier in <c>'connector' = '…'</c>: lower case, Flink's name where Flink has the connector.</summary>
    string Identifier { get; }

    /// <summary>One sentence saying what the connector reads or writes.</summary>
    string Description { get; }

    /// <summary>Whether the connector is a source, a sink, or both.</summary>
    ConnectorCapabilities Capabilities { get; }

    /// <summary>Every option the connector accepts (required and optional, pattern keys included), in display order.</summary>
    IReadOnlyList<ConfigOption> Options { get; }

    /// <summary>
    /// The table's schema: by default the one declared (<paramref name="declared"/>), which must then be given. A
    /// connector with a fixed schema (nexmark) returns its own when none is declared and checks a declared one.
    /// </summary>
    /// <exception cref="ConfigOptionsException">No schema was declared and the connector has none of its own, or the declared one does not fit.</exception>
    Schema ResolveSchema(Schema? declared, ConfigOptions options) =>
        declared ?? throw new ConfigOptionsException($"Connector '{Identifier}' needs the table's columns: declare a schema for the table.", Identifier);

    /// <summary>
    /// The changelog the table's source produces (<see cref="ChangelogMode.InsertOnly"/> by default): an
    /// <see cref="ChangelogMode.Upsert"/> source emits <c>+U</c> and <c>-D</c> rows by key, which a planner normalizes
    /// (<c>ChangelogNormalize</c>) before operators that need the previous row. Called before <see cref="CreateSource"/>
    /// with the same context; pure.
    /// </summary>
    /// <exception cref="ConfigOptionsException">The options do not fit the table.</exception>
    ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <summary>
    /// The changelog the table's sink accepts (<see cref="ChangelogMode.InsertOnly"/> by default, the safe answer): an
    /// append-only sink fails on a retraction row, naming it; an <see cref="ChangelogMode.Upsert"/> sink applies rows by
    /// the table's key; a <see cref="ChangelogMode.All"/> sink writes every kind as it is. A planner checks it with
    /// <see cref="ChangelogModes.EnsureAccepts"/> before <see cref="CreateSink"/>, which gets the same context; pure.
    /// </summary>
    /// <exception cref="ConfigOptionsException">The options do not fit the table.</exception>
    ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <summary>Creates the source of a table. Called once per table and job, before the job runs.</summary>
    /// <exception cref="ConfigOptionsException">The options do not fit the table (a column they name does not exist…).</exception>
    /// <exception cref="NotSupportedException">The connector is not a source.</exception>
    ISource<Row> CreateSource(ConnectorContext context) =>
        throw new NotSupportedException($"Connector '{Identifier}' cannot be read: it is a sink only.");

    /// <summary>Creates the sink of a table. Called once per table and job, before the job runs.</summary>
    /// <exception cref="ConfigOptionsException">The options do not fit the table.</exception>
    /// <exception cref="NotSupportedException">The connector is not a sink.</exception>
    ISink<Row> CreateSink(ConnectorContext context) =>
        throw new NotSupportedException($"Connector '{Identifier}' cannot be written: it is a source only.");

    /// <summary>
    /// Creates a source of the table's rows by key, for one subtask of a lookup join (see <see cref="ILookupSource"/>
    /// for its lifecycle): a planner calls it once per subtask of the join, as the result is not thread-safe. Opens
    /// nothing: the subtask calls <see cref="ILookupSource.Open"/>.
    /// Connectors apply Flink's <c>lookup.*</c> options through <see cref="LookupOptions"/>.
    /// </summary>
    /// <param name="context">The table.</param>
    /// <param name="keyColumns">The columns the join looks up by (columns of <see cref="ConnectorContext.Schema"/>, at least one), in the order of the key rows' fields.</param>
    /// <exception cref="ConfigOptionsException">The options do not fit the table, or a key column is not one of its columns.</exception>
    /// <exception cref="NotSupportedException">The connector cannot look up rows by key.</exception>
    ILookupSource CreateLookupSource(ConnectorContext context, IReadOnlyList<string> keyColumns) =>
        throw new NotSupportedException($"Connector '{Identifier}' cannot be used in a lookup join: it cannot read rows by key.");
}

/// <summary>What a connector factory is given to create a source or sink for one table.</summary>
/// <param name="TableName">The table's name, for messages and metrics.</param>
/// <param name="Schema">The table's columns (see <see cref="IConnectorFactory.ResolveSchema"/>).</param>
/// <param name="Options">The options, validated against the factory's <see cref="IConnectorFactory.Options"/>.</param>
public sealed record ConnectorContext(string TableName, Schema Schema, ConfigOptions Options)
{
    /// <summary>
    /// The table's primary key columns (SQL's <c>PRIMARY KEY (…) NOT ENFORCED</c>), in key order; empty when the
    /// table has none. Upsert connectors require one; every name is a column of <see cref="Schema"/>.
    /// </summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// The columns the table is partitioned by (SQL's <c>PARTITIONED BY (…)</c>), outermost first; empty when it is
    /// not partitioned. Every name is a column of <see cref="Schema"/>.
    /// </summary>
    public IReadOnlyList<string> PartitionKeys { get; init; } = [];
}
