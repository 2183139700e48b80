using System.Buffers;
using System.Buffers.Binary;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// The records returned by one fetch, held in a pooled buffer. Reuse one instance per reader: passing it to
/// <see cref="PartitionLog.Fetch(long, in FetchOptions, FetchResult)"/> again overwrites it without allocating.
/// Enumerate with <c>foreach (LogRecordView r in result)</c>. Not thread-safe. Dispose returns the buffer.
/// </summary>
public sealed class FetchResult : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int[] _batchStarts = new int[64];
    private int _length;
    private int _batchCount;

    /// <summary>Offset that was asked for; records below it (in the first batch) are not returned.</summary>
    public long FromOffset { get; private set; }

    /// <summary>Where the next fetch should start (after the last returned or skipped record).</summary>
    public long NextOffset { get; internal set; }

    /// <summary>Number of records the enumerator yields.</summary>
    public int RecordCount { get; internal set; }

    /// <summary>The partition's high watermark when the fetch ran.</summary>
    public long HighWatermark { get; private set; }

    /// <summary>The partition's last stable offset when the fetch ran.</summary>
    public long LastStableOffset { get; private set; }

    /// <summary>The partition's log start offset when the fetch ran.</summary>
    public long LogStartOffset { get; private set; }

    internal long LimitOffset { get; set; }

    internal int Length => _length;

    internal int BatchCount => _batchCount;

    /// <summary>Returns an allocation-free enumerator of record views.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Copies all records (allocates).</summary>
    public List<ConsumedRecord> ToList()
    {
        var list = new List<ConsumedRecord>(RecordCount);
        foreach (LogRecordView r in this)
        {
            list.Add(ConsumedRecord.From(r));
        }

        return list;
    }

    internal void Reset(long fromOffset, long highWatermark, long lastStableOffset, long logStartOffset)
    {
        _length = 0;
        _batchCount = 0;
        FromOffset = fromOffset;
        NextOffset = fromOffset;
        LimitOffset = fromOffset;
        RecordCount = 0;
        HighWatermark = highWatermark;
        LastStableOffset = lastStableOffset;
        LogStartOffset = logStartOffset;
    }

    internal Span<byte> GetSpace(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(_length, bytes);
    }

    internal void Advance(int bytes) => _length += bytes;

    internal void DiscardAll() => _length = 0;

    internal void AddBatch(int startInBuffer)
    {
        if (_batchCount == _batchStarts.Length)
        {
            Array.Resize(ref _batchStarts, _batchCount * 2);
        }

        _batchStarts[_batchCount++] = startInBuffer;
    }

    /// <summary>Returns the buffer to the pool; the result must not be used afterwards.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        _batchCount = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Enumerates the returned records in offset order. Allocation-free.</summary>
    public ref struct Enumerator
    {
        private readonly FetchResult _owner;
        private int _batch;
        private int _position;
        private int _batchEnd;
        private long _baseOffset;
        private LogRecordView _current;

        internal Enumerator(FetchResult owner)
        {
            _owner = owner;
            _batch = -1;
            _position = 0;
            _batchEnd = 0;
        }

        /// <summary>The current record.</summary>
        public readonly LogRecordView Current => _current;

        /// <summary>Advances to the next record.</summary>
        public bool MoveNext()
        {
            ReadOnlySpan<byte> buffer = _owner._buffer;
            while (true)
            {
                while (_position < _batchEnd)
                {
                    int length = BinaryPrimitives.ReadInt32LittleEndian(buffer[_position..]);
                    ReadOnlySpan<byte> record = buffer.Slice(_position + 4, length);
                    _position += 4 + length;
                    long offset = _baseOffset + BinaryPrimitives.ReadInt32LittleEndian(record);
                    if (offset >= _owner.LimitOffset)
                    {
                        _position = _batchEnd;
                        break;
                    }

                    if (offset >= _owner.FromOffset)
                    {
                        _current = new LogRecordView(record, offset);
                        return true;
                    }
                }

                if (++_batch >= _owner._batchCount)
                {
                    return false;
                }

                int start = _owner._batchStarts[_batch];
                _baseOffset = BinaryPrimitives.ReadInt64LittleEndian(buffer[start..]);
                _batchEnd = start + BatchFormat.LengthFieldEnd + BinaryPrimitives.ReadInt32LittleEndian(buffer[(start + BatchFormat.OffsetBatchLength)..]);
                _position = start + BatchFormat.HeaderSize;
            }
        }
    }
}
