using System.Buffers.Binary;
using Sluice.Schemas;
using Sluice.Sources;
using Sluice.State.Serialization;

namespace Sluice.Connectors.Datagen;

/// <summary>
/// The 'datagen' source: rows of a schema made by per-column generators, paced at a total rate by the job's
/// <see cref="TimeProvider"/> (a virtual clock drives it in tests). Parallel: subtask <c>s</c> of <c>p</c> makes rows
/// <c>s, s+p, s+2p, …</c> at <c>rate/p</c>; row <c>n</c> depends only on (seed, n) and the clock, so a restored reader
/// replays exactly the rows it would have made. Bounded when a row count is given. Records carry the processing time
/// at which they were made as timestamp.
/// </summary>
internal sealed class DatagenSource : ISource<Row>
{
    /// <summary>Version byte of the split position: [1][seed: u64 LE][rows emitted: i64 LE].</summary>
    internal const byte PositionVersion = 1;

    private readonly Schema _schema;
    private readonly DatagenFieldGenerator[] _fields;
    private readonly double[] _nullRates;
    private readonly double _rowsPerSecond;

    /// <param name="schema">The rows' schema.</param>
    /// <param name="fields">One generator per column.</param>
    /// <param name="nullRates">Per column, the probability of null (0 for NOT NULL columns).</param>
    /// <param name="rowsPerSecond">Total rate over all subtasks; positive.</param>
    /// <param name="rowCount">Total rows, or <see cref="long.MaxValue"/> for an unbounded source.</param>
    /// <param name="seed">Seed of the random values (a restore uses the checkpointed one).</param>
    public DatagenSource(Schema schema, DatagenFieldGenerator[] fields, double[] nullRates, double rowsPerSecond, long rowCount, ulong seed)
    {
        _schema = schema;
        _fields = fields;
        _nullRates = nullRates;
        _rowsPerSecond = rowsPerSecond;
        RowCount = rowCount;
        Seed = seed;
    }

    /// <summary>Total rows over all subtasks; <see cref="long.MaxValue"/> when unbounded.</summary>
    public long RowCount { get; }

    /// <summary>The seed of a fresh start.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    public bool IsBounded => RowCount != long.MaxValue;

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISourceReader<Row> CreateReader(SourceReaderContext context) => new Reader(this, context);

    /// <summary>Row <paramref name="index"/> of the stream seeded by <paramref name="seed"/>, made at <paramref name="nowMs"/>.</summary>
    internal Row Generate(ulong seed, long index, long nowMs)
    {
        var random = SplitMix64.ForEvent(seed, index);
        var row = new Row(_schema);
        for (var i = 0; i < _fields.Length; i++)
        {
            if (_nullRates[i] > 0 && random.NextDouble() < _nullRates[i])
            {
                continue; // A new row's fields are null.
            }
            _fields[i].Write(row, i, ref random, index, nowMs);
        }
        return row;
    }

    /// <summary>Encodes a reader's position (version 1).</summary>
    internal static byte[] EncodePosition(ulong seed, long emitted)
    {
        var bytes = new byte[17];
        bytes[0] = PositionVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(1), seed);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(9), emitted);
        return bytes;
    }

    /// <summary>Decodes a reader's position.</summary>
    /// <exception cref="StateFormatException">The bytes are not a version-1 position.</exception>
    internal static (ulong Seed, long Emitted) DecodePosition(string splitId, byte[] bytes)
    {
        if (bytes.Length != 17 || bytes[0] != PositionVersion)
        {
            throw new StateFormatException(
                $"The checkpointed position of datagen split '{splitId}' is not a version-{PositionVersion} position ({bytes.Length} bytes, version {(bytes.Length > 0 ? bytes[0] : 0)}).");
        }
        return (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(1)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)));
    }

    /// <summary>Makes its share of row indexes; the position is (seed, rows emitted) (<see cref="PacedIndexReader{T}"/>).</summary>
    private sealed class Reader : PacedIndexReader<Row>
    {
        private readonly DatagenSource _source;
        private readonly ulong _seed;

        public Reader(DatagenSource source, SourceReaderContext context)
            : this(source, context, Restored(source, context))
        {
        }

        private Reader(DatagenSource source, SourceReaderContext context, (ulong Seed, long Emitted) start)
            : base(context, source._rowsPerSecond, source.RowCount, start.Emitted)
        {
            _source = source;
            _seed = start.Seed;
        }

        public override string SplitId(int split) => SplitIdOf(Context);

        public override byte[] SnapshotSplit(int split) => EncodePosition(_seed, Emitted);

        protected override Row Generate(long index, long nowMs, long dueAtMs, out long timestamp)
        {
            timestamp = nowMs;
            return _source.Generate(_seed, index, nowMs);
        }

        private static string SplitIdOf(SourceReaderContext context) => $"datagen-{context.SubtaskIndex}-of-{context.Parallelism}";

        /// <summary>The checkpointed seed and count when restored, else the source's seed and 0.</summary>
        private static (ulong Seed, long Emitted) Restored(DatagenSource source, SourceReaderContext context)
        {
            var splitId = SplitIdOf(context);
            return context.RestoredSplits.TryGetValue(splitId, out var position) ? DecodePosition(splitId, position) : (source.Seed, 0);
        }
    }
}
