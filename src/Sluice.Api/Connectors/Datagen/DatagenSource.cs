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

    /// <summary>
    /// Makes its share of row indexes; the position is (seed, rows emitted). Split ids include the parallelism, so a
    /// restore with another parallelism starts over.
    /// </summary>
    private sealed class Reader : ISourceReader<Row>, ICheckpointedSourceReader
    {
        private readonly DatagenSource _source;
        private readonly SourceReaderContext _context;
        private readonly SourceRatePacer _pacer;
        private readonly ulong _seed;
        private long _nextIndex;
        private long _emitted;

        public Reader(DatagenSource source, SourceReaderContext context)
        {
            _source = source;
            _context = context;
            _nextIndex = context.SubtaskIndex;
            _seed = source.Seed;
            var splitId = SplitId(0);
            if (context.RestoredSplits.TryGetValue(splitId, out var position))
            {
                // Resume with the checkpointed seed and count.
                (_seed, _emitted) = DecodePosition(splitId, position);
                _nextIndex += _emitted * context.Parallelism;
            }
            _pacer = new SourceRatePacer(source._rowsPerSecond / context.Parallelism, context, _emitted);
        }

        public int SplitCount => 1;

        public string SplitId(int split) => $"datagen-{_context.SubtaskIndex}-of-{_context.Parallelism}";

        public byte[] SnapshotSplit(int split) => EncodePosition(_seed, _emitted);

        public SourceStatus PollNext(ISourceOutput<Row> output)
        {
            var now = _pacer.NowMs;
            var due = _pacer.DueBy(now);
            var n = Math.Min(due - _emitted, _context.BatchSize);
            for (var i = 0; i < n && _nextIndex < _source.RowCount; i++)
            {
                output.Collect(0, _source.Generate(_seed, _nextIndex, now), now);
                _nextIndex += _context.Parallelism;
                _emitted++;
            }
            if (_nextIndex >= _source.RowCount)
            {
                return SourceStatus.Finished;
            }
            if (_emitted < due)
            {
                return SourceStatus.MoreAvailable;
            }
            _pacer.WakeWhenDue(_emitted, now);
            return SourceStatus.NothingAvailable;
        }

        public void Dispose() => _pacer.Dispose();
    }
}
