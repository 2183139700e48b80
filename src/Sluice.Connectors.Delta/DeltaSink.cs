using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Writing;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Delta;

/// <summary>
/// Appends a stream of rows to a Delta table exactly once: a parallel, two-phase sink. Each subtask writes its rows
/// into Parquet data files in the table's directory (invisible: no commit names them); at checkpoint <c>n</c> it closes
/// them and returns their <c>add</c> actions as the committable; once checkpoint <c>n</c> is complete,
/// <see cref="Commit"/> commits them in one table version together with a <c>txn</c> action whose <c>appId</c> is
/// <c>job/sink/subtask</c> (the job's name, the sink's name, the subtask index) and whose version is the batch's
/// sequence: the smallest checkpoint that can complete it (the previous barrier + 1, or the restored checkpoint + 1),
/// carried in the committable. That is <c>n</c> for a batch prepared at barrier <c>n</c>; a finished subtask's last batch
/// (prepared at end of input) keeps its sequence however many later checkpoints carry it. A replayed commit — on
/// restore, after a crash between the commit and the checkpoint's acknowledgement, or the same committable in a later
/// checkpoint — finds its transaction version in the table and is skipped, so every row is committed once.
/// </summary>
/// <remarks>
/// The table is created from the sink's schema when missing (<see cref="DeltaSinkOptions.PartitionBy"/>); an existing
/// table must have exactly that schema. Files of a checkpoint that never completed stay in the directory unreferenced
/// (invisible to readers; VACUUM, not yet implemented, deletes such files); a writer closed before preparing deletes the
/// files it had open. Without checkpoints the end-of-input commit (checkpoint id 0) is a plain append, without
/// <c>txn</c>, so that a job run twice appends twice as a job without checkpoints should. Thread-safe: the coordinator
/// commits, subtasks write, each through its own objects.
/// </remarks>
public sealed class DeltaSink : ITwoPhaseSink<Row>, Lineage.ILineageDataset
{
    private readonly DeltaSinkOptions _options;
    private string _jobName = "";
    private string _operatorName = "";
    private long _restoredCheckpointId;
    private DeltaTable? _table;

    /// <summary>The committable's format: 1 = the version byte, the batch's sequence (big-endian int64), then the add actions as commit JSON.</summary>
    internal const byte CommittableVersion = 1;

    /// <summary>Creates the sink; the table is opened (or created) when the job starts.</summary>
    /// <param name="path">The table's directory.</param>
    /// <param name="schema">The rows' schema, which the table must have.</param>
    /// <param name="options">Partitioning and table options, or null for the defaults.</param>
    public DeltaSink(string path, Schema schema, DeltaSinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(schema);
        Path = System.IO.Path.GetFullPath(path);
        Schema = schema;
        _options = options ?? new DeltaSinkOptions();
    }

    /// <summary>The table's directory (absolute).</summary>
    public string Path { get; }

    /// <summary>The rows' schema.</summary>
    public Schema Schema { get; }

    /// <summary>The table's directory as a <c>file</c> dataset (its absolute path), with the rows' columns.</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.File(Path).WithSchemaOf(Schema)];

    /// <summary>Unlimited (0): each subtask writes its own files; commits serialize through the log.</summary>
    public int MaxParallelism => 0;

    /// <summary>Keeps the job's and the sink's names for the transaction ids.</summary>
    public void Open(CommitterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _jobName = context.JobName;
        _operatorName = context.OperatorName;
    }

    /// <summary>Opens or creates the table and keeps the restored checkpoint (writers number their batches after it); nothing staged needs discarding (uncommitted files are invisible).</summary>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        _ = Table();
    }

    /// <summary>Encodes a batch's committable (see <see cref="CommittableVersion"/>).</summary>
    internal static byte[] EncodeCommittable(long sequence, byte[] adds)
    {
        var bytes = new byte[9 + adds.Length];
        bytes[0] = CommittableVersion;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), sequence);
        adds.CopyTo(bytes.AsSpan(9));
        return bytes;
    }

    /// <summary>Decodes <see cref="EncodeCommittable"/>'s bytes.</summary>
    /// <exception cref="InvalidDataException">Not a version 1 committable.</exception>
    internal static (long Sequence, byte[] Adds) DecodeCommittable(byte[] committable)
    {
        if (committable.Length < 9 || committable[0] != CommittableVersion)
        {
            throw new InvalidDataException($"Not a Delta sink committable of version {CommittableVersion}: {committable.Length} bytes, first byte {(committable.Length > 0 ? committable[0] : -1)}.");
        }
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(committable.AsSpan(1)), committable[9..]);
    }

    /// <summary>The <c>txn</c> appId of subtask <paramref name="subtaskIndex"/>: <c>job/sink/subtask</c>.</summary>
    public string AppIdOf(int subtaskIndex) => $"{_jobName}/{_operatorName}/{subtaskIndex}";

    /// <summary>Commits a checkpoint's files of one subtask, once (see the class remarks).</summary>
    /// <exception cref="DeltaException">The commit conflicts with a concurrent metadata or protocol change, or the log is damaged.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        var (sequence, json) = DecodeCommittable(committable);
        var adds = new List<AddFile>();
        foreach (var action in DeltaActionJson.ParseCommit(json, checkpointId, $"committable of checkpoint {checkpointId}, subtask {subtaskIndex}"))
        {
            if (action is AddFile add)
            {
                adds.Add(add);
            }
        }
        var options = checkpointId == 0 ? DeltaAppendOptions.Default : new DeltaAppendOptions { AppId = AppIdOf(subtaskIndex), TransactionVersion = sequence };
        Table().CommitFiles(adds, options);
    }

    /// <summary>Creates the writer of one subtask.</summary>
    public ISinkWriter<Row> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Writer(this, Table(), context.TimeProvider, Volatile.Read(ref _restoredCheckpointId) + 1);
    }

    private DeltaTable Table()
    {
        var table = Volatile.Read(ref _table);
        if (table is not null)
        {
            return table;
        }
        lock (_options)
        {
            if (_table is not null)
            {
                return _table;
            }
            table = DeltaTable.OpenOrCreate(Path, Schema, _options.PartitionBy, _options.Configuration, _options.Table);
            var schema = table.GetSnapshot().Schema;
            if (!schema.Equals(Schema))
            {
                throw new DeltaException($"The Delta sink's rows are {Schema}, but table '{Path}' has the schema {schema}; append the new columns first with DeltaTable.Append(…, MergeSchema = true), or write to another table.");
            }
            Volatile.Write(ref _table, table);
            return table;
        }
    }

    private sealed class Writer(DeltaSink sink, DeltaTable table, TimeProvider time, long firstSequence) : ITwoPhaseSinkWriter<Row>
    {
        private readonly IReadOnlyList<string> _partitionColumns = table.GetSnapshot().PartitionColumns;
        private DataFileWriter? _files;
        private long _sequence = firstSequence; // the smallest checkpoint that can complete the batch being written

        public void Write(Row value, long timestamp)
        {
            if (value.Kind != RowKind.Insert)
            {
                throw new DeltaException($"The Delta sink of table '{sink.Path}' appends rows and cannot apply the {value.Kind} row {value}; write an insert-only stream (or a changelog normalized to inserts).");
            }
            if (!ReferenceEquals(value.Schema, sink.Schema) && !value.Schema.Equals(sink.Schema))
            {
                throw new DeltaException($"The Delta sink of table '{sink.Path}' received a row of schema {value.Schema}; it writes rows of {sink.Schema}.");
            }
            if (_files is null)
            {
                _files = new DataFileWriter(sink.Path, sink.Schema, _partitionColumns, table.Options.NewGuid, time);
                _files.KeepPartitionValues(table.GetSnapshot().ActiveFiles);
            }
            _files.Write(value);
        }

        public void Flush()
        {
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            var sequence = _sequence;
            _sequence = checkpointId == long.MaxValue ? checkpointId : checkpointId + 1; // MaxValue: end of input, no batch follows
            if (_files is null)
            {
                return [];
            }
            var adds = _files.Finish();
            _files.Dispose();
            _files = null;
            return adds.Count == 0 ? [] : EncodeCommittable(sequence, DeltaActionJson.WriteCommit(adds));
        }

        public void Dispose()
        {
            _files?.Abort();
            _files?.Dispose();
            _files = null;
        }
    }
}
