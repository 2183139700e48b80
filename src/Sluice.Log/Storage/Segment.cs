using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Storage;

/// <summary>
/// One segment file (<c>{baseOffset:D20}.log</c>) plus its in-memory sparse offset and time indexes.
/// Appends are serialised by the owning partition; readers may run concurrently: they
/// <see cref="TryAcquire"/> the segment so retention or compaction cannot close the handle under them.
/// </summary>
internal sealed class Segment
{
    private readonly Lock _indexLock = new();
    private int[] _indexRelOffsets = new int[64];
    private int[] _indexPositions = new int[64];
    private int _indexCount;
    private long[] _timeTimestamps = new long[16];
    private long[] _timeOffsets = new long[16];
    private int _timeCount;
    private long _bytesSinceIndex;
    private long _bytesSinceTimeIndex;
    private int _refs = 1;
    private bool _deleteOnClose;
    private long _size;
    private long _nextOffset;

    public Segment(string directory, long baseOffset, SafeFileHandle handle, long createdAtMs)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        Handle = handle;
        _nextOffset = baseOffset;
        CreatedAtMs = createdAtMs;
        MaxTimestamp = -1;
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    public SafeFileHandle Handle { get; }

    public long CreatedAtMs { get; }

    public string LogPath => LogPathFor(Directory, BaseOffset);

    public string IndexPath => Path.Combine(Directory, $"{BaseOffset:D20}.index");

    /// <summary>Bytes of whole batches in the file; published after each append.</summary>
    public long Size
    {
        get => Volatile.Read(ref _size);
        set => Volatile.Write(ref _size, value);
    }

    /// <summary>Offset after the last record of the segment (the base offset when empty).</summary>
    public long NextOffset
    {
        get => Volatile.Read(ref _nextOffset);
        set => Volatile.Write(ref _nextOffset, value);
    }

    /// <summary>Largest record timestamp in the segment, -1 when empty.</summary>
    public long MaxTimestamp { get; set; }

    /// <summary>True once damage was found in the file (on open or by a read). Its index file is then deleted rather
    /// than written, so the next open scans the segment and reports the damage again.</summary>
    public bool HasKnownDamage { get; set; }

    /// <summary>True when any batch in the segment is transactional or a control batch.</summary>
    public bool HasTransactionalBatches { get; set; }

    public static string LogPathFor(string directory, long baseOffset) => Path.Combine(directory, $"{baseOffset:D20}.log");

    /// <summary>Records a whole batch written at <paramref name="position"/>; maintains the sparse indexes.
    /// <paramref name="forceIndexEntry"/> adds an offset entry whatever the interval (the first batch after damaged
    /// bytes, so a read can start past them).</summary>
    public void OnBatchAppended(in BatchHeader header, long position, int indexIntervalBytes, bool forceIndexEntry = false)
    {
        lock (_indexLock)
        {
            if (_indexCount == 0 || _bytesSinceIndex >= indexIntervalBytes || forceIndexEntry)
            {
                Grow(ref _indexRelOffsets, ref _indexPositions, _indexCount);
                _indexRelOffsets[_indexCount] = (int)(header.BaseOffset - BaseOffset);
                _indexPositions[_indexCount] = (int)position;
                _indexCount++;
                _bytesSinceIndex = 0;
            }

            if (header.MaxTimestamp > MaxTimestamp && (_timeCount == 0 || _bytesSinceTimeIndex >= indexIntervalBytes))
            {
                Grow(ref _timeTimestamps, ref _timeOffsets, _timeCount);
                _timeTimestamps[_timeCount] = header.MaxTimestamp;
                _timeOffsets[_timeCount] = header.BaseOffset;
                _timeCount++;
                _bytesSinceTimeIndex = 0;
            }

            _bytesSinceIndex += header.TotalSize;
            _bytesSinceTimeIndex += header.TotalSize;
            MaxTimestamp = Math.Max(MaxTimestamp, header.MaxTimestamp);
            if (header.IsTransactional || header.IsControl)
            {
                HasTransactionalBatches = true;
            }
        }
    }

    /// <summary>File position of the last indexed batch starting at or before <paramref name="offset"/>.</summary>
    public long LookupPosition(long offset) => LookupPosition(offset, out _);

    /// <summary>File position of the last indexed batch starting at or before <paramref name="offset"/>, and that
    /// batch's base offset (<see cref="BaseOffset"/> at position 0).</summary>
    public long LookupPosition(long offset, out long batchBaseOffset)
    {
        lock (_indexLock)
        {
            int lo = 0, hi = _indexCount - 1, found = -1;
            long rel = offset - BaseOffset;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_indexRelOffsets[mid] <= rel)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            batchBaseOffset = found < 0 ? BaseOffset : BaseOffset + _indexRelOffsets[found];
            return found < 0 ? 0 : _indexPositions[found];
        }
    }

    /// <summary>An offset from which a scan finds the first record with timestamp ≥ <paramref name="timestampMs"/>.</summary>
    public long LookupTimestampStart(long timestampMs)
    {
        lock (_indexLock)
        {
            // Entries hold the running max timestamp: every batch up to an entry whose max is below the target can be skipped.
            long start = BaseOffset;
            for (int lo = 0, hi = _timeCount - 1; lo <= hi;)
            {
                int mid = (lo + hi) >>> 1;
                if (_timeTimestamps[mid] < timestampMs)
                {
                    start = _timeOffsets[mid];
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return start;
        }
    }

    public SegmentIndexSnapshot SnapshotIndex()
    {
        lock (_indexLock)
        {
            return new SegmentIndexSnapshot(
                _indexRelOffsets.AsSpan(0, _indexCount).ToArray(),
                _indexPositions.AsSpan(0, _indexCount).ToArray(),
                _timeTimestamps.AsSpan(0, _timeCount).ToArray(),
                _timeOffsets.AsSpan(0, _timeCount).ToArray());
        }
    }

    public void LoadIndex(SegmentIndexSnapshot index, long size, long nextOffset, long maxTimestamp, bool hasTransactional)
    {
        lock (_indexLock)
        {
            _indexRelOffsets = index.RelativeOffsets.Length == 0 ? new int[64] : index.RelativeOffsets;
            _indexPositions = index.Positions.Length == 0 ? new int[64] : index.Positions;
            _indexCount = index.RelativeOffsets.Length;
            _timeTimestamps = index.Timestamps.Length == 0 ? new long[16] : index.Timestamps;
            _timeOffsets = index.TimeOffsets.Length == 0 ? new long[16] : index.TimeOffsets;
            _timeCount = index.Timestamps.Length;
            _bytesSinceIndex = long.MaxValue / 2;
            _bytesSinceTimeIndex = long.MaxValue / 2;
            MaxTimestamp = maxTimestamp;
            HasTransactionalBatches = hasTransactional;
        }

        Size = size;
        NextOffset = nextOffset;
    }

    public bool TryAcquire()
    {
        while (true)
        {
            int refs = Volatile.Read(ref _refs);
            if (refs == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _refs, refs + 1, refs) == refs)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            Handle.Dispose();
            if (_deleteOnClose)
            {
                File.Delete(LogPath);
                File.Delete(IndexPath);
            }
        }
    }

    /// <summary>Drops the owner's reference; the handle closes (and files are deleted if asked) after the last reader.</summary>
    public void Retire(bool deleteFiles)
    {
        _deleteOnClose = deleteFiles;
        Release();
    }

    private static void Grow<T1, T2>(ref T1[] a, ref T2[] b, int count)
    {
        if (count < a.Length)
        {
            return;
        }

        Array.Resize(ref a, a.Length * 2);
        Array.Resize(ref b, b.Length * 2);
    }
}

/// <summary>A copy of a segment's sparse indexes.</summary>
internal sealed record SegmentIndexSnapshot(int[] RelativeOffsets, int[] Positions, long[] Timestamps, long[] TimeOffsets);
