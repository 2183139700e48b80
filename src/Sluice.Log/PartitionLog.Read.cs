using System.Buffers.Binary;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>Reading: fetch from an offset, long-poll for new data, look up offsets by timestamp.</summary>
public sealed partial class PartitionLog
{
    /// <summary>Fetches records from <paramref name="offset"/> into a new <see cref="FetchResult"/> (caller disposes).</summary>
    /// <param name="offset">First offset wanted; between <see cref="LogStartOffset"/> and <see cref="EndOffset"/>.</param>
    /// <param name="options">Limits and isolation level.</param>
    public FetchResult Fetch(long offset, FetchOptions options)
    {
        var result = new FetchResult();
        Fetch(offset, options, result);
        return result;
    }

    /// <summary>
    /// Fetches records from <paramref name="offset"/> into <paramref name="result"/>, reusing its buffer
    /// (allocation-free in steady state). Returns immediately: an empty result with
    /// <see cref="FetchResult.NextOffset"/> equal to <paramref name="offset"/> means no visible data yet (see
    /// <see cref="WaitForDataAsync"/>). Control records and, for <see cref="IsolationLevel.ReadCommitted"/>, records of
    /// aborted transactions are skipped; NextOffset then moves past them. Every batch is CRC-checked before it is returned.
    /// </summary>
    /// <param name="offset">First offset wanted; between <see cref="LogStartOffset"/> and <see cref="EndOffset"/>.</param>
    /// <param name="options">Limits and isolation level.</param>
    /// <param name="result">Buffer to fill (its previous content is discarded).</param>
    /// <exception cref="OffsetOutOfRangeException">The offset is below the log start or above the end.</exception>
    /// <exception cref="LogCorruptionException">A stored batch fails its checksum.</exception>
    public void Fetch(long offset, in FetchOptions options, FetchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        for (int attempt = 0; ; attempt++)
        {
            if (TryFetch(offset, options, result) || attempt >= 3)
            {
                return;
            }
        }
    }

    private bool TryFetch(long offset, in FetchOptions options, FetchResult result)
    {
        bool readCommitted = options.Isolation == IsolationLevel.ReadCommitted;
        long lso = LastStableOffset;
        long hw = EndOffset;
        long visibleEnd = readCommitted ? lso : hw;
        Segment[] segments = Volatile.Read(ref _segments);
        ThrowIfDisposed();
        long logStart = segments[0].BaseOffset;
        result.Reset(offset, hw, lso, logStart);
        if (offset < logStart || offset > hw)
        {
            throw new OffsetOutOfRangeException(
                $"Offset {offset} is out of range for topic '{Topic}' partition {Partition}: valid offsets are {logStart}..{hw}. "
                + $"Reset the reader to the log start or end (for a group: sluice log groups reset <group> --topic {Topic} --to-earliest).");
        }

        if (offset >= visibleEnd)
        {
            return true;
        }

        AbortedRange[] aborted = readCommitted ? Volatile.Read(ref _aborted) : [];
        int si = FindSegment(segments, offset);
        long position = segments[si].LookupPosition(offset, out long positionOffset);
        long next = offset;
        int count = 0;
        int maxRecords = options.MaxRecords > 0 ? options.MaxRecords : FetchOptions.DefaultMaxRecords;
        int maxBytes = options.MaxBytes > 0 ? Math.Max(options.MaxBytes, BatchFormat.HeaderSize) : FetchOptions.DefaultMaxBytes;
        bool full = false;
        while (si < segments.Length && !full && next < visibleEnd)
        {
            Segment segment = segments[si];
            if (!segment.TryAcquire())
            {
                ThrowIfDisposed();
                return count > 0 && Finish(result, next, count, maxRecords, visibleEnd);
            }

            long size;
            try
            {
                size = segment.Size;
                long segmentEnd = si + 1 < segments.Length ? segments[si + 1].BaseOffset : segment.NextOffset;
                // The offset the next batch read should start at: what a damaged batch here may hold from.
                long validEnd = position == 0 ? segment.BaseOffset : positionOffset;
                int needed = 0;
                while (position < size && !full && next < visibleEnd)
                {
                    if (result.BatchCount == 0)
                    {
                        result.DiscardAll();
                    }
                    else if (result.Length >= maxBytes)
                    {
                        full = true;
                        break;
                    }

                    int want = (int)Math.Min(size - position, Math.Max(Math.Max(maxBytes - result.Length, 64 * 1024), needed));
                    int chunkStart = result.Length;
                    Span<byte> chunk = result.GetSpace(want);
                    int read = RandomAccess.Read(segment.Handle, chunk, position);
                    int p = 0;
                    needed = 0;
                    bool damaged = false;
                    while (p + BatchFormat.HeaderSize <= read)
                    {
                        if (!BatchFormat.TryReadHeader(chunk[p..], out BatchHeader h) || position + p + h.TotalSize > size)
                        {
                            damaged = true;
                            break;
                        }

                        if (p + h.TotalSize > read)
                        {
                            needed = h.TotalSize;
                            break;
                        }

                        ReadOnlySpan<byte> batch = chunk.Slice(p, h.TotalSize);
                        if (h.LastOffset >= next && h.BaseOffset < visibleEnd)
                        {
                            if (!BatchFormat.BodyIsValid(batch, h))
                            {
                                damaged = true;
                                break;
                            }

                            if (h.IsControl || (readCommitted && h.IsTransactional && IsAborted(aborted, h.ProducerId, h.BaseOffset)))
                            {
                                next = h.LastOffset + 1;
                            }
                            else
                            {
                                int kept = CountRecords(batch, h.BaseOffset, next, visibleEnd, maxRecords - count, out long lastKept);
                                if (kept > 0)
                                {
                                    result.AddBatch(chunkStart + p);
                                    count += kept;
                                }

                                next = count == maxRecords && kept > 0 ? lastKept + 1 : h.LastOffset + 1;
                            }
                        }

                        validEnd = h.LastOffset + 1;
                        p += h.TotalSize;
                        if (count == maxRecords || next >= visibleEnd)
                        {
                            full = count == maxRecords;
                            break;
                        }
                    }

                    damaged |= p == 0 && needed == 0 && !full && next < visibleEnd;
                    result.Advance(p);
                    position += p;
                    if (damaged)
                    {
                        if (count > 0)
                        {
                            // The intact records before the damage first; the next fetch, from the damage, throws.
                            return Finish(result, next, count, maxRecords, visibleEnd);
                        }

                        DamagedRegion region = SegmentScanner.DescribeAt(segment.Handle, size, position, validEnd, segment.BaseOffset, segmentEnd);
                        long lastDamaged = region.ResumeOffset >= 0 ? region.ResumeOffset - 1 : segmentEnd - 1;
                        if (lastDamaged >= next)
                        {
                            throw DamageError(segment, ToDamage(segment, region, lastDamaged));
                        }

                        // The damage holds no offset at or after the wanted one (the index pointed before it, or the
                        // bytes held no records): read on past it.
                        position = region.EndPosition;
                    }
                }

                if (position >= size && si + 1 < segments.Length && validEnd < segmentEnd && next < segmentEnd && _config.CleanupPolicy == CleanupPolicy.Delete)
                {
                    // A closed segment of a non-compacted topic holds every offset up to the next segment's base.
                    if (count > 0)
                    {
                        return Finish(result, next, count, maxRecords, visibleEnd);
                    }

                    throw DamageError(segment, ToDamage(segment, MissingTail(size, validEnd), segmentEnd - 1));
                }
            }
            finally
            {
                segment.Release();
            }

            if (position < size)
            {
                break;
            }

            si++;
            position = 0;
        }

        return Finish(result, next, count, maxRecords, visibleEnd);
    }

    private static bool Finish(FetchResult result, long next, int count, int maxRecords, long visibleEnd)
    {
        result.NextOffset = next;
        result.RecordCount = count;
        result.LimitOffset = count == maxRecords ? next : visibleEnd;
        return true;
    }

    private static int CountRecords(ReadOnlySpan<byte> batch, long baseOffset, long from, long limit, int max, out long lastKept)
    {
        int kept = 0;
        lastKept = -1;
        int p = BatchFormat.HeaderSize;
        while (p < batch.Length && kept < max)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(batch[p..]);
            long offset = baseOffset + BinaryPrimitives.ReadInt32LittleEndian(batch[(p + 4)..]);
            if (offset >= limit)
            {
                break;
            }

            if (offset >= from)
            {
                kept++;
                lastKept = offset;
            }

            p += 4 + length;
        }

        return kept;
    }

    private static int FindSegment(Segment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private LogCorruptionException DamageError(Segment segment, LogDamage damage)
    {
        segment.HasKnownDamage = true;
        AddKnownDamage(damage);
        return new LogCorruptionException(
            $"Topic '{Topic}' partition {Partition}: damaged data in {damage}. The records before it were returned; "
            + $"run 'sluice log repair {Topic} --partition {Partition}' to move the damaged bytes to a quarantine file, after which reads skip {damage.OffsetRange}.",
            damage);
    }

    /// <summary>
    /// Waits until a record at or after <paramref name="offset"/> is visible at the given isolation level, the
    /// timeout elapses, or the token is cancelled. Waits on a signal set by appends and commits (no polling).
    /// </summary>
    /// <param name="offset">The offset the reader wants next.</param>
    /// <param name="isolation">Read-committed waits for the last stable offset to pass the offset.</param>
    /// <param name="timeout">Maximum wait, measured on the log's <see cref="TimeProvider"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>True when data is visible; false on timeout.</returns>
    public async ValueTask<bool> WaitForDataAsync(long offset, IsolationLevel isolation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = NowMs + (long)timeout.TotalMilliseconds;
        while (true)
        {
            Task signal = GetDataSignal();
            if (VisibleEnd(isolation) > offset)
            {
                return true;
            }

            ThrowIfDisposed();
            long remaining = deadline - NowMs;
            if (remaining <= 0)
            {
                return false;
            }

            try
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(remaining), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return VisibleEnd(isolation) > offset;
            }
        }
    }

    /// <summary>Long-poll fetch: returns at once when records are visible, else waits up to <paramref name="maxWait"/>.</summary>
    /// <param name="offset">First offset wanted.</param>
    /// <param name="options">Limits and isolation level.</param>
    /// <param name="result">Buffer to fill.</param>
    /// <param name="maxWait">Maximum wait for new data.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask FetchAsync(long offset, FetchOptions options, FetchResult result, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        Fetch(offset, options, result);
        if (result.RecordCount == 0 && result.NextOffset == offset
            && await WaitForDataAsync(offset, options.Isolation, maxWait, cancellationToken).ConfigureAwait(false))
        {
            Fetch(offset, options, result);
        }
    }

    /// <summary>
    /// Returns the first offset whose record timestamp is ≥ <paramref name="timestampMs"/> (Kafka's offsetsForTimes),
    /// or null when no such record exists (readers then start at <see cref="EndOffset"/>).
    /// </summary>
    /// <param name="timestampMs">Unix milliseconds.</param>
    public long? FindOffsetForTimestamp(long timestampMs)
    {
        Segment[] segments = Volatile.Read(ref _segments);
        long start = -1;
        foreach (Segment s in segments)
        {
            if (s.MaxTimestamp >= timestampMs)
            {
                start = Math.Max(s.LookupTimestampStart(timestampMs), LogStartOffset);
                break;
            }
        }

        if (start < 0)
        {
            return null;
        }

        using var result = new FetchResult();
        long end = EndOffset;
        while (start < end)
        {
            Fetch(start, new FetchOptions(10_000, 1024 * 1024), result);
            foreach (LogRecordView r in result)
            {
                if (r.TimestampMs >= timestampMs)
                {
                    return r.Offset;
                }
            }

            if (result.NextOffset == start)
            {
                break;
            }

            start = result.NextOffset;
        }

        return null;
    }

    private long VisibleEnd(IsolationLevel isolation) => isolation == IsolationLevel.ReadCommitted ? LastStableOffset : EndOffset;
}
