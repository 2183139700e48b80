using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Postgres.Sinks;

/// <summary>
/// Writes rows into a PostgreSQL table exactly once: a parallel, two-phase sink.
/// <para>
/// <b>Staging.</b> Each writer streams its rows with binary <c>COPY</c> into the staging table
/// <c>_sluice_stage_&lt;table&gt;</c> (same schema as the target), tagged with the writer's random id, a sequence number
/// and the row's order; at the checkpoint barrier it completes the COPY (the rows are then durable in PostgreSQL, not
/// visible in the target) and returns (writer, sequence, row count) as the committable. Sequences follow the other
/// exactly-once sinks: <c>seq = (the writer's previous checkpoint id, or the restored id) + 1</c>.
/// </para>
/// <para>
/// <b>Prepared appends.</b> In append mode with <see cref="SchemaEvolutionMode.None"/>, on a server with <c>max_prepared_transactions</c>
/// above 0, a writer instead copies its rows straight into the target inside a transaction; at the barrier it records
/// the batch in <c>_sluice_commits</c> in that transaction and <c>PREPARE TRANSACTION</c>s it (gid
/// <c>sluice_&lt;hash of database and target&gt;_&lt;writer id&gt;_&lt;subtask&gt;_&lt;sequence&gt;</c>, committable version 3); the
/// commit is <c>COMMIT PREPARED</c>, and <see cref="AbortPending"/> commits the sink's prepared transactions of the
/// restored checkpoint and earlier ones, and rolls back the others. Every row is written once. A prepared transaction
/// keeps its locks and holds back the server's xmin until it is committed or rolled back (see
/// docs/connectors/postgres.md).
/// </para>
/// <para>
/// <b>Prepared upserts.</b> In upsert mode opted into with <see cref="PostgresUpsertMode.Prepared"/>, under the same conditions, a writer copies its rows into an unlogged
/// batch table it creates inside its transaction; at the barrier it applies the batch by key (<see cref="ApplyUpsertBatch"/>: the
/// last row per key decides), drops the batch table, records the batch and prepares the transaction, which then holds
/// the row locks of its keys until <c>COMMIT PREPARED</c>. The input must be keyed by the primary key: two subtasks
/// upserting one key would wait on each other's prepared transactions, so the apply runs under <c>SET LOCAL lock_timeout</c>
/// (<see cref="PostgresSinkOptions.UpsertLockTimeout"/>) and fails the barrier naming that contract.
/// </para>
/// <para>
/// <b>Commit.</b> Once the checkpoint is complete, one transaction checks <c>_sluice_commits</c> for the batch, moves
/// its staged rows into the target (append: <c>INSERT … SELECT</c>; upsert: the last row per key decides,
/// <c>DELETE … USING</c> for a delete, <c>INSERT … ON CONFLICT (key) DO UPDATE</c> otherwise), deletes them from the
/// staging table and records the batch in <c>_sluice_commits(sink_table, writer, sequence, subtask, checkpoint_id,
/// row_count, committed_at)</c>. A replayed commit finds its row and does nothing; a batch whose staged rows are gone
/// fails the checkpoint instead of silently dropping them.
/// </para>
/// <para>
/// <b>Start.</b> <see cref="AbortPending"/> creates the target from the schema (with its primary key in upsert mode) or
/// checks an existing one — every field needs a column of a fitting type, and upsert needs a primary key or unique
/// constraint on exactly the key columns — creates the staging and commits tables, and deletes staged rows of
/// checkpoints after the restored one. Requirement: one job per target table.
/// </para>
/// <para>
/// <b>Schema evolution</b> (<see cref="PostgresSinkOptions.SchemaEvolution"/>, rules of <see cref="SchemaEvolutionPlan"/>).
/// A writer that receives rows with a new nullable column completes its COPY so far and stages from then on into its
/// own staging table <c>_sluice_stage_&lt;table hash&gt;_&lt;writer id&gt;</c> (the shared staging columns plus the new
/// ones): altering the shared staging table would wait for every other writer's open COPY, and a writer blocked there
/// can stall the barriers those writers wait for. The commit transaction then adds the staged columns the target
/// lacks (<c>ALTER TABLE … ADD COLUMN</c>), moves the batch's rows from both staging tables (the shared one's rows get
/// null in the new columns), and records the batch — so a crash before the commit leaves neither the column nor the
/// rows, and the replayed commit adds both. Rows refused as incompatible go, in dead-letter mode, inside the committable
/// (version 2) and into table <c>&lt;table&gt;.dlq</c> in that same transaction. <see cref="AbortPending"/> also clears
/// the writers' own staging tables, and drops those left empty.
/// </para>
/// The connection string is never logged nor put in an error message: it may hold a password.
/// </summary>
/// <typeparam name="T">The record type; each record becomes one <see cref="Row"/> of <see cref="Schema"/>.</typeparam>
public sealed partial class PostgresSink<T> : ITwoPhaseSink<T>, Lineage.ILineageDataset
{
    private const byte CommittableVersion = 1;
    private const byte CommittableWithDeadLettersVersion = 2;
    private const int CommittableLength = 1 + 16 + 8 + 8;
    private const short UpsertOp = 0;
    private const short DeleteOp = 1;

    private readonly Func<T, Row> _toRow;
    private readonly DataTypeKind[] _kinds;
    private readonly string[] _columns; // quoted
    private readonly string[] _keyColumns; // quoted
    private readonly int[] _keyIndexes; // the key's fields in the schema
    private readonly bool _evolves; // SchemaEvolutionMode.AddColumns
    private long _restoredCheckpointId;
    private ILogger _logger = NullLogger.Instance;

    internal PostgresSink(PostgresSinkOptions options, Schema schema, Func<T, Row> toRow)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Table, nameof(options));
        if (options.UpsertLockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"PostgresSinkOptions.UpsertLockTimeout must be positive, not {options.UpsertLockTimeout}.", nameof(options));
        }
        Options = options;
        Schema = schema;
        _toRow = toRow;
        (SchemaName, TableName) = SplitTable(options.Table);
        if (TableName.StartsWith("_sluice", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Table names starting with '_sluice' are reserved for the sink's bookkeeping; rename '{options.Table}'.", nameof(options));
        }
        _kinds = new DataTypeKind[schema.Count];
        _columns = new string[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            _ = PostgresColumns.SqlType(schema[i].Type, schema[i].Name); // refuses nested types now, not at the first row
            _kinds[i] = schema[i].Type.Kind;
            _columns[i] = PostgresColumns.Quote(schema[i].Name);
        }
        foreach (var key in options.PrimaryKey)
        {
            if (schema.IndexOf(key) < 0)
            {
                throw new ArgumentException($"Primary key column '{key}' is not a field of the rows written to '{options.Table}' (fields: {string.Join(", ", schema.Select(f => f.Name))}).", nameof(options));
            }
        }
        if (options.Mode == PostgresWriteMode.Upsert && options.PrimaryKey.Count == 0)
        {
            throw new ArgumentException($"Upsert into '{options.Table}' needs PostgresSinkOptions.PrimaryKey (e.g. [\"{schema[0].Name}\"]).", nameof(options));
        }
        if (options.Mode == PostgresWriteMode.Append && options.PrimaryKey.Count > 0)
        {
            throw new ArgumentException($"The PostgreSQL sink of '{options.Table}' cannot append with a primary key ({string.Join(", ", options.PrimaryKey)}): use PostgresWriteMode.Upsert, or no primary key.", nameof(options));
        }
        _keyColumns = options.PrimaryKey.Select(PostgresColumns.Quote).ToArray();
        _keyIndexes = options.PrimaryKey.Select(schema.IndexOf).ToArray();
        Target = Qualified(TableName);
        Staging = Qualified("_sluice_stage_" + TableName);
        Commits = Qualified(CommitsTable);
        DeadLetterTable = Qualified(DeadLetters.TopicFor(TableName));
        _evolves = options.SchemaEvolution == SchemaEvolutionMode.AddColumns;
        _writerStagingPrefix = WriterStagingPrefix(TableName);
        _legacyUpsertBatchPrefix = UpsertBatchTablePrefix + TableHash(TableName) + "_";
    }

    /// <summary>The bookkeeping table recording every committed batch (in the target's schema).</summary>
    public const string CommitsTable = "_sluice_commits";

    /// <summary>The options in effect.</summary>
    public PostgresSinkOptions Options { get; }

    /// <summary>The rows' schema: one column per field.</summary>
    public Schema Schema { get; }

    /// <summary>The target table as <c>postgres://{host}:{port}</c> / <c>{database}.{schema}.{table}</c>, with the rows' columns (never the user or password).</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [PostgresConnections.Dataset(Options.ConnectionString, Options.Table, Schema)];

    /// <summary>Unlimited (0): each subtask stages its own batches.</summary>
    public int MaxParallelism => 0;

    private string? SchemaName { get; }

    private string TableName { get; }

    private string Target { get; }

    private string Staging { get; }

    private string Commits { get; }

    private string DeadLetterTable { get; }

    /// <summary>Keeps the job's logger.</summary>
    /// <param name="context">The job's identity and logger factory.</param>
    public void Open(CommitterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _logger = context.LoggerFactory.CreateLogger("Sluice.Connectors.Postgres.Sink");
    }

    /// <summary>Creates the writer of one subtask; it connects at its first row.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var evolution = _evolves
            ? new RowSchemaEvolution(Schema, Options.OnIncompatibleSchema, $"The PostgreSQL sink of table '{Options.Table}'", Options.Table, context.OperatorName)
            : null;
        return new Writer(this, Volatile.Read(ref _restoredCheckpointId), evolution, context.LoggerFactory.CreateLogger("Sluice.Connectors.Postgres.Sink"), context.OperatorName, context.SubtaskIndex);
    }

    /// <summary>
    /// Creates or checks the target, creates the staging and commits tables, commits the sink's prepared transactions
    /// of checkpoints up to <paramref name="restoredCheckpointId"/> and rolls back its others, and deletes the staged
    /// rows of checkpoints after <paramref name="restoredCheckpointId"/>. Idempotent.
    /// </summary>
    /// <exception cref="PostgresSinkException">The server refused the login, or the existing table does not fit (a missing column, a type that loses data, no key for upsert).</exception>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        using var connection = Connect();
        EnsureTables(connection);
        _ = WritesThroughPreparedTransactions(connection); // logs the path once
        ResolvePreparedTransactions(connection, restoredCheckpointId);
        if (Options.Mode == PostgresWriteMode.Upsert)
        {
            DropLegacyUpsertBatchTables(connection);
        }
        using var delete = new NpgsqlCommand($"DELETE FROM {Staging} WHERE seq > $1", connection);
        delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = restoredCheckpointId });
        var abandoned = delete.ExecuteNonQuery();
        if (abandoned > 0)
        {
            _logger.LogInformation("Deleted {Rows} staged rows of checkpoints after {Checkpoint} from {Staging}.", abandoned, restoredCheckpointId, Staging);
        }
        AbortWriterStaging(connection, restoredCheckpointId);
    }

    /// <summary>
    /// Moves a committable's staged rows into the target in one transaction that also records the batch in
    /// <c>_sluice_commits</c>, or commits a prepared append (<c>COMMIT PREPARED</c>). Idempotent: a batch already
    /// recorded is skipped. An empty committable does nothing.
    /// </summary>
    /// <exception cref="InvalidDataException">The committable is not one of this sink's.</exception>
    /// <exception cref="IOException">The batch is not recorded and its staged rows are not all there, or its prepared transaction was rolled back: committing would drop records.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        if (committable[0] == CommittablePreparedVersion)
        {
            var prepared = DecodePreparedCommittable(committable);
            CommitPrepared(checkpointId, subtaskIndex, prepared.Writer, prepared.Sequence, prepared.Gid);
            return;
        }
        var (writer, sequence, rows, deadLetters) = DecodeCommittable(committable);
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        using (var recorded = new NpgsqlCommand($"SELECT count(*) FROM {Commits} WHERE sink_table = $1 AND writer = $2 AND sequence = $3", connection, transaction))
        {
            AddBatch(recorded, writer, sequence, withTable: true);
            if ((long)recorded.ExecuteScalar()! > 0)
            {
                return; // a replayed commit
            }
        }
        // The writer's own staging table, when it widened its layout: its columns beyond the shared staging table's are new.
        var writerStaging = _evolves ? WriterStaging(writer) : null;
        var writerColumns = writerStaging is null ? [] : ColumnList(connection, transaction, writerStaging);
        var privatelyStaged = writerColumns.Count == 0 ? 0 : CountStaged(connection, transaction, writerStaging!, writer, sequence);
        if (privatelyStaged == 0)
        {
            // Not widened, or widened only after this batch: its rows (and the table's columns) are the shared table's.
            writerStaging = null;
        }
        var found = CountStaged(connection, transaction, Staging, writer, sequence) + privatelyStaged;
        if (found != rows)
        {
            throw new IOException($"Checkpoint {checkpointId}, subtask {subtaskIndex}: the batch (writer {writer}, sequence {sequence}) staged {rows} rows in {Staging}{(writerStaging is null ? "" : " and " + writerStaging)} but {found} are there, and it is not recorded in {Commits}. The staged rows were lost (deleted by hand?); committing would silently drop records, so the checkpoint fails.");
        }
        if (rows > 0)
        {
            var (columns, from) = writerStaging is null
                ? (_columns, $"{Staging} WHERE writer = $1 AND seq = $2")
                : EvolveTarget(connection, transaction, writerStaging, writerColumns, checkpointId);
            MoveStagedRows(connection, transaction, columns, from, writer, sequence);
            Execute(connection, transaction, $"DELETE FROM {Staging} WHERE writer = $1 AND seq = $2", writer, sequence);
            if (writerStaging is not null)
            {
                Execute(connection, transaction, $"DELETE FROM {writerStaging} WHERE writer = $1 AND seq = $2", writer, sequence);
            }
        }
        if (deadLetters.Count > 0)
        {
            InsertDeadLetters(connection, transaction, deadLetters);
        }
        RecordBatch(connection, transaction, writer, sequence, subtaskIndex, checkpointId, rows);
        transaction.Commit();
    }

    /// <summary>Inserts the batch's row into <c>_sluice_commits</c>, in the caller's transaction.</summary>
    private void RecordBatch(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid writer, long sequence, int subtaskIndex, long checkpointId, long rows)
    {
        using var record = new NpgsqlCommand($"INSERT INTO {Commits} (sink_table, writer, sequence, subtask, checkpoint_id, row_count, committed_at) VALUES ($1, $2, $3, $4, $5, $6, now())", connection, transaction);
        AddBatch(record, writer, sequence, withTable: true);
        record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = subtaskIndex });
        record.Parameters.Add(new NpgsqlParameter<long> { TypedValue = checkpointId });
        record.Parameters.Add(new NpgsqlParameter<long> { TypedValue = rows });
        record.ExecuteNonQuery();
    }

    /// <summary>
    /// Moves the staged rows <paramref name="from"/> (a FROM item filtered by <c>$1</c> writer and <c>$2</c> sequence,
    /// with columns <c>ord</c>, <c>op</c> and <paramref name="columns"/>) into the target: appended, or applied by key
    /// (the last row per key decides).
    /// </summary>
    private void MoveStagedRows(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] columns, string from, Guid writer, long sequence)
    {
        var list = string.Join(", ", columns);
        if (Options.Mode == PostgresWriteMode.Append)
        {
            Execute(connection, transaction, $"INSERT INTO {Target} ({list}) SELECT {list} FROM {from}", writer, sequence);
            return;
        }
        var keys = string.Join(", ", _keyColumns);
        var last = $"(SELECT DISTINCT ON ({keys}) op, {list} FROM {from} ORDER BY {keys}, ord DESC) AS last";
        var match = string.Join(" AND ", _keyColumns.Select(k => $"{Target}.{k} = last.{k}"));
        Execute(connection, transaction, $"DELETE FROM {Target} USING {last} WHERE last.op = {DeleteOp} AND {match}", writer, sequence);
        var updates = columns.Except(_keyColumns).Select(c => $"{c} = EXCLUDED.{c}").ToArray();
        var onConflict = updates.Length == 0 ? "DO NOTHING" : "DO UPDATE SET " + string.Join(", ", updates);
        Execute(connection, transaction, $"INSERT INTO {Target} ({list}) SELECT {list} FROM {last} WHERE last.op = {UpsertOp} ON CONFLICT ({keys}) {onConflict}", writer, sequence);
    }

    private static long CountStaged(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, Guid writer, long sequence)
    {
        using var staged = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE writer = $1 AND seq = $2", connection, transaction);
        AddBatch(staged, writer, sequence);
        return (long)staged.ExecuteScalar()!;
    }

    private NpgsqlConnection Connect() => PostgresConnections.Open(Options.ConnectionString, $"the PostgreSQL sink of table '{Options.Table}'");

    private void EnsureTables(NpgsqlConnection connection)
    {
        var existing = Columns(connection, Target);
        if (existing.Count == 0)
        {
            var definitions = Schema.Select((f, i) => $"{_columns[i]} {PostgresColumns.SqlType(f.Type, f.Name)}{(f.Type.IsNullable && !Options.PrimaryKey.Contains(f.Name) ? "" : " NOT NULL")}").ToList();
            if (_keyColumns.Length > 0)
            {
                definitions.Add($"PRIMARY KEY ({string.Join(", ", _keyColumns)})");
            }
            Execute(connection, null, $"CREATE TABLE IF NOT EXISTS {Target} ({string.Join(", ", definitions)})");
            _logger.LogInformation("Created table {Table} with {Columns} columns.", Target, Schema.Count);
        }
        else
        {
            CheckTable(connection, existing);
        }
        var staged = Schema.Select((f, i) => $"{_columns[i]} {PostgresColumns.SqlType(f.Type, f.Name)}");
        Execute(connection, null, $"CREATE TABLE IF NOT EXISTS {Staging} (writer uuid NOT NULL, seq bigint NOT NULL, ord bigint NOT NULL, op smallint NOT NULL, {string.Join(", ", staged)})");
        Execute(connection, null, $"CREATE TABLE IF NOT EXISTS {Commits} (sink_table text NOT NULL, writer uuid NOT NULL, sequence bigint NOT NULL, subtask integer NOT NULL, checkpoint_id bigint NOT NULL, row_count bigint NOT NULL, committed_at timestamptz NOT NULL, PRIMARY KEY (sink_table, writer, sequence))");
    }

    private void CheckTable(NpgsqlConnection connection, Dictionary<string, string> existing)
    {
        foreach (var field in Schema)
        {
            if (!existing.TryGetValue(field.Name, out var type))
            {
                throw new PostgresSinkException($"Table {Options.Table} has no column '{field.Name}' (columns: {string.Join(", ", existing.Keys)}). Add it (ALTER TABLE {Target} ADD COLUMN {PostgresColumns.Quote(field.Name)} {PostgresColumns.SqlType(field.Type, field.Name)}), or drop the table to let the sink create it.");
            }
            if (!PostgresColumns.AcceptedTypes(field.Type).Contains(type))
            {
                throw new PostgresSinkException($"Column '{field.Name}' of table {Options.Table} is {type}, which cannot hold {field.Type} values without loss; expected {PostgresColumns.SqlType(field.Type, field.Name)}.");
            }
        }
        if (Options.Mode == PostgresWriteMode.Upsert && !HasUniqueKey(connection))
        {
            throw new PostgresSinkException($"Upsert into table {Options.Table} needs a primary key or unique constraint on ({string.Join(", ", Options.PrimaryKey)}), and the table has none. Add one: ALTER TABLE {Target} ADD PRIMARY KEY ({string.Join(", ", _keyColumns)}).");
        }
    }

    private bool HasUniqueKey(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(
            "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) " +
            "WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL GROUP BY i.indexrelid", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Target });
        var wanted = Options.PrimaryKey.Order(StringComparer.Ordinal).ToArray();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetFieldValue<string[]>(0).Order(StringComparer.Ordinal).SequenceEqual(wanted))
            {
                return true;
            }
        }
        return false;
    }

    private static Dictionary<string, string> Columns(NpgsqlConnection connection, string table)
    {
        using var command = new NpgsqlCommand(
            "SELECT a.attname::text, format_type(a.atttypid, NULL) FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns[reader.GetString(0)] = reader.GetString(1);
        }
        return columns;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Guid? writer = null, long sequence = 0)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        if (writer is { } id)
        {
            AddBatch(command, id, sequence);
        }
        command.ExecuteNonQuery();
    }

    private void AddBatch(NpgsqlCommand command, Guid writer, long sequence, bool withTable)
    {
        if (withTable)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Target });
        }
        AddBatch(command, writer, sequence);
    }

    private static void AddBatch(NpgsqlCommand command, Guid writer, long sequence)
    {
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = writer });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence });
    }

    private string Qualified(string name) => SchemaName is null ? PostgresColumns.Quote(name) : PostgresColumns.Quote(SchemaName) + "." + PostgresColumns.Quote(name);

    private static (string? Schema, string Table) SplitTable(string table)
    {
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (null, table) : (table[..dot], table[(dot + 1)..]);
    }
}

/// <summary>Creates PostgreSQL sinks.</summary>
public static class PostgresSink
{
    /// <summary>A sink of rows of <paramref name="schema"/> (columns named as the fields).</summary>
    /// <param name="options">Where and how to write.</param>
    /// <param name="schema">The rows' schema.</param>
    /// <exception cref="ArgumentException">An option is missing or inconsistent (see <see cref="PostgresSinkOptions"/>).</exception>
    /// <exception cref="NotSupportedException">A field has a nested type.</exception>
    public static PostgresSink<Row> ForRows(PostgresSinkOptions options, Schema schema) => new(options, schema, static r => r);

    /// <summary>A sink of <typeparamref name="T"/> records, mapped to table columns as <see cref="TableColumns.For{T}"/> maps them (snake_case, as the DuckDB sink).</summary>
    /// <param name="options">Where and how to write.</param>
    /// <exception cref="ArgumentException">An option is missing or inconsistent, or <typeparamref name="T"/> has no public properties.</exception>
    /// <exception cref="NotSupportedException">A property has a nested type.</exception>
    public static PostgresSink<T> For<T>(PostgresSinkOptions options)
    {
        var converter = TableColumns.For<T>();
        return new(options, converter.Schema, converter.ToRow);
    }
}
