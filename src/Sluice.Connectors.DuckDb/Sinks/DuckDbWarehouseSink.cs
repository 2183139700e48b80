using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// <para>
/// Schema evolution (rows only, <see cref="DuckDbSinkOptions.SchemaEvolution"/>): a writer that receives rows with new
/// nullable columns widens its staging layout, and the commit that loads its batch first runs
/// <c>ALTER TABLE … ADD COLUMN</c> for each staged column the table lacks, in the same transaction as the insert and the
/// <c>_sluice_commits</c> record — a crash before the commit leaves neither the column nor the rows, and the replayed
/// commit adds both. Rows refused as incompatible go, with dead-letter mode, into <c>&lt;table&gt;.dlq</c> in that
/// same transaction.
/// </para>
/// </remarks>
public sealed partial class DuckDbWarehouseSink<T> : ITwoPhaseSink<T>, Lineage.ILineageDataset
{
    /// <summary>The schema of the rows written: the record's mapped fields, or the explicit schema of a row sink.</summary>
    public Schema Schema => _schema.Schema;

    /// <summary>The bookkeeping table recording every committed batch.</summary>
    public const string CommitsTable = "_sluice_commits";

    private const string SinkKind = "DuckDB warehouse";
    private readonly TableSchema<T> _schema;
    private readonly SharedDatabase _database;
    private readonly int[] _keyIndexes; // the primary key's fields in the schema
    private readonly bool _evolves; // rows, with SchemaEvolutionMode.AddColumns
    private long _restoredCheckpointId;
    private bool _tableReady;
    private ILogger _logger = NullLogger.Instance;

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
        _evolves = typeof(T) == typeof(Row) && Options.SchemaEvolution == SchemaEvolutionMode.AddColumns;
    }

    /// <summary>The database file (absolute).</summary>
    public string DatabasePath { get; }

    /// <summary>The target table.</summary>
    public string Table { get; }

    /// <summary>The table as <c>duckdb://{absolute database file}</c> / <c>main.{table}</c>, with its columns in DuckDB's type names.</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() =>
        [Lineage.DatasetNames.DuckDb(DatabasePath, "main", Table).WithSchema(TableSchema.LineageFields(_schema.Columns))];

    /// <summary>The options in effect.</summary>
    public DuckDbSinkOptions Options { get; }

    /// <summary>Where writers stage batches: <c>&lt;db&gt;.sluice-staging/&lt;table&gt;</c>.</summary>
    public string StagingDirectory { get; }

    /// <summary>Unlimited (0): each subtask stages its own batches.</summary>
    public int MaxParallelism => 0;

    /// <summary>The table of rows refused by schema evolution in dead-letter mode: <c>&lt;table&gt;.dlq</c>.</summary>
    public string DeadLetterTable => DeadLetterFile.For(Table);

    /// <summary>Keeps the job's logger for the commits' log lines (columns added).</summary>
    /// <param name="context">The job's identity and logger factory.</param>
    public void Open(CommitterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _logger = context.LoggerFactory.CreateLogger("Sluice.Connectors.DuckDb.Warehouse");
    }

    /// <summary>Creates the writer of one subtask; called on the subtask's thread after <see cref="AbortPending"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Directory.CreateDirectory(StagingDirectory);
        var evolution = _evolves
            ? new RowSchemaEvolution(_schema.Schema, Options.OnIncompatibleSchema, $"The DuckDB sink of table '{Table}' in '{DatabasePath}'", Table, context.OperatorName)
            : null;
        return new Writer(this, context.SubtaskIndex, Volatile.Read(ref _restoredCheckpointId), evolution, context.LoggerFactory.CreateLogger("Sluice.Connectors.DuckDb.Warehouse"), context.OperatorName);
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
        if (batch.Files.Count != 1 && (batch.Files.Count != 0 || batch.DeadLetters is null))
        {
            throw new InvalidDataException($"A {SinkKind} committable must name exactly one staged batch (or none beside dead letters), not {batch.Files.Count}.");
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
        var stagedPaths = new List<string>(2);
        foreach (var file in batch.DeadLetters is null ? batch.Files : [.. batch.Files, batch.DeadLetters])
        {
            stagedPaths.Add(Path.Combine(StagingDirectory, file.Staged));
        }
        using (var transaction = connection.BeginTransaction())
        {
            if (IsCommitted(connection, batch))
            {
                transaction.Rollback();
            }
            else
            {
                foreach (var stagedPath in stagedPaths)
                {
                    if (!File.Exists(stagedPath))
                    {
                        throw new IOException($"Cannot commit checkpoint #{checkpointId} of subtask {subtaskIndex} into table '{Table}' of '{DatabasePath}': the batch is not in {CommitsTable} and its staged file '{stagedPath}' does not exist.");
                    }
                }
                long rows = 0;
                if (batch.Files.Count == 1)
                {
                    var stagedPath = stagedPaths[0];
                    var columns = _evolves ? EvolveTable(connection, stagedPath, checkpointId) : _schema.ColumnList;
                    foreach (var statement in LoadSql(connection, stagedPath, columns))
                    {
                        connection.Execute(statement);
                    }
                    rows = batch.Files[0].Rows;
                }
                if (batch.DeadLetters is not null)
                {
                    var deadLetters = TableSchema.Quote(DeadLetterTable);
                    connection.Execute($"CREATE TABLE IF NOT EXISTS {deadLetters} ({DeadLetterFile.Columns})");
                    connection.Execute(DeadLetterFile.UpgradeSql(deadLetters));
                    // By name: a file staged before the kind column (restored from an older checkpoint) leaves it NULL.
                    connection.Execute($"INSERT INTO {deadLetters} BY NAME SELECT * FROM read_parquet({TableSchema.Literal(stagedPaths[^1])})");
                }
                using var record = connection.Command($"INSERT INTO {CommitsTable} VALUES ($1, $2, $3, $4, $5, $6, now())",
                    Table, batch.Subtask, batch.Sequence, batch.Writer, checkpointId, rows);
                record.ExecuteNonQuery();
                transaction.Commit();
            }
        }
        // Only after the DuckDB commit: a crash before this line leaves a committed batch that AbortPending deletes.
        foreach (var stagedPath in stagedPaths)
        {
            File.Delete(stagedPath);
        }
    }

    /// <summary>
    /// Inside the commit transaction: adds to the table every column of the staged file it lacks (the writer widened its
    /// layout for rows with new columns) and returns the file's column list for the load. A column that exists with
    /// another type than staged (a table changed outside this sink) fails the commit, writing nothing.
    /// </summary>
    /// <exception cref="InvalidDataException">A staged column exists in the table with another type.</exception>
    private string EvolveTable(DuckDBConnection connection, string stagedPath, long checkpointId)
    {
        var staged = new List<(string Name, string Type)>();
        using (var describe = connection.Command($"DESCRIBE SELECT * FROM read_parquet({TableSchema.Literal(stagedPath)})"))
        using (var reader = describe.ExecuteReader())
        {
            while (reader.Read())
            {
                var name = reader.GetString(0);
                if (!name.StartsWith("_sluice_", StringComparison.Ordinal) || _schema.HasColumn(name))
                {
                    staged.Add((name, reader.GetString(1)));
                }
            }
        }
        var existing = TableColumns(connection);
        var table = TableSchema.Quote(Table);
        var added = new List<string>();
        foreach (var (name, type) in staged)
        {
            if (!existing.TryGetValue(name, out var tableType))
            {
                connection.Execute($"ALTER TABLE {table} ADD COLUMN {TableSchema.Quote(name)} {type}");
                added.Add($"{name} {type}");
            }
            else if (!_schema.HasColumn(name) && !string.Equals(tableType, type, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Cannot commit checkpoint #{checkpointId} into table '{Table}' of '{DatabasePath}': its column '{name}' is {tableType}, but the rows staged for it are {type}; change the column, or write these rows into another table.");
            }
        }
        if (added.Count > 0)
        {
            LogColumnsAdded(_logger, Table, DatabasePath, string.Join(", ", added), checkpointId);
        }
        return string.Join(", ", staged.Select(c => TableSchema.Quote(c.Name)));
    }

    private Dictionary<string, string> TableColumns(DuckDBConnection connection)
    {
        var columns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var query = connection.Command("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", Table);
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            columns[reader.GetString(0)] = reader.GetString(1);
        }
        return columns;
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

    private string[] LoadSql(DuckDBConnection connection, string stagedPath, string columns)
    {
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
        var existing = TableColumns(connection);
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
                if (!existing.ContainsKey(column.Name))
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

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Table '{Table}' of '{Database}' gained column(s) {Columns} in the commit of checkpoint #{CheckpointId}.")]
    private static partial void LogColumnsAdded(ILogger logger, string table, string database, string columns, long checkpointId);

    private sealed class Writer(DuckDbWarehouseSink<T> sink, int subtask, long restoredCheckpointId, RowSchemaEvolution? evolution, ILogger logger, string operatorName) : ITwoPhaseSinkWriter<T>
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
                    // A -U deletes its key, as Flink's JDBC upsert executor does: a row that stops matching a filter
                    // (HAVING, WHERE over updates) gets no +U. The last row of a key in the batch decides, so -U then
                    // its +U still ends as one upsert.
                    value = (T)(object)AsDelete(retraction);
                }
            }
            if (evolution is not null)
            {
                var row = evolution.Admit((Row)(object)value!, timestamp, out var widening);
                if (row is null)
                {
                    return; // a dead letter, staged at the next PrepareCommit
                }
                if (widening is not null)
                {
                    _staging.Widen((TableSchema<T>)(object)TableSchema.ForRows(evolution.Current));
                    SchemaEvolutionLog.Widened(logger, sink.Table, operatorName, widening.ToString(), widening.Incoming.Origin ?? "a schema without origin");
                }
                value = (T)(object)row;
            }
            _staging.BeginRow(value).EndRow();
        }

        // The input row may be shared with other consumers: copied to change its kind.
        private static Row AsDelete(Row retraction)
        {
            var copy = retraction.Copy();
            copy.Kind = RowKind.Delete;
            return copy;
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            var deadLetters = evolution is { DeadLetterCount: > 0 } ? evolution.TakeDeadLetters() : null;
            if (_staging.Rows == 0 && deadLetters is null)
            {
                _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
                return [];
            }
            List<StagedFile> files = [];
            if (_staging.Rows > 0)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"batch-{subtask}-{Sequence}-{_writerId}");
                var inProgress = Path.Combine(sink.StagingDirectory, name + StagingArea.InProgressSuffix);
                var staged = name + StagingArea.StagedSuffix;
                var rows = _staging.Rows;
                _staging.Seal();
                _staging.Connection.Execute($"COPY {StagingTable<T>.Name} TO {TableSchema.Literal(inProgress)} (FORMAT parquet, COMPRESSION zstd)");
                StagingArea.Seal(inProgress, Path.Combine(sink.StagingDirectory, staged));
                _staging.Reset();
                files.Add(new StagedFile(staged, "", rows));
            }
            StagedFile? letters = null;
            if (deadLetters is not null)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"dlq-{subtask}-{Sequence}-{_writerId}");
                var inProgress = Path.Combine(sink.StagingDirectory, name + StagingArea.InProgressSuffix);
                DeadLetterFile.Write(_staging.Connection, deadLetters, inProgress);
                StagingArea.Seal(inProgress, Path.Combine(sink.StagingDirectory, name + StagingArea.StagedSuffix));
                letters = new StagedFile(name + StagingArea.StagedSuffix, "", deadLetters.Length);
            }
            AtomicFile.SyncDirectory(sink.StagingDirectory);
            var batch = new StagedBatch(_writerId, subtask, Sequence, files, letters);
            _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
            return batch.Encode();
        }

        public void Flush() => _staging.Seal();

        // Rows not yet staged belong to a checkpoint that will never complete; they are re-read after restore.
        public void Dispose()
        {
            evolution?.DiscardDeadLetters();
            _staging.Dispose();
        }
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
    /// <c>-D</c> and <c>-U</c> delete it (their non-key fields are not read; a <c>-U</c> followed by its <c>+U</c> in the
    /// same batch ends as one upsert, since the last row of a key decides). With
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
