using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>
/// Reads one PostgreSQL table's changes over logical replication (pgoutput) as a changelog of <see cref="Row"/>s:
/// first the table's rows as of the slot's creation (<c>+I</c>, an exported snapshot read in REPEATABLE READ, chunked
/// by primary key), then every committed change after it — <c>+I</c>, <c>-U</c>/<c>+U</c>, <c>-D</c> (or <c>+U</c> and
/// key-only <c>-D</c> with <see cref="ChangelogMode.Upsert"/>), each transaction emitted whole once it commits.
/// Unbounded; parallelism 1 (one slot).
/// </summary>
/// <remarks>
/// <para><b>Exactly once.</b> Checkpoints store the slot position (the end LSN of the last emitted transaction); a
/// restore streams from it, and the slot's confirmed flush LSN advances only when a checkpoint completes, so the WAL
/// a restore needs is kept. A checkpoint taken during the initial snapshot cannot be resumed: restoring it fails the
/// job, naming how to start over.</para>
/// <para><b>Failure.</b> Setup errors (credentials, REPLICATION, <c>wal_level</c>, the table, the publication) and a
/// dropped slot fail the job with a <see cref="PostgresCdcException"/> naming the fix; the source never takes a new
/// snapshot on its own. A TRUNCATE of the table fails the job too (its rows cannot be retracted).</para>
/// <para>Thread-safe: one instance serves every run of a job (restarts reuse it).</para>
/// </remarks>
public sealed class PostgresCdcSource : ISource<Row>, Lineage.ILineageDataset
{
    /// <summary>Creates the source; nothing is opened until a reader starts.</summary>
    /// <param name="options">The table, slot and publication.</param>
    /// <param name="schema">The columns to read (a subset of the table's, by name), including the primary key.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range, or a field has a type the source cannot read.</exception>
    public PostgresCdcSource(PostgresCdcOptions options, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Table, nameof(options));
        if (string.IsNullOrEmpty(options.SlotName) || !options.SlotName.All(static c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException($"Slot name '{options.SlotName}' is not valid: PostgreSQL slot names hold lower-case letters, digits and underscores only.", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SnapshotChunkSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HeartbeatInterval, TimeSpan.Zero, nameof(options));
        if (!Enum.IsDefined(options.Envelope))
        {
            throw new ArgumentException($"Envelope {options.Envelope} is not one of Changelog, Debezium.", nameof(options));
        }
        if (options.Changelog is not (ChangelogMode.All or ChangelogMode.Upsert))
        {
            throw new ArgumentException($"The CDC source emits a retracting ('All') or an upsert changelog, not {options.Changelog}.", nameof(options));
        }
        foreach (var field in schema)
        {
            if (PostgresCdcValues.ReadableTypes(field.Type).Count == 0)
            {
                throw new ArgumentException($"Field '{field.Name}' has type {field.Type}; the PostgreSQL CDC source reads scalar types only (no ROW, ARRAY or MAP yet).", nameof(schema));
            }
        }
        Options = options;
        Schema = schema;
    }

    /// <summary>Where and how it reads.</summary>
    public PostgresCdcOptions Options { get; }

    /// <summary>The table's columns read (the rows' schema with <see cref="PostgresCdcEnvelope.Changelog"/>).</summary>
    public Schema Schema { get; }

    /// <summary>The captured table as <c>postgres://{host}:{port}</c> / <c>{database}.{schema}.{table}</c>, with the columns read (never the user or password).</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [PostgresConnections.Dataset(Options.ConnectionString, Options.Table, Schema)];

    /// <summary>The schema of the emitted rows: <see cref="Schema"/>, or with <see cref="PostgresCdcEnvelope.Debezium"/> its <see cref="DebeziumSchema"/>.</summary>
    public Schema OutputSchema => Options.Envelope == PostgresCdcEnvelope.Debezium ? DebeziumSchema(Schema) : Schema;

    /// <summary>
    /// The schema of Debezium envelope rows for a table of <paramref name="table"/>'s columns: <c>before</c> and
    /// <c>after</c> (ROWs of the columns as Debezium encodes them: DATE as days, TIME as microseconds, TIMESTAMP as epoch
    /// milliseconds (precision 0 to 3) or microseconds, TIMESTAMP_LTZ as ISO-8601 text, DECIMAL as text), <c>source</c>,
    /// <c>op</c> and <c>ts_ms</c>; see <see cref="PostgresCdcEnvelope.Debezium"/>.
    /// </summary>
    public static Schema DebeziumSchema(Schema table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return PostgresCdcDebezium.EnvelopeSchema(table);
    }

    /// <inheritdoc />
    public bool IsBounded => false;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <summary>Whether a reader of this instance created the slot (a failure before the first checkpoint may then recreate it).</summary>
    internal bool CreatedSlot { get; set; }

    /// <inheritdoc />
    public ISourceReader<Row> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PostgresCdcReader(this, context);
    }
}
