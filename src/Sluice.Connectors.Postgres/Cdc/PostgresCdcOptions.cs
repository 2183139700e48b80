using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>How the CDC source starts when the job has no checkpoint to restore.</summary>
public enum PostgresCdcStartupMode
{
    /// <summary>
    /// Create the replication slot with an exported snapshot, emit the table's rows as of the slot's consistent point
    /// (<c>+I</c>), then stream the changes after it. The slot must not exist yet: an existing slot without a
    /// checkpoint fails the job (its position does not match any snapshot).
    /// </summary>
    Initial,

    /// <summary>No snapshot: stream the changes from the slot's confirmed position (the slot is created if missing, starting now).</summary>
    LatestOffset,
}

/// <summary>What each row the CDC source emits is.</summary>
public enum PostgresCdcEnvelope
{
    /// <summary>The table's row, its change in <see cref="Row.Kind"/> (<c>+I</c>, <c>-U</c>/<c>+U</c>, <c>-D</c>): a changelog SQL can update from.</summary>
    Changelog,

    /// <summary>
    /// Debezium's change event envelope, one append-only (<c>+I</c>) row per change of
    /// <see cref="PostgresCdcSource.DebeziumSchema"/>: <c>before</c>, <c>after</c>, <c>source</c> (version, connector,
    /// name, ts_ms, snapshot, db, schema, table, txId, lsn), <c>op</c> (<c>r</c>, <c>c</c>, <c>u</c>, <c>d</c>) and
    /// <c>ts_ms</c>. Written with the <c>json</c> format it is the JSON Debezium's PostgreSQL connector produces, so its
    /// consumers read it unchanged.
    /// </summary>
    Debezium,
}

/// <summary>Where and how the PostgreSQL CDC source reads one table. Immutable.</summary>
public sealed record PostgresCdcOptions
{
    /// <summary>
    /// An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>). Required. The role needs
    /// <c>REPLICATION</c> and <c>SELECT</c> on the table (and ownership of the table to create the publication). Never
    /// logged or shown in errors: it may hold a password.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>The captured table: <c>schema.name</c>, or <c>name</c> in schema <c>public</c>. Required; it needs a primary key.</summary>
    public required string Table { get; init; }

    /// <summary>
    /// The logical replication slot (pgoutput). Required; unique per job. The slot outlives the job and keeps WAL from
    /// its confirmed position on: drop it with <c>SELECT pg_drop_replication_slot('name')</c> when the job is retired.
    /// </summary>
    public required string SlotName { get; init; }

    /// <summary>The publication the slot streams; default <c>sluice_</c> + <see cref="SlotName"/>.</summary>
    public string? PublicationName { get; init; }

    /// <summary>
    /// Whether a missing publication is created (<c>CREATE PUBLICATION … FOR TABLE …</c>; needs ownership of the table).
    /// Default true; when false a missing publication fails the job naming the statement to run.
    /// </summary>
    public bool CreatePublication { get; init; } = true;

    /// <summary>What a start without a checkpoint does; default <see cref="PostgresCdcStartupMode.Initial"/>.</summary>
    public PostgresCdcStartupMode StartupMode { get; init; } = PostgresCdcStartupMode.Initial;

    /// <summary>
    /// <see cref="ChangelogMode.All"/> (default): updates emit <c>-U</c> (the old row) and <c>+U</c>, deletes <c>-D</c>
    /// with the whole old row; the table needs <c>REPLICA IDENTITY FULL</c>. <see cref="ChangelogMode.Upsert"/>: updates
    /// emit <c>+U</c> only and deletes <c>-D</c> with the key columns set (others null); the default replica identity
    /// (the primary key) suffices.
    /// </summary>
    public ChangelogMode Changelog { get; init; } = ChangelogMode.All;

    /// <summary>Rows per snapshot query (keyset pagination on the primary key); default 8192.</summary>
    public int SnapshotChunkSize { get; init; } = 8192;

    /// <summary>
    /// How often a heartbeat (<c>pg_logical_emit_message</c>) is written, so that the slot's position advances on a
    /// database whose captured table is quiet; default 30 s (Flink CDC's <c>heartbeat.interval.ms</c>). Zero disables it.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What each emitted row is: the table's row with its change kind (default), or Debezium's envelope.</summary>
    public PostgresCdcEnvelope Envelope { get; init; } = PostgresCdcEnvelope.Changelog;

    /// <summary>
    /// With <see cref="PostgresCdcEnvelope.Debezium"/>, the logical server name in <c>source.name</c> (Debezium's
    /// <c>topic.prefix</c>); default the database's name.
    /// </summary>
    public string? ServerName { get; init; }

    /// <summary>The publication's name: <see cref="PublicationName"/>, or <c>sluice_</c> + <see cref="SlotName"/>.</summary>
    internal string Publication => PublicationName ?? "sluice_" + SlotName;

    // The record's ToString shows the connection string without its password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("ConnectionString = ").Append(PostgresConnections.Describe(ConnectionString))
            .Append(", Table = ").Append(Table)
            .Append(", SlotName = ").Append(SlotName)
            .Append(", PublicationName = ").Append(Publication)
            .Append(", CreatePublication = ").Append(CreatePublication)
            .Append(", StartupMode = ").Append(StartupMode)
            .Append(", Changelog = ").Append(Changelog)
            .Append(", SnapshotChunkSize = ").Append(SnapshotChunkSize)
            .Append(", HeartbeatInterval = ").Append(HeartbeatInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Envelope = ").Append(Envelope)
            .Append(", ServerName = ").Append(ServerName);
        return true;
    }
}
