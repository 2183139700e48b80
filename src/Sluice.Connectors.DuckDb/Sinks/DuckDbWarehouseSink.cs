using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DuckDB.NET.Data;
using Sluice.IO;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// Writes records as rows of a table in a DuckDB database file, exactly once: a parallel, two-phase sink.
/// Each writer buffers its rows in a private in-memory DuckDB table; at checkpoint <c>n</c> it writes them to a
/// Parquet file <c>&lt;db&gt;.sluice-staging/&lt;table&gt;/batch-&lt;subtask&gt;-&lt;seq&gt;-&lt;writer&gt;.staged</c>
/// (fsynced) and returns it as the committable. Once checkpoint <c>n</c> is complete, <see cref="Commit"/> runs one
/// DuckDB transaction that checks <c>_sluice_commits</c> for the batch, loads the file
/// (<c>INSERT … SELECT … FROM read_parquet(…)</c>; for <see cref="WarehouseWriteMode.Upsert"/>, the last row of each
/// key in the batch decides: a delete row runs <c>DELETE … USING</c> by key, any other <c>INSERT OR REPLACE</c>), records the batch in <c>_sluice_commits</c> and commits; then deletes the
/// staged file. A replayed commit finds its row in <c>_sluice_commits</c> and does nothing, so every record is in the
/// table exactly once across crashes and restores.
/// </summary>
/// <typeparam name="T">Record type; its public properties are the columns (see <see cref="DuckDbStreamExtensions.ToDuckDb{T}"/>).</typeparam>
/// <remarks>
/// <para>
/// <c>_sluice_commits(sink_table, subtask, sequence, writer, checkpoint_id, row_count, committed_at)</c>, keyed by
/// (sink_table, writer, sequence): <c>writer</c> is a random id per writer instance, so two jobs — or a job run again
/// without checkpoints — never mistake each other's batches for replays. Sequences follow
/// <see cref="JsonLinesDirectorySink{T}"/>: <c>seq = (the writer's previous checkpoint id, or the restored id) + 1</c>,
/// so <see cref="AbortPending"/> can delete the staged batches of never-completed checkpoints (<c>seq &gt; restored</c>).
/// </para>
/// <para>
/// The table is created from the schema when the job starts (<see cref="AbortPending"/>), with
/// <c>PRIMARY KEY</c> when <see cref="DuckDbSinkOptions.PrimaryKey"/> is set; properties without a column are added
/// with <c>ALTER TABLE ADD COLUMN</c> (existing rows get NULL). Columns the type lacks are left NULL. Column types of
/// an existing table are not changed.
/// </para>
/// <para>
/// Commits (and <see cref="AbortPending"/>) of all sinks of this process on one database file are serialized (one DuckDB
/// writer at a time avoids write-write conflicts, e.g. on upserts or <c>_sluice_commits</c>) and share one open
/// connection to the file, kept open until <see cref="DuckDbWarehouse.Release"/>: in-process readers share it, other processes
/// cannot open the file meanwhile. Requirement: one job per (database, table); the sink
/// object keeps the restored checkpoint id between <see cref="AbortPending"/> and the writers' creation, so it must
/// not be shared by two jobs. Thread-safe otherwise.
/// </para>
/// </remarks>
public sealed class DuckDbWarehouseSink<T> : ITwoPhaseSink<T>
{
    /// <summary>The schema of the rows written: the record's mapped fields, or the explicit schema of a row sink.</summary>
    public Schema Schema => _schema.Schema;

    /// <summary>The bookkeeping table recording every committed batch.</summary>
    public const string CommitsTable = "_sluice_commits";

    private const string SinkKind = "DuckDB warehouse";
    private readonly TableSchema<T> _schema;
    private readonly SharedDatabase _database;
    private readonly int[] _keyIndexes; // the primary key's fields in the schema
    private long _restoredCheckpointId;
    private bool _tableReady;

    /// <summary>Creates the sink; nothing is opened until the job starts.</summary>
    /// <param name="databasePath">The DuckDB database file (created if missing); not <c>:memory:</c>.</param>
    /// <param name="table">The table name (unqualified, any characters; quoted in SQL).</param>
    /// <param name="options">Mode and primary key; null = append.</param>
    /// <exception cref="ArgumentException">An argument is empty or invalid, <typeparamref name="T"/> has no public
    /// properties, or the primary key is missing (upsert), given with <see cref="WarehouseWriteMode.Append"/>, or names
    /// an unknown column.</exception>
    /// <exception cref="NotSupportedException">A property's type has no SQL type (see <see cref="RowConverter{T}"/>).</exception>
    public DuckDbWarehouseSink(string databasePath, string table, DuckDbSinkOptions? options = null)
        : this(databasePath, table, options, TableSchema.For<T>)
    {
    }

    internal DuckDbWarehouseSink(string databasePath, string table, DuckDbSinkOptions? options, Func<TableSchema<T>> schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        if (databasePath.StartsWith(DuckDbConnections.InMemory, StringComparison.Ordinal))
        {
            throw new ArgumentException("The DuckDB sink needs a database file: an in-memory database is private to one connection owner and vanishes with it. Pass a path such as 'warehouse.duckdb'.", nameof(databasePath));
        }
        if (table.IndexOfAny(['/', '\\']) >= 0 || table.StartsWith('.'))
        {
            throw new ArgumentException($"The table name '{table}' may not contain path separators or start with '.' (it also names the staging directory).", nameof(table));
        }
        if (table.StartsWith("_sluice", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Table names starting with '_sluice' are reserved for the sink's bookkeeping; rename '{table}'.", nameof(table));
        }
        Options = options ?? new DuckDbSinkOptions();
        _schema = schema();
        foreach (var key in Options.PrimaryKey)
        {
            if (!_schema.HasColumn(key))
            {
                throw new ArgumentException($"Primary key column '{key}' is not a column of {typeof(T).Name} (columns: {string.Join(", ", _schema.Columns.Select(c => c.Name))}); use snake_case names.", nameof(options));
            }
        }
        if (Options.Mode == WarehouseWriteMode.Upsert && Options.PrimaryKey.Count == 0)
        {
            throw new ArgumentException($"Upsert into '{table}' needs DuckDbSinkOptions.PrimaryKey (e.g. [\"{_schema.Columns[0].Name}\"]).", nameof(options));
        }
        if (Options.Mode == WarehouseWriteMode.Append && Options.PrimaryKey.Count > 0)
        {
            throw new ArgumentException($"The DuckDB sink of table '{table}' cannot append with a primary key ({string.Join(", ", Options.PrimaryKey)}): the first repeated key would fail its checkpoint's commit on every retry. Use WarehouseWriteMode.Upsert, or no primary key.", nameof(options));
        }
        _keyIndexes = new int[Options.PrimaryKey.Count];
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            _keyIndexes[i] = _schema.Schema.IndexOf(Options.PrimaryKey[i]);
        }
        DatabasePath = Path.GetFullPath(databasePath);
        Table = table;
        StagingDirectory = Path.Combine(DatabasePath + ".sluice-staging", table);
        _database = DuckDbWarehouse.For(DatabasePath);
    }

    /// <summary>The database file (absolute).</summary>
    public string DatabasePath { get; }

    /// <summary>The target table.</summary>
    public string Table { get; }

    /// <summary>The options in effect.</summary>
    public DuckDbSinkOptions Options { get; }

    /// <summary>Where writers stage batches: <c>&lt;db&gt;.sluice-staging/&lt;table&gt;</c>.</summary>
    public string StagingDirectory { get; }

    /// <summary>Unlimited (0): each subtask stages its own batches.</summary>
    public int MaxParallelism => 0;

    /// <summary>Creates the writer of one subtask; called on the subtask's thread after <see cref="AbortPending"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Directory.CreateDirectory(StagingDirectory);
        return new Writer(this, context.SubtaskIndex, Volatile.Read(ref _restoredCheckpointId));
    }

    /// <summary>
    /// Loads a committable's staged batch into the table in one transaction that also records it in
    /// <c>_sluice_commits</c>, then deletes the staged file. Idempotent: a batch already recorded is skipped. An empty
    /// committable does nothing. Serialized with the other commits into the same database file.
    /// </summary>
    /// <exception cref="InvalidDataException">The committable is not one of this sink's.</exception>
    /// <exception cref="IOException">The batch is not recorded and its staged file is gone: the staged output was lost
    /// (for instance deleted by hand); committing would silently drop records, so the checkpoint fails instead.</exception>
    /// <exception cref="DuckDBException">DuckDB failed (e.g. a duplicate primary key in append mode); the transaction
    /// is rolled back and the staged file kept.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        var batch = StagedBatch.Decode(committable, SinkKind);
        if (batch.Files.Count != 1)
        {
            throw new InvalidDataException($"A {SinkKind} committable must name exactly one staged batch, not {batch.Files.Count}.");
        }
        lock (_database.Lock)
        {
            var connection = _database.Connection;
            EnsureTable(connection);
            CommitBatch(connection, checkpointId, subtaskIndex, batch);
        }
    }

    private void CommitBatch(DuckDBConnection connection, long checkpointId, int subtaskIndex, StagedBatch batch)
    {
        var file = batch.Files[0];
        var stagedPath = Path.Combine(StagingDirectory, file.Staged);
        using (var transaction = connection.BeginTransaction())
        {
            if (IsCommitted(connection, batch))
            {
                transaction.Rollback();
            }
            else
            {
                if (!File.Exists(stagedPath))
                {
                    throw new IOException($"Cannot commit checkpoint #{checkpointId} of subtask {subtaskIndex} into table '{Table}' of '{DatabasePath}': the batch is not in {CommitsTable} and its staged file '{stagedPath}' does not exist.");
                }
                foreach (var statement in LoadSql(connection, stagedPath))
                {
                    connection.Execute(statement);
                }
                using var record = connection.Command($"INSERT INTO {CommitsTable} VALUES ($1, $2, $3, $4, $5, $6, now())",
                    Table, batch.Subtask, batch.Sequence, batch.Writer, checkpointId, file.Rows);
                record.ExecuteNonQuery();
                transaction.Commit();
            }
        }
        // Only after the DuckDB commit: a crash before this line leaves a committed batch that AbortPending deletes.
        File.Delete(stagedPath);
    }

    /// <summary>
    /// Called before writers start: creates the table (or adds missing columns) and <c>_sluice_commits</c>, deletes
    /// every in-progress batch and every staged batch of a sequence above <paramref name="restoredCheckpointId"/> (work
    /// of checkpoints that never completed), and staged batches already recorded as committed (left by a crash between
    /// the DuckDB commit and the file deletion), for all subtasks of any earlier parallelism; remembers the id for the
    /// writers about to be created. Idempotent.
    /// </summary>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        lock (_database.Lock)
        {
            var directory = Path.GetDirectoryName(DatabasePath);
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            var connection = _database.Connection;
            _tableReady = false;
            EnsureTable(connection);
            foreach (var path in StagingArea.DeleteAbandoned(StagingDirectory, restoredCheckpointId))
            {
                // batch-<subtask>-<seq>-<writer>.staged
                var parts = Path.GetFileNameWithoutExtension(path).Split('-');
                if (parts.Length == 4 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                    && IsCommitted(connection, new StagedBatch(parts[3], 0, sequence, [])))
                {
                    File.Delete(path);
                }
            }
            if (Directory.Exists(StagingDirectory))
            {
                AtomicFile.SyncDirectory(StagingDirectory);
            }
        }
    }

    private bool IsCommitted(DuckDBConnection connection, StagedBatch batch)
    {
        using var query = connection.Command($"SELECT count(*) FROM {CommitsTable} WHERE sink_table = $1 AND writer = $2 AND sequence = $3",
            Table, batch.Writer, batch.Sequence);
        return Convert.ToInt64(query.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private string[] LoadSql(DuckDBConnection connection, string stagedPath)
    {
        var columns = _schema.ColumnList;
        var source = $"read_parquet({TableSchema.Literal(stagedPath)})";
        var table = TableSchema.Quote(Table);
        if (Options.Mode == WarehouseWriteMode.Append)
        {
            return [$"INSERT INTO {table} ({columns}) SELECT {columns} FROM {source} ORDER BY {StagingTable<T>.RowColumn}"];
        }
        // One statement may not touch a key twice: the last row of each key in the batch decides (write order).
        var key = string.Join(", ", Options.PrimaryKey.Select(TableSchema.Quote));
        var last = $"(SELECT * FROM {source} QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {StagingTable<T>.RowColumn} DESC) = 1)";
        if (!HasKindColumn(connection, stagedPath))
        {
            // Staged before row kinds were staged: every row is an upsert.
            return [$"INSERT OR REPLACE INTO {table} ({columns}) SELECT {columns} FROM {last}"];
        }
        // A key is either deleted or upserted by one batch, never both, so the two statements touch disjoint keys.
        var kind = StagingTable<T>.KindColumn;
        var match = string.Join(" AND ", Options.PrimaryKey.Select(k => $"{table}.{TableSchema.Quote(k)} = deleted.{TableSchema.Quote(k)}"));
        return
        [
            $"DELETE FROM {table} USING (SELECT {key} FROM {last} WHERE {kind} = {(int)RowKind.Delete}) AS deleted WHERE {match}",
            $"INSERT OR REPLACE INTO {table} ({columns}) SELECT {columns} FROM {last} WHERE {kind} <> {(int)RowKind.Delete}",
        ];
    }

    private static bool HasKindColumn(DuckDBConnection connection, string stagedPath)
    {
        using var query = connection.Command($"SELECT count(*) FROM parquet_schema({TableSchema.Literal(stagedPath)}) WHERE name = $1", StagingTable<T>.KindColumn);
        return Convert.ToInt64(query.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private void EnsureTable(DuckDBConnection connection)
    {
        if (_tableReady)
        {
            return;
        }
        connection.Execute($"CREATE TABLE IF NOT EXISTS {CommitsTable} (sink_table VARCHAR NOT NULL, subtask INTEGER NOT NULL, "
            + "sequence BIGINT NOT NULL, writer VARCHAR NOT NULL, checkpoint_id BIGINT NOT NULL, row_count BIGINT NOT NULL, "
            + "committed_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (sink_table, writer, sequence))");
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var columnsQuery = connection.Command("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", Table))
        using (var reader = columnsQuery.ExecuteReader())
        {
            while (reader.Read())
            {
                existing.Add(reader.GetString(0));
            }
        }
        var quotedTable = TableSchema.Quote(Table);
        if (existing.Count == 0)
        {
            var key = Options.PrimaryKey.Count > 0 ? $", PRIMARY KEY ({string.Join(", ", Options.PrimaryKey.Select(TableSchema.Quote))})" : "";
            connection.Execute($"CREATE TABLE IF NOT EXISTS {quotedTable} ({_schema.ColumnDefinitions}{key})");
        }
        else
        {
            foreach (var column in _schema.Columns)
            {
                if (!existing.Contains(column.Name))
                {
                    connection.Execute($"ALTER TABLE {quotedTable} ADD COLUMN {TableSchema.Quote(column.Name)} {column.SqlType}");
                }
            }
        }
        _tableReady = true;
    }

    /// <summary>The error for a retraction written to an append-mode sink: one sentence naming the table and the row.</summary>
    [DoesNotReturn]
    private void ThrowRetraction(Row row) =>
        throw new NotSupportedException(
            $"The DuckDB sink of table '{Table}' in '{DatabasePath}' received the retraction {row} in append mode, which cannot apply it; give the table a primary key and write in upsert mode (deletes are applied by key), or keep the stream append-only.");

    private sealed class Writer(DuckDbWarehouseSink<T> sink, int subtask, long restoredCheckpointId) : ITwoPhaseSinkWriter<T>
    {
        private readonly string _writerId = StagingArea.NewWriterId();
        private readonly bool _upsert = sink.Options.Mode == WarehouseWriteMode.Upsert;
        private readonly StagingTable<T> _staging = new(sink._schema, sink.Table, sink._keyIndexes, stagesRowKind: sink.Options.Mode == WarehouseWriteMode.Upsert);
        private long _previousCheckpoint = restoredCheckpointId;

        private long Sequence => _previousCheckpoint + 1;

        public void Write(T value, long timestamp)
        {
            if (value is Row { Kind: RowKind.UpdateBefore or RowKind.Delete } retraction)
            {
                if (!_upsert)
                {
                    sink.ThrowRetraction(retraction);
                }
                if (retraction.Kind == RowKind.UpdateBefore)
                {
                    return; // upsert semantics, as Flink's JDBC sink: the +U that follows replaces the row
                }
            }
            _staging.BeginRow(value).EndRow();
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            if (_staging.Rows == 0)
            {
                _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
                return [];
            }
            var name = string.Create(CultureInfo.InvariantCulture, $"batch-{subtask}-{Sequence}-{_writerId}");
            var inProgress = Path.Combine(sink.StagingDirectory, name + StagingArea.InProgressSuffix);
            var staged = name + StagingArea.StagedSuffix;
            var rows = _staging.Rows;
            _staging.Seal();
            _staging.Connection.Execute($"COPY {StagingTable<T>.Name} TO {TableSchema.Literal(inProgress)} (FORMAT parquet, COMPRESSION zstd)");
            StagingArea.Seal(inProgress, Path.Combine(sink.StagingDirectory, staged));
            AtomicFile.SyncDirectory(sink.StagingDirectory);
            _staging.Reset();
            var batch = new StagedBatch(_writerId, subtask, Sequence, [new StagedFile(staged, "", rows)]);
            _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
            return batch.Encode();
        }

        public void Flush() => _staging.Seal();

        // Rows not yet staged belong to a checkpoint that will never complete; they are re-read after restore.
        public void Dispose() => _staging.Dispose();
    }
}

/// <summary>Creates <see cref="DuckDbWarehouseSink{T}"/>s of <see cref="Row"/>s, whose columns come from an explicit schema.</summary>
public static class DuckDbWarehouseSink
{
    /// <summary>
    /// A warehouse sink of rows of <paramref name="schema"/>: one column per field, named exactly as the field, typed as
    /// the DuckDB counterpart of its SQL type (BOOLEAN, INTEGER, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), VARCHAR, BLOB,
    /// DATE, TIME, TIMESTAMP, TIMESTAMPTZ; ROW, ARRAY and MAP as VARCHAR text). Rows of another schema fail the write.
    /// With <see cref="WarehouseWriteMode.Upsert"/> the rows are a changelog applied by primary key, as Flink's JDBC
    /// sink applies one (<see cref="ChangelogMode.Upsert"/>): <c>+I</c> and <c>+U</c> insert or replace the key's row,
    /// <c>-D</c> deletes it (its non-key fields are not read), <c>-U</c> is ignored. With
    /// <see cref="WarehouseWriteMode.Append"/> a <c>-D</c> or <c>-U</c> row fails the job with a
    /// <see cref="NotSupportedException"/> naming the table and the row, and nothing of its checkpoint is committed.
    /// Otherwise it behaves as <see cref="DuckDbWarehouseSink{T}"/>.
    /// </summary>
    /// <param name="databasePath">The DuckDB database file (created if missing); not <c>:memory:</c>.</param>
    /// <param name="table">The table name.</param>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="options">Mode and primary key (field names); null = append.</param>
    /// <exception cref="ArgumentException">As for <see cref="DuckDbWarehouseSink{T}"/>.</exception>
    public static DuckDbWarehouseSink<Row> ForRows(string databasePath, string table, Schema schema, DuckDbSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new DuckDbWarehouseSink<Row>(databasePath, table, options, () => TableSchema.ForRows(schema));
    }
}
