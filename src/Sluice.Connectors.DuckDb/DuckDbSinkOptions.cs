using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb;

/// <summary>Options of the DuckDB warehouse sink (<see cref="DuckDbStreamExtensions.ToDuckDb{T}"/>).</summary>
public sealed record DuckDbSinkOptions
{
    /// <summary>
    /// Append every record, or upsert by <see cref="PrimaryKey"/> (for rows: apply their changelog, deletes included).
    /// Default <see cref="WarehouseWriteMode.Append"/>, in which a row that retracts (<c>-D</c>, <c>-U</c>) fails the job.
    /// </summary>
    public WarehouseWriteMode Mode { get; init; } = WarehouseWriteMode.Append;

    /// <summary>
    /// The table's primary key as column names (snake_case, e.g. <c>user_id</c> for a property <c>UserId</c>).
    /// Required for <see cref="WarehouseWriteMode.Upsert"/> and refused with <see cref="WarehouseWriteMode.Append"/> (the
    /// created table's key would fail the commit of the first repeated key on every retry). A record with NULL in a key
    /// column fails the write, naming the table, the column and the record.
    /// </summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// What a sink of <see cref="Row"/>s does when rows arrive with a schema other than its table's (a registry source
    /// following a subject emits wider rows from some record on). Default <see cref="SchemaEvolutionMode.AddColumns"/>:
    /// new nullable columns are added to the table (with <c>ALTER TABLE … ADD COLUMN</c> inside the commit transaction of the checkpoint whose rows first have them), rows lacking a nullable column get null, INT and FLOAT values
    /// are widened into BIGINT and DOUBLE columns; see <see cref="SchemaEvolutionPlan"/> for the rules.
    /// <see cref="SchemaEvolutionMode.None"/> refuses any other schema (the write fails). Record sinks have one fixed
    /// schema and ignore it.
    /// </summary>
    public SchemaEvolutionMode SchemaEvolution { get; init; } = SchemaEvolutionMode.AddColumns;

    /// <summary>
    /// With <see cref="SchemaEvolutionMode.AddColumns"/>, what happens to a row whose schema is incompatible (a changed
    /// type, a dropped NOT NULL column, a new NOT NULL column): <see cref="IncompatibleSchemaAction.Fail"/> (default)
    /// fails the job with an error naming the table, the field, the change and the schema's origin (registry subject
    /// and version), writing nothing of the row; <see cref="IncompatibleSchemaAction.DeadLetter"/> writes it, with that
    /// reason, to the table <c>&lt;table&gt;.dlq</c> (columns <c>source, position, reason, payload, field_path</c>) in the same commit transaction as the checkpoint's rows, exactly once with its checkpoint.
    /// </summary>
    public IncompatibleSchemaAction OnIncompatibleSchema { get; init; } = IncompatibleSchemaAction.Fail;
}
