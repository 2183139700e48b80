using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// Transaction bookkeeping of a partition (Kafka's model): transactional batches carry a producer id (one per
/// transaction); a control batch (commit or abort marker) closes it. The last stable offset (LSO) is the first
/// offset of the oldest open transaction, or the high watermark when none is open; read-committed readers stop
/// there and skip batches of aborted transactions.
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>Control-batch attribute bit: set for a commit marker, clear for an abort marker.</summary>
    internal const short AttributeCommitMarker = 4;

    private readonly Dictionary<long, long> _openTransactions = [];
    private AbortedRange[] _aborted = [];
    private long _lastStableOffset;

    /// <summary>Last stable offset: read-committed readers see only offsets below it.</summary>
    public long LastStableOffset => Volatile.Read(ref _lastStableOffset);

    /// <summary>Producer ids of transactions with data in this partition and no marker yet.</summary>
    internal long[] OpenTransactionIds()
    {
        lock (_appendLock)
        {
            return [.. _openTransactions.Keys];
        }
    }

    /// <summary>Largest producer id seen in this partition's transactional batches (for id allocation after restart).</summary>
    internal long MaxProducerIdSeen { get; private set; } = -1;

    internal AppendResult AppendTransactional(RecordBatchBuilder batch, long producerId, short epoch) =>
        AppendCore(batch.Build(BatchFormat.AttributeTransactional, producerId, epoch));

    /// <summary>Appends a commit or abort marker for <paramref name="producerId"/> if it has an open transaction here.</summary>
    internal void WriteMarker(long producerId, short epoch, bool commit)
    {
        lock (_appendLock)
        {
            if (!_openTransactions.ContainsKey(producerId))
            {
                return;
            }
        }

        using var builder = new RecordBatchBuilder(256, _options.TimeProvider);
        builder.AddWithoutKey(commit ? [0, 1] : [0, 0]);
        short attributes = (short)(BatchFormat.AttributeTransactional | BatchFormat.AttributeControl | (commit ? AttributeCommitMarker : 0));
        AppendCore(builder.Build(attributes, producerId, epoch));
    }

    /// <summary>Read-only recovery: applies the decision a writable open would record with a marker to the in-memory
    /// transaction state only (the transaction's records become visible, or count as aborted).</summary>
    internal void ResolveInMemory(long producerId, bool commit)
    {
        lock (_appendLock)
        {
            if (!_openTransactions.Remove(producerId, out long first))
            {
                return;
            }

            if (!commit)
            {
                Volatile.Write(ref _aborted, [.. _aborted, new AbortedRange(producerId, first, _highWatermark - 1)]);
            }

            UpdateLastStableOffset();
        }
    }

    /// <summary>fsyncs everything appended so far regardless of the flush policy (used by prepare/commit).</summary>
    internal void FlushForTransaction() => WaitDurable(EndOffset);

    private void TrackTransactional(in BatchHeader header)
    {
        MaxProducerIdSeen = Math.Max(MaxProducerIdSeen, header.ProducerId);
        if (!header.IsControl)
        {
            _openTransactions.TryAdd(header.ProducerId, header.BaseOffset);
            return;
        }

        if (!_openTransactions.Remove(header.ProducerId, out long first))
        {
            return;
        }

        if ((header.Attributes & AttributeCommitMarker) == 0)
        {
            Volatile.Write(ref _aborted, [.. _aborted, new AbortedRange(header.ProducerId, first, header.BaseOffset - 1)]);
        }
    }

    private void RecoverTransactional(in BatchHeader header)
    {
        if (header.IsTransactional)
        {
            TrackTransactional(header);
        }
    }

    private void UpdateLastStableOffset()
    {
        long lso = _highWatermark;
        foreach (long first in _openTransactions.Values)
        {
            lso = Math.Min(lso, first);
        }

        Volatile.Write(ref _lastStableOffset, lso);
    }

    private static bool IsAborted(AbortedRange[] aborted, long producerId, long offset)
    {
        foreach (AbortedRange r in aborted)
        {
            if (r.ProducerId == producerId && r.FirstOffset <= offset && offset <= r.LastOffset)
            {
                return true;
            }
        }

        return false;
    }

    private void PruneAborted(long logStartOffset)
    {
        AbortedRange[] current = Volatile.Read(ref _aborted);
        if (current.Length > 0 && current[0].LastOffset < logStartOffset)
        {
            Volatile.Write(ref _aborted, Array.FindAll(current, r => r.LastOffset >= logStartOffset));
        }
    }

    private readonly record struct AbortedRange(long ProducerId, long FirstOffset, long LastOffset);
}
