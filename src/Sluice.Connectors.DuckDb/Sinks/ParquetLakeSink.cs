using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.IO;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// Writes records as hive-partitioned Parquet files of a lake table, exactly once: a parallel, two-phase sink.
/// Each writer buffers its rows in a private in-memory DuckDB table; at checkpoint <c>n</c> it writes them, per
/// partition (<c>event_date</c>, <c>hour</c> of the record's event time in UTC) and in files of at most
/// <see cref="ParquetLakeOptions.MaxRowsPerFile"/> rows, with DuckDB's <c>COPY … (FORMAT parquet, COMPRESSION zstd)</c>
/// into <c>&lt;lake&gt;/&lt;table&gt;/.staging/part-&lt;subtask&gt;-&lt;seq&gt;-&lt;i&gt;-&lt;writer&gt;.staged</c>
/// (fsynced), and returns the list of staged files with their final names as the committable. Once checkpoint
/// <c>n</c> is complete, <see cref="Commit"/> renames each file atomically to
/// <c>&lt;lake&gt;/&lt;table&gt;/event_date=YYYY-MM-DD/hour=H/part-&lt;subtask&gt;-&lt;seq&gt;-&lt;n&gt;-&lt;writer&gt;.parquet</c>.
/// Readers use <c>read_parquet('&lt;lake&gt;/&lt;table&gt;/**/*.parquet', hive_partitioning = true)</c>, which never
/// matches staged files; each record is in exactly one committed file across crashes and restores.
/// </summary>
/// <typeparam name="T">Record type; its public properties are the columns (see <see cref="DuckDbStreamExtensions.ToDuckDb{T}"/>).</typeparam>
/// <remarks>
/// <para>
/// The partition columns are not stored in the files (hive style: the directory names carry them); readers get
/// <c>event_date</c> as DATE and <c>hour</c> as BIGINT. Row groups are DuckDB's default (122,880 rows).
/// </para>
/// <para>
/// Final names are fixed in the committable, so replaying a commit renames whatever is still staged and finds the
/// rest in place (idempotent); the random writer id keeps files of two jobs, or of a job run twice without
/// checkpoints, apart. Sequences follow <see cref="JsonLinesDirectorySink{T}"/>: <c>seq = (the writer's previous
/// checkpoint id, or the restored id) + 1</c>, so <see cref="AbortPending"/> deletes exactly the staged files of
/// never-completed checkpoints. Requirement: one job per lake table; the sink object keeps the restored checkpoint id
/// between <see cref="AbortPending"/> and the writers' creation, so it must not be shared by two jobs. Thread-safe
/// otherwise.
/// </para>
/// <para>
/// Schema evolution (rows only, <see cref="ParquetLakeOptions.SchemaEvolution"/>): when rows bring new nullable
/// columns, the writer stages the rows it holds into files of the old layout and continues in a new one, so one file
/// never mixes schemas; files written before keep their schema. Read the lake with
/// <c>read_parquet(…, hive_partitioning = true, union_by_name = true)</c> to see the new columns as null in older
/// files. Rows refused as incompatible go, with dead-letter mode, to Parquet files under
/// <c>&lt;lake&gt;/&lt;table&gt;.dlq/</c>, published by the same commit as the checkpoint's files.
/// </para>
/// </remarks>
public sealed class ParquetLakeSink<T> : ITwoPhaseSink<T>, Lineage.ILineageDataset
{
    /// <summary>The sub-directory of the table directory holding staged and in-progress files.</summary>
    public const string StagingDirectoryName = ".staging";

    private const string SinkKind = "Parquet lake";
    private const string EventColumn = "_sluice_event_ms";
    private readonly TableSchema<T> _schema;
    private readonly Func<T, long> _eventTimeMs;
    private readonly bool _evolves; // rows, with SchemaEvolutionMode.AddColumns
    private long _restoredCheckpointId;

    /// <summary>Creates the sink; nothing is written until the job starts.</summary>
    /// <param name="lakeDirectory">The lake's root directory (created if missing).</param>
    /// <param name="table">The table: a directory name under <paramref name="lakeDirectory"/>.</param>
    /// <param name="eventTimeMs">The record's event time in milliseconds since the Unix epoch (UTC); picks the partition.</param>
    /// <param name="options">Partitioning and file size; null = defaults.</param>
    /// <exception cref="ArgumentException">An argument is empty or invalid, <typeparamref name="T"/> has no public
    /// properties, or a property maps to <c>event_date</c> or <c>hour</c> (the partition columns).</exception>
    /// <exception cref="NotSupportedException">A property's type has no SQL type (see <see cref="RowConverter{T}"/>).</exception>
    public ParquetLakeSink(string lakeDirectory, string table, Func<T, long> eventTimeMs, ParquetLakeOptions? options = null)
        : this(lakeDirectory, table, eventTimeMs, options, TableSchema.For<T>)
    {
    }

    internal ParquetLakeSink(string lakeDirectory, string table, Func<T, long> eventTimeMs, ParquetLakeOptions? options, Func<TableSchema<T>> schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lakeDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(eventTimeMs);
        if (Path.GetFileName(table) != table || table is "." or ".." || table.StartsWith('.'))
        {
            throw new ArgumentException($"The lake table '{table}' must be a plain directory name (no separators, not starting with '.').", nameof(table));
        }
        Options = options ?? new ParquetLakeOptions();
        if (Options.MaxRowsPerFile <= 0)
        {
            throw new ArgumentException($"ParquetLakeOptions.MaxRowsPerFile must be positive, not {Options.MaxRowsPerFile}.", nameof(options));
        }
        _schema = schema();
        foreach (var reserved in new[] { "event_date", "hour" })
        {
            if (_schema.HasColumn(reserved))
            {
                throw new ArgumentException($"{typeof(T).Name} has a column '{reserved}', which is a partition column of the lake; rename the property.", nameof(T));
            }
        }
        _eventTimeMs = eventTimeMs;
        TableDirectory = Path.Combine(Path.GetFullPath(lakeDirectory), table);
        StagingDirectory = Path.Combine(TableDirectory, StagingDirectoryName);
        DeadLetterDirectory = Path.Combine(Path.GetFullPath(lakeDirectory), DeadLetterFile.For(table));
        _evolves = typeof(T) == typeof(Row) && Options.SchemaEvolution == SchemaEvolutionMode.AddColumns;
    }

    /// <summary>The table directory (absolute): <c>&lt;lake&gt;/&lt;table&gt;</c>.</summary>
    public string TableDirectory { get; }

    /// <summary>The table directory as a <c>file</c> dataset (its absolute path), with its columns in DuckDB's type names.</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() =>
        [Lineage.DatasetNames.File(TableDirectory).WithSchema(TableSchema.LineageFields(_schema.Columns))];

    /// <summary>Where writers stage files: <c>&lt;lake&gt;/&lt;table&gt;/.staging</c>.</summary>
    public string StagingDirectory { get; }

    /// <summary>The options in effect.</summary>
    public ParquetLakeOptions Options { get; }

    /// <summary>Where rows refused by schema evolution in dead-letter mode are published: <c>&lt;lake&gt;/&lt;table&gt;.dlq</c>.</summary>
    public string DeadLetterDirectory { get; }

    /// <summary>Unlimited (0): each subtask writes its own files.</summary>
    public int MaxParallelism => 0;

    /// <summary>The committed Parquet files of a lake table directory, ordered by path.</summary>
    /// <param name="tableDirectory">A table directory written by this sink.</param>
    public static IReadOnlyList<string> CommittedFiles(string tableDirectory)
    {
        if (!Directory.Exists(tableDirectory))
        {
            return [];
        }
        var files = Directory.GetFiles(tableDirectory, "*.parquet", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Creates the writer of one subtask; called on the subtask's thread after <see cref="AbortPending"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Directory.CreateDirectory(StagingDirectory);
        var evolution = _evolves
            ? new RowSchemaEvolution(_schema.Schema, Options.OnIncompatibleSchema, $"The Parquet lake sink of table '{TableDirectory}'",
                Path.GetFileName(TableDirectory), context.OperatorName, "event_date", "hour")
            : null;
        return new Writer(this, context.SubtaskIndex, Volatile.Read(ref _restoredCheckpointId), evolution, context.LoggerFactory.CreateLogger("Sluice.Connectors.DuckDb.ParquetLake"), context.OperatorName);
    }

    /// <summary>
    /// Publishes a committable: renames each staged file to its final name (atomic; partition directories are created
    /// and fsynced). Idempotent: a file whose final name exists and whose staged file is gone was committed before.
    /// An empty committable does nothing.
    /// </summary>
    /// <exception cref="InvalidDataException">The committable is not one of this sink's.</exception>
    /// <exception cref="IOException">Neither the staged nor the final file exists: the staged output was lost (for
    /// instance deleted by hand); committing would silently drop records, so the checkpoint fails instead.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        var batch = StagedBatch.Decode(committable, SinkKind);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in batch.DeadLetters is null ? batch.Files : [.. batch.Files, batch.DeadLetters])
        {
            var stagedPath = Path.Combine(StagingDirectory, file.Staged);
            var finalPath = ReferenceEquals(file, batch.DeadLetters) ? Path.Combine(DeadLetterDirectory, file.Final) : Path.Combine(TableDirectory, file.Final);
            if (File.Exists(stagedPath))
            {
                var directory = Path.GetDirectoryName(finalPath)!;
                Directory.CreateDirectory(directory);
                File.Move(stagedPath, finalPath, overwrite: true);
                touched.Add(directory);
            }
            else if (!File.Exists(finalPath))
            {
                throw new IOException($"Cannot commit checkpoint #{checkpointId} of subtask {subtaskIndex} into the lake table '{TableDirectory}': neither the staged file '{stagedPath}' nor the committed file '{finalPath}' exists.");
            }
        }
        foreach (var directory in touched)
        {
            // The file's directory, and the partition directories above it that may be new.
            for (var d = directory; d.Length > TableDirectory.Length; d = Path.GetDirectoryName(d)!)
            {
                AtomicFile.SyncDirectory(d);
            }
        }
        if (touched.Contains(DeadLetterDirectory))
        {
            AtomicFile.SyncDirectory(Path.GetDirectoryName(DeadLetterDirectory)!);
        }
        if (touched.Count > 0)
        {
            AtomicFile.SyncDirectory(TableDirectory);
            AtomicFile.SyncDirectory(StagingDirectory);
        }
    }

    /// <summary>
    /// Deletes every in-progress file and every staged file whose sequence is above
    /// <paramref name="restoredCheckpointId"/> (work of checkpoints that never completed), for all subtasks of any
    /// earlier parallelism, and remembers the id for the writers about to be created. Idempotent.
    /// </summary>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        StagingArea.DeleteAbandoned(StagingDirectory, restoredCheckpointId);
    }

    private sealed class Writer(ParquetLakeSink<T> sink, int subtask, long restoredCheckpointId, RowSchemaEvolution? evolution, ILogger logger, string operatorName) : ITwoPhaseSinkWriter<T>
    {
        private readonly string _writerId = StagingArea.NewWriterId();
        private readonly StagingTable<T> _staging = new(sink._schema, Path.GetFileName(sink.TableDirectory), EventColumn);
        private readonly List<StagedFile> _files = []; // staged for the coming checkpoint, sealed
        private long _previousCheckpoint = restoredCheckpointId;

        private long Sequence => _previousCheckpoint + 1;

        public void Write(T value, long timestamp)
        {
            if (evolution is not null)
            {
                var row = evolution.Admit((Row)(object)value!, timestamp, out var widening);
                if (row is null)
                {
                    return; // a dead letter, staged at the next PrepareCommit
                }
                if (widening is not null)
                {
                    // Roll: the rows so far go to files of the old layout, so no file mixes schemas.
                    StageFiles();
                    _staging.Widen((TableSchema<T>)(object)TableSchema.ForRows(evolution.Current));
                    SchemaEvolutionLog.Widened(logger, Path.GetFileName(sink.TableDirectory), operatorName, widening.ToString(), widening.Incoming.Origin ?? "a schema without origin");
                }
                value = (T)(object)row;
            }
            var eventTime = sink._eventTimeMs(value);
            _staging.BeginRow(value).AppendValue(eventTime).EndRow();
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            StageFiles();
            StagedFile? letters = null;
            if (evolution is { DeadLetterCount: > 0 })
            {
                var deadLetters = evolution.TakeDeadLetters();
                var name = string.Create(CultureInfo.InvariantCulture, $"dlq-{subtask}-{Sequence}-{_writerId}");
                var inProgress = Path.Combine(sink.StagingDirectory, name + StagingArea.InProgressSuffix);
                DeadLetterFile.Write(_staging.Connection, deadLetters, inProgress);
                StagingArea.Seal(inProgress, Path.Combine(sink.StagingDirectory, name + StagingArea.StagedSuffix));
                letters = new StagedFile(name + StagingArea.StagedSuffix, $"part-{subtask}-{Sequence}-{_writerId}.parquet", deadLetters.Length);
            }
            if (_files.Count == 0 && letters is null)
            {
                _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
                return [];
            }
            AtomicFile.SyncDirectory(sink.StagingDirectory);
            var batch = new StagedBatch(_writerId, subtask, Sequence, [.. _files], letters);
            _files.Clear();
            _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
            return batch.Encode();
        }

        /// <summary>Writes the staged rows to sealed files of the current layout (added to <see cref="_files"/>) and empties the staging table.</summary>
        private void StageFiles()
        {
            if (_staging.Rows == 0)
            {
                return;
            }
            _staging.Seal();
            var connection = _staging.Connection;
            var hour = sink.Options.PartitionByHour ? $"hour(epoch_ms({EventColumn}))" : "CAST(0 AS BIGINT)";
            connection.Execute("CREATE OR REPLACE TEMP TABLE parts AS SELECT *, "
                + "row_number() OVER (PARTITION BY _sluice_date, _sluice_hour ORDER BY _sluice_row) - 1 AS _sluice_rn FROM ("
                + $"SELECT *, strftime(epoch_ms({EventColumn}), '%Y-%m-%d') AS _sluice_date, {hour} AS _sluice_hour FROM {StagingTable<T>.Name})");
            var partitions = new List<(string Date, long Hour, long Count)>();
            using (var query = connection.Command("SELECT _sluice_date, _sluice_hour, count(*) FROM parts GROUP BY ALL ORDER BY ALL"))
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read())
                {
                    partitions.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
                }
            }
            var files = new List<StagedFile>();
            var inProgress = new List<string>();
            var max = sink.Options.MaxRowsPerFile;
            var columns = _staging.Schema.ColumnList;
            var offset = _files.Count; // files of an earlier layout in this checkpoint: final names continue after them
            foreach (var (date, partitionHour, count) in partitions)
            {
                var directory = sink.Options.PartitionByHour
                    ? string.Create(CultureInfo.InvariantCulture, $"event_date={date}/hour={partitionHour}")
                    : $"event_date={date}";
                for (long n = 0, first = 0; first < count; n++, first += max)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{Sequence}-{offset + files.Count}-{_writerId}");
                    var path = Path.Combine(sink.StagingDirectory, name + StagingArea.InProgressSuffix);
                    connection.Execute(string.Create(CultureInfo.InvariantCulture,
                        $"COPY (SELECT {columns} FROM parts WHERE _sluice_date = {TableSchema.Literal(date)} AND _sluice_hour = {partitionHour} "
                        + $"AND _sluice_rn >= {first} AND _sluice_rn < {first + max} ORDER BY _sluice_rn) "
                        + $"TO {TableSchema.Literal(path)} (FORMAT parquet, COMPRESSION zstd)"));
                    inProgress.Add(path);
                    var final = string.Create(CultureInfo.InvariantCulture, $"{directory}/part-{subtask}-{Sequence}-{offset + n}-{_writerId}.parquet");
                    files.Add(new StagedFile(name + StagingArea.StagedSuffix, final, Math.Min(max, count - first)));
                }
            }
            connection.Execute("DROP TABLE parts");
            for (var i = 0; i < files.Count; i++)
            {
                StagingArea.Seal(inProgress[i], Path.Combine(sink.StagingDirectory, files[i].Staged));
            }
            _staging.Reset();
            _files.AddRange(files);
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

/// <summary>Creates <see cref="ParquetLakeSink{T}"/>s of <see cref="Row"/>s, whose columns come from an explicit schema.</summary>
public static class ParquetLakeSink
{
    /// <summary>
    /// A lake sink of rows of <paramref name="schema"/>: one Parquet column per field, named exactly as the field, typed
    /// as for <see cref="DuckDbWarehouseSink.ForRows"/>. Otherwise it behaves as <see cref="ParquetLakeSink{T}"/>.
    /// </summary>
    /// <param name="lakeDirectory">The lake's root directory (created if missing).</param>
    /// <param name="table">The table: a directory name under <paramref name="lakeDirectory"/>.</param>
    /// <param name="schema">The rows' schema; no field may be named <c>event_date</c> or <c>hour</c>.</param>
    /// <param name="eventTimeMs">A row's event time in milliseconds since the Unix epoch (UTC); picks the partition.</param>
    /// <param name="options">Partitioning and file size; null = defaults.</param>
    /// <exception cref="ArgumentException">As for <see cref="ParquetLakeSink{T}"/>.</exception>
    public static ParquetLakeSink<Row> ForRows(string lakeDirectory, string table, Schema schema, Func<Row, long> eventTimeMs, ParquetLakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new ParquetLakeSink<Row>(lakeDirectory, table, eventTimeMs, options, () => TableSchema.ForRows(schema));
    }
}
