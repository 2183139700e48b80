using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Writing;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.State.Serialization;

namespace Sluice.Connectors.Delta;

/// <summary>
/// Applies a keyed changelog stream to a Delta table exactly once, by key: a two-phase sink with one writer. The writer
/// collapses the rows of a checkpoint per key — the last change of a key wins: <c>+I</c> and <c>+U</c> upsert the
/// key's row, <c>-D</c> and <c>-U</c> delete it (as the DuckDB upsert sink does: a row that stops matching a filter
/// gets a <c>-U</c> and no <c>+U</c>; a <c>-U</c> followed by its <c>+U</c> ends as the upsert) — and at barrier
/// <c>n</c> returns the collapsed batch as the committable. Once checkpoint <c>n</c> is complete, <see cref="Commit"/>
/// applies it with one <see cref="DeltaTable.Merge"/> (copy-on-write of the files holding a changed key) whose commit
/// carries a <c>txn</c> action: <c>appId</c> = the sink's uid (<see cref="CommitterContext.OperatorUid"/>), version =
/// <c>n</c>. A replay — the restored checkpoint's batch committed again after a crash between the Delta commit and the
/// checkpoint's acknowledgement, or a finished writer's last batch carried by later checkpoints — finds its version in
/// the table and is skipped; a later checkpoint's batch is applied.
/// </summary>
/// <remarks>
/// <para>The table is created from the sink's schema when missing (<see cref="DeltaSinkOptions.PartitionBy"/>); an
/// existing table must have exactly that schema, and rows must too: a difference fails naming the field. A null key
/// column fails naming the row and the column.</para>
/// <para>Every (re)start checks the table before any checkpoint is taken: its schema must still be the rows', it must
/// not be append-only (<c>delta.appendOnly</c>), and the transaction version it holds for the uid must not be later
/// than the restored checkpoint. A later version (a savepoint or older checkpoint restored, the job's checkpoints
/// deleted, or another job using the same uid on the table) fails the start naming both versions: committing would
/// silently skip those checkpoints' batches. A failure that only a commit would find would fail every retry of a
/// checkpoint that is already complete, so these checks run at restore, and an empty string in a key column that
/// partitions the table fails in the writer.</para>
/// <para>The batch of a checkpoint is held in memory by the writer and then in the checkpoint (one copy of each key's
/// last row); MERGE rewrites every file that holds a changed key, so the cost per checkpoint grows with the files
/// those keys touch. Without checkpoints the end-of-input batch (checkpoint id 0) is merged without <c>txn</c>.
/// Thread-safe: the coordinator commits, the writer writes, each through its own objects.</para>
/// </remarks>
public sealed class DeltaUpsertSink : ITwoPhaseSink<Row>, Lineage.ILineageDataset
{
    /// <summary>The committable's format: 1 = the version byte, the batch's sequence (big-endian int64), the row count (varint), then each row in <see cref="RowStateSerializer"/> version 1 (kind, null bitmap, fields).</summary>
    internal const byte CommittableVersion = 1;

    /// <summary>The <see cref="RowStateSerializer"/> version of the rows of a version 1 committable: pinned, so that a later row encoding does not misread checkpoints taken before it.</summary>
    private const int RowFormatVersion = 1;

    private readonly DeltaSinkOptions _options;
    private readonly int[] _keys;
    private readonly RowStateSerializer _rows;
    private string _appId = "";
    private long _restoredCheckpointId;
    private DeltaTable? _table;
    private Schema? _tableSchema; // the rows' schema as the table stores it (no timestamp precision)
    private int[] _partitionKeys = [];

    /// <summary>Creates the sink; the table is opened (or created) when the job starts.</summary>
    /// <param name="path">The table's directory.</param>
    /// <param name="schema">The rows' schema, which the table must have.</param>
    /// <param name="keyColumns">The columns that identify a row (scalar columns of <paramref name="schema"/>, not BYTES).</param>
    /// <param name="options">Partitioning and table options, or null for the defaults.</param>
    /// <exception cref="ArgumentException">No key column, or one the schema does not have or cannot key by.</exception>
    public DeltaUpsertSink(string path, Schema schema, IReadOnlyList<string> keyColumns, DeltaSinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keyColumns);
        Path = System.IO.Path.GetFullPath(path);
        Schema = schema;
        _options = options ?? new DeltaSinkOptions();
        if (keyColumns.Count == 0)
        {
            throw new ArgumentException($"The Delta upsert sink of table '{Path}' needs at least one key column.", nameof(keyColumns));
        }
        _keys = new int[keyColumns.Count];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = schema.IndexOf(keyColumns[i]);
            if (_keys[i] < 0)
            {
                throw new ArgumentException($"The Delta upsert sink of table '{Path}': key column '{keyColumns[i]}' is not in the rows' schema; its columns are: {string.Join(", ", schema.Select(f => f.Name))}.", nameof(keyColumns));
            }
            if (schema[_keys[i]].Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Bytes)
            {
                throw new ArgumentException($"The Delta upsert sink of table '{Path}': key column '{keyColumns[i]}' is a {schema[_keys[i]].Type} column; key by scalar columns.", nameof(keyColumns));
            }
        }
        KeyColumns = [.. keyColumns];
        _rows = StateSerializers.ForRow(schema);
    }

    /// <summary>The table's directory (absolute).</summary>
    public string Path { get; }

    /// <summary>The rows' schema.</summary>
    public Schema Schema { get; }

    /// <summary>The table's directory as a <c>file</c> dataset (its absolute path), with the rows' columns.</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.File(Path).WithSchemaOf(Schema)];

    /// <summary>The key columns.</summary>
    public IReadOnlyList<string> KeyColumns { get; }

    /// <summary>1: one writer, so that a checkpoint is one MERGE (concurrent merges of one table would conflict).</summary>
    public int MaxParallelism => 1;

    /// <summary>
    /// The <c>txn</c> appId of subtask <paramref name="subtaskIndex"/>: the sink's uid (known once the job opened the
    /// sink) for its one writer, subtask 0; <c>uid/subtask</c> for others, which only a direct caller creates.
    /// </summary>
    public string AppIdOf(int subtaskIndex) => subtaskIndex == 0 ? Volatile.Read(ref _appId) : $"{Volatile.Read(ref _appId)}/{subtaskIndex}";

    /// <summary>Keeps the sink's uid for the transaction ids.</summary>
    public void Open(CommitterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Volatile.Write(ref _appId, context.OperatorUid);
    }

    /// <summary>
    /// Opens or creates the table, checks it afresh (schema, <c>delta.appendOnly</c>, the uid's transaction version) and
    /// keeps the restored checkpoint; nothing staged needs discarding (a batch lives in its checkpoint only).
    /// </summary>
    /// <exception cref="DeltaException">The table's schema is not the rows'; the table is append-only; the table holds a
    /// transaction version of the uid later than <paramref name="restoredCheckpointId"/>.</exception>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        lock (_options)
        {
            _table = null;
        }
        var snapshot = Table().GetSnapshot();
        var appId = AppIdOf(0);
        var held = snapshot.GetTransactionVersion(appId);
        if (held > restoredCheckpointId)
        {
            throw new DeltaException(
                $"The Delta upsert sink '{appId}' cannot restart on table '{Path}': the table already holds transaction version {held} of uid '{appId}', later than the restored checkpoint {restoredCheckpointId}, so checkpoints {restoredCheckpointId + 1}..{held} would be skipped as already applied and their changes lost. A savepoint or older checkpoint rolled back against an upsert table needs a new sink uid (and a table that no other run of that uid wrote) or the table restored to a version before transaction {restoredCheckpointId + 1}.",
                snapshot.Version);
        }
    }

    /// <summary>Applies a checkpoint's batch once (see the class remarks).</summary>
    /// <exception cref="DeltaException">The merge conflicts on every attempt or with a concurrent metadata change; the log
    /// is damaged.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        var (sequence, rows) = DecodeCommittable(committable, $"committable of checkpoint {checkpointId}");
        var table = Table();
        rows = AsTableRows(rows, Volatile.Read(ref _tableSchema)!);
        if (checkpointId == 0)
        {
            _ = table.Merge(rows, KeyColumns);
            return;
        }
        // A transaction version the table already holds is a replay (restore checked that none is later than the
        // restored checkpoint): skipped by the merge.
        _ = table.Merge(rows, KeyColumns, new DeltaMergeOptions { AppId = AppIdOf(subtaskIndex), TransactionVersion = sequence });
    }

    /// <summary>Creates the (single) writer.</summary>
    public ISinkWriter<Row> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = Table();
        return new Writer(this, Volatile.Read(ref _restoredCheckpointId) + 1);
    }

    /// <summary>Encodes a batch (see <see cref="CommittableVersion"/>).</summary>
    internal byte[] EncodeCommittable(long sequence, ICollection<Row> rows)
    {
        var output = new StateWriter();
        output.WriteByte(CommittableVersion);
        Span<byte> sequenceBytes = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(sequenceBytes, sequence);
        output.WriteRaw(sequenceBytes);
        output.WriteVarInt32((uint)rows.Count);
        System.Diagnostics.Debug.Assert(_rows.Version == RowFormatVersion, "a new row encoding needs a new committable version");
        foreach (var row in rows)
        {
            _rows.Write(output, row);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes <see cref="EncodeCommittable"/>'s bytes.</summary>
    /// <exception cref="InvalidDataException">Not a version 1 committable of this sink's schema, naming <paramref name="what"/>.</exception>
    internal (long Sequence, List<Row> Rows) DecodeCommittable(byte[] committable, string what)
    {
        if (committable.Length < 10 || committable[0] != CommittableVersion)
        {
            throw new InvalidDataException($"The {what} of the Delta upsert sink of table '{Path}' is not a version {CommittableVersion} committable: {committable.Length} bytes, first byte {(committable.Length > 0 ? committable[0] : -1)}.");
        }
        var sequence = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(committable.AsSpan(1));
        try
        {
            var input = new StateReader(committable.AsMemory(9));
            var count = input.ReadVarInt32();
            var rows = new List<Row>((int)Math.Min(count, 1 << 20));
            for (var i = 0u; i < count; i++)
            {
                rows.Add(_rows.Read(input, RowFormatVersion));
            }
            input.EnsureAtEnd();
            return (sequence, rows);
        }
        catch (StateFormatException e)
        {
            throw new InvalidDataException($"The {what} of the Delta upsert sink of table '{Path}' does not hold rows of {Schema}: {e.Message}", e);
        }
    }

    /// <summary>Where <paramref name="actual"/> differs from <paramref name="expected"/>, naming the first field that differs.</summary>
    internal static string DescribeDifference(Schema expected, Schema actual)
    {
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            if (i >= actual.Count)
            {
                return $"field '{expected[i].Name}' ({expected[i].Type}) is missing";
            }
            if (i >= expected.Count)
            {
                return $"field '{actual[i].Name}' ({actual[i].Type}) is extra";
            }
            if (expected[i].Name != actual[i].Name)
            {
                return $"field {i + 1} is '{actual[i].Name}' ({actual[i].Type}) where '{expected[i].Name}' ({expected[i].Type}) is expected";
            }
            if (!expected[i].Type.Equals(actual[i].Type))
            {
                return $"field '{expected[i].Name}' is {actual[i].Type} where {expected[i].Type} is expected";
            }
            if (expected[i].Description != actual[i].Description)
            {
                return $"field '{expected[i].Name}' has the comment {Quote(actual[i].Description)} where {Quote(expected[i].Description)} is expected";
            }
        }
        return "the schemas differ";
    }

    /// <summary>The rows with the table's schema, which differs from the rows' only where Delta keeps less (timestamp precision).</summary>
    private List<Row> AsTableRows(List<Row> rows, Schema tableSchema)
    {
        if (ReferenceEquals(tableSchema, Schema) || tableSchema.Equals(Schema))
        {
            return rows;
        }
        var converted = new List<Row>(rows.Count);
        foreach (var row in rows)
        {
            var copy = new Row(tableSchema) { Kind = row.Kind };
            for (var i = 0; i < row.FieldCount; i++)
            {
                copy.SetValue(i, row.GetValue(i));
            }
            converted.Add(copy);
        }
        return converted;
    }

    private static string Quote(string? comment) => comment is null ? "none" : $"'{comment}'";

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
            var snapshot = table.GetSnapshot();
            var schema = snapshot.Schema;
            // The rows' schema as the table stores it: Delta keeps no timestamp precision (TIMESTAMP(3) reads back as
            // TIMESTAMP(6)), so the table this sink created must compare equal to it.
            var stored = DeltaSchemaJson.Parse(DeltaSchemaJson.Write(Schema));
            if (!schema.Equals(stored))
            {
                throw new DeltaException($"The Delta upsert sink's rows do not fit table '{Path}': {DescribeDifference(schema, stored)} (the table's schema is {schema}, the rows' {Schema}); give the rows the table's schema, or write to another table.");
            }
            if (snapshot.Configuration.TryGetValue("delta.appendOnly", out var appendOnly) && string.Equals(appendOnly, "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new DeltaException($"The Delta upsert sink cannot write table '{Path}': it is append-only (delta.appendOnly = true at version {snapshot.Version}), so rows cannot be updated or deleted; write to another table or unset delta.appendOnly.", snapshot.Version);
            }
            var partitionKeys = new List<int>();
            foreach (var key in _keys)
            {
                if (snapshot.PartitionColumns.Contains(Schema[key].Name))
                {
                    partitionKeys.Add(key);
                }
            }
            Volatile.Write(ref _tableSchema, schema);
            Volatile.Write(ref _partitionKeys, [.. partitionKeys]);
            Volatile.Write(ref _table, table);
            return table;
        }
    }

    /// <summary>Collapses the rows of a checkpoint per key; runs on the sink's task thread.</summary>
    private sealed class Writer(DeltaUpsertSink sink, long firstSequence) : ITwoPhaseSinkWriter<Row>
    {
        private readonly Dictionary<object, Row> _batch = [];
        private long _nextSequence = firstSequence; // the batch after the last barrier: previous barrier + 1

        public void Write(Row value, long timestamp)
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!ReferenceEquals(value.Schema, sink.Schema) && !value.Schema.Equals(sink.Schema))
            {
                throw new DeltaException($"The Delta upsert sink of table '{sink.Path}' received the {value.Kind} row {value} whose {DescribeDifference(sink.Schema, value.Schema)}; it writes rows of {sink.Schema}.");
            }
            var key = RowKey.Of(value, sink._keys) ?? throw new DeltaException(
                $"The Delta upsert sink of table '{sink.Path}' received the {value.Kind} row {value} with a null key column '{RowKey.NullColumn(value, sink._keys)}'; a null key identifies no row — filter such rows out or give them a key.");
            foreach (var index in Volatile.Read(ref sink._partitionKeys))
            {
                if (value.GetValue(index) is string { Length: 0 })
                {
                    // Refused here, not at commit: a commit-time failure would fail every retry of a complete checkpoint.
                    throw new DeltaException(
                        $"The Delta upsert sink of table '{sink.Path}' received the {value.Kind} row {value} with an empty string in key column '{sink.Schema[index].Name}', which partitions the table; Delta stores an empty partition value as null, which matches no key, so it is refused — give such rows a non-empty key.");
                }
            }
            // The last change of a key wins; a -U deletes its key unless its +U follows.
            var copy = value.Copy();
            if (copy.Kind == RowKind.UpdateBefore)
            {
                copy.Kind = RowKind.Delete;
            }
            _batch[key] = copy;
        }

        public void Flush()
        {
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            // A barrier's batch is that checkpoint's transaction; the end-of-input batch (long.MaxValue), which later
            // checkpoints may carry, keeps the smallest checkpoint that can complete it.
            var sequence = checkpointId == long.MaxValue ? _nextSequence : checkpointId;
            _nextSequence = checkpointId == long.MaxValue ? long.MaxValue : checkpointId + 1;
            if (_batch.Count == 0)
            {
                return [];
            }
            var committable = sink.EncodeCommittable(sequence, _batch.Values);
            _batch.Clear();
            return committable;
        }

        public void Dispose() => _batch.Clear();
    }
}
