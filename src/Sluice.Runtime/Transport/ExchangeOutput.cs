using System.Runtime.CompilerServices;
using Sluice.Graph;

namespace Sluice.Runtime.Transport;

/// <summary>How an exchange picks the downstream subtask of a record.</summary>
internal enum PartitionKind
{
    /// <summary>Upstream subtask i feeds downstream subtask i only.</summary>
    Forward,

    /// <summary>Records are spread round-robin over all downstream subtasks.</summary>
    Rebalance,

    /// <summary>Key → key group → the subtask owning that key group.</summary>
    KeyGroups,
}

/// <summary>
/// The sending end of an exchange from one upstream subtask: batches records per downstream channel and hands
/// full batches to the channel (blocking while it is full). A watermark goes into every channel's current batch at
/// its position (<see cref="RecordBatch"/>), so it stays between the records it was emitted between and travels
/// with them; idleness, barriers and end-of-input are broadcast to every channel after flushing, so they stay behind
/// the records that precede them. Task thread only.
/// </summary>
internal sealed class ExchangeOutput<T> : Output<T>, IExchange
{
    private readonly InputChannel[] _targets;
    private readonly RecordBatch<T>[] _batches;
    private readonly PartitionKind _kind;
    private readonly KeySpec<T>? _key;
    private readonly int[] _ownerByKeyGroup;
    private readonly int _batchSize;
    private int _next;
    private long _taken;

    public ExchangeOutput(InputChannel[] targets, PartitionKind kind, KeySpec<T>? key, int keyGroupCount, int batchSize)
    {
        _targets = targets;
        // One target owns every key group and every round-robin turn: route as forward, without computing the key
        // and its hash per record (the keyed consumer reads the key itself).
        _kind = targets.Length == 1 ? PartitionKind.Forward : kind;
        _key = key;
        _batchSize = batchSize;
        _batches = new RecordBatch<T>[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            _batches[i] = new RecordBatch<T>(batchSize);
        }
        _ownerByKeyGroup = new int[_kind == PartitionKind.KeyGroups ? keyGroupCount : 0];
        for (var g = 0; g < _ownerByKeyGroup.Length; g++)
        {
            _ownerByKeyGroup[g] = KeyGroups.OwnerOf(g, keyGroupCount, targets.Length);
        }
    }

    public override long RecordsTaken => Volatile.Read(ref _taken);

    /// <summary>Time this producer spent blocked on full downstream channels, in Stopwatch ticks; any thread.</summary>
    public long BackpressuredTicks
    {
        get
        {
            long ticks = 0;
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var target in _targets)
            {
                ticks += target.CurrentBackpressuredTicks(now);
            }
            return ticks;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override void Collect(T value, long timestamp)
    {
        _taken++;
        int target;
        switch (_kind)
        {
            case PartitionKind.KeyGroups:
                target = _ownerByKeyGroup[KeyGroups.Assign(_key!.HashOf(value), _ownerByKeyGroup.Length)];
                break;
            case PartitionKind.Rebalance:
                target = _next;
                _next = target + 1 == _targets.Length ? 0 : target + 1;
                break;
            default:
                target = 0;
                break;
        }
        var batch = _batches[target];
        batch.Add(value, timestamp);
        if (batch.IsFull)
        {
            Send(target);
        }
    }

    public override void CollectBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        if (_kind == PartitionKind.Forward)
        {
            // One target: copy whole runs into the batch instead of routing record by record.
            _taken += values.Length;
            var offset = 0;
            while (offset < values.Length)
            {
                var batch = _batches[0];
                var n = Math.Min(values.Length - offset, batch.Values.Length - batch.Count);
                values.Slice(offset, n).CopyTo(batch.Values.AsSpan(batch.Count));
                timestamps.Slice(offset, n).CopyTo(batch.Timestamps.AsSpan(batch.Count));
                batch.Count += n;
                offset += n;
                if (batch.IsFull)
                {
                    Send(0);
                }
            }
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            Collect(values[i], timestamps[i]);
        }
    }

    /// <summary>Sends every partial batch (records or watermarks) downstream: before the task blocks, every few ms of a busy task, and before control messages.</summary>
    public void Flush()
    {
        for (var i = 0; i < _batches.Length; i++)
        {
            if (_batches[i].Count > 0 || _batches[i].MarkCount > 0)
            {
                Send(i);
            }
        }
    }

    public override void EmitWatermark(long watermark)
    {
        for (var i = 0; i < _batches.Length; i++)
        {
            if (_batches[i].MarksFull)
            {
                Send(i);
            }
            _batches[i].AddWatermark(watermark);
        }
    }

    public override void EmitIdle(bool idle) => Broadcast(idle ? MessageKind.Idle : MessageKind.Active, 0);

    /// <summary>Flushes and tells every downstream channel this producer has ended.</summary>
    public void EndOfInput() => Broadcast(MessageKind.EndOfInput, 0);

    /// <summary>Flushes and sends the barrier of checkpoint <paramref name="checkpointId"/> to every downstream channel.</summary>
    public void EmitBarrier(long checkpointId) => Broadcast(MessageKind.Barrier, checkpointId);

    private void Broadcast(MessageKind kind, long value)
    {
        Flush();
        var message = new ChannelMessage(kind, null, value);
        foreach (var target in _targets)
        {
            target.Gate.Send(target, message);
        }
    }

    private void Send(int target)
    {
        var channel = _targets[target];
        var fresh = channel.Gate.Send(channel, new ChannelMessage(MessageKind.Records, _batches[target], 0));
        _batches[target] = fresh is null ? new RecordBatch<T>(_batchSize) : Unsafe.As<RecordBatch<T>>(fresh);
    }
}

/// <summary>The type-independent face of an exchange, for the task that owns it.</summary>
internal interface IExchange
{
    /// <summary>Sends partial batches.</summary>
    void Flush();

    /// <summary>Flushes and signals end of input to every channel.</summary>
    void EndOfInput();

    /// <summary>Flushes and sends a checkpoint barrier to every channel.</summary>
    void EmitBarrier(long checkpointId);

    /// <summary>Time the producing task spent blocked on this exchange's full channels, in Stopwatch ticks; any thread.</summary>
    long BackpressuredTicks { get; }
}
