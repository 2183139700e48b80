using System.Text;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres;

/// <summary>Where and how the PostgreSQL sink writes. Immutable.</summary>
public sealed record PostgresSinkOptions
{
    /// <summary>
    /// An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>). Required. It is never
    /// logged or shown in errors: it may hold a password.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>The target table: <c>name</c> (in the connection's search path, usually <c>public</c>) or <c>schema.name</c>. Required.</summary>
    public required string Table { get; init; }

    /// <summary>Append (default) or upsert by <see cref="PrimaryKey"/>.</summary>
    public PostgresWriteMode Mode { get; init; } = PostgresWriteMode.Append;

    /// <summary>The key columns for <see cref="PostgresWriteMode.Upsert"/> (required then; must be empty for append).</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// What the sink does when rows arrive with a schema other than its own (a registry source following a subject
    /// emits wider rows from some record on). Default <see cref="SchemaEvolutionMode.AddColumns"/>: the rules of
    /// <see cref="SchemaEvolutionPlan"/>, as the DuckDB sink applies them — a new nullable column is added to the table
    /// with <c>ALTER TABLE … ADD COLUMN</c> inside the commit transaction of the checkpoint whose rows first have it,
    /// rows lacking a nullable column get null, INT and FLOAT values are widened into BIGINT and DOUBLE columns.
    /// <see cref="SchemaEvolutionMode.None"/> refuses a row of any other schema (the write fails, naming both schemas).
    /// </summary>
    public SchemaEvolutionMode SchemaEvolution { get; init; } = SchemaEvolutionMode.AddColumns;

    /// <summary>
    /// With <see cref="SchemaEvolutionMode.AddColumns"/>, what happens to a row whose schema is incompatible (a changed
    /// type, a dropped NOT NULL column, a new NOT NULL column): <see cref="IncompatibleSchemaAction.Fail"/> (default)
    /// fails the job with an error naming the table, the field, the change and the schema's origin (registry subject,
    /// version and id), writing nothing of the row; <see cref="IncompatibleSchemaAction.DeadLetter"/> writes it, with
    /// that reason, to the table <c>&lt;table&gt;.dlq</c> (columns <c>source, position, reason, payload, field_path</c>)
    /// in the commit transaction of its checkpoint, exactly once.
    /// </summary>
    public IncompatibleSchemaAction OnIncompatibleSchema { get; init; } = IncompatibleSchemaAction.Fail;

    /// <summary>
    /// With <see cref="PostgresWriteMode.Upsert"/>: <see cref="PostgresUpsertMode.Staging"/> (default) or, opted into,
    /// <see cref="PostgresUpsertMode.Prepared"/> — every row written once, but the input must be keyed by the primary
    /// key (all records of one key reach one subtask). SQL: <c>'sink.upsert-mode' = 'prepared'</c>.
    /// </summary>
    public PostgresUpsertMode UpsertMode { get; init; } = PostgresUpsertMode.Staging;

    /// <summary>
    /// With <see cref="PostgresUpsertMode.Prepared"/>: how long the apply of a batch waits for a row lock held by
    /// another transaction (<c>SET LOCAL lock_timeout</c>) before the barrier fails with an error naming the keying
    /// contract. Default 30 s: a batch of the next checkpoint also waits here for the previous checkpoint's commit of its keys, so keep it well above the usual commit delay and below the checkpoint timeout. Must be positive.
    /// </summary>
    public TimeSpan UpsertLockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    // The record's ToString shows the connection string without its password.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ConnectionString = ").Append(PostgresConnections.Describe(ConnectionString))
            .Append(", Table = ").Append(Table)
            .Append(", Mode = ").Append(Mode)
            .Append(", PrimaryKey = ").Append(string.Join(",", PrimaryKey))
            .Append(", SchemaEvolution = ").Append(SchemaEvolution)
            .Append(", OnIncompatibleSchema = ").Append(OnIncompatibleSchema)
            .Append(", UpsertMode = ").Append(UpsertMode)
            .Append(", UpsertLockTimeout = ").Append(UpsertLockTimeout);
        return true;
    }
}
