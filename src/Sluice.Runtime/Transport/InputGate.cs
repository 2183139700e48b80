using System.Diagnostics;

namespace Sluice.Runtime.Transport;

/// <summary>
/// The inbox of one task: its input channels plus a wake-up flag for timers, source availability and cancellation.
/// Producers block in <see cref="Send"/> while their channel is full (backpressure) when the gate is bounded; the
/// consumer takes messages round-robin across channels and blocks in <see cref="WaitForWork"/> when all are empty.
/// Thread-safe: one lock guards every channel of the gate.
/// </summary>
internal sealed class InputGate
{
    private readonly object _lock = new();
    private readonly List<InputChannel> _channels = [];
    private readonly bool _bounded;
    private readonly CancellationToken _cancellation;
    private int _nextChannel;
    private int _queuedMessages;
    private bool _wakeRequested;
    private bool _consumerWaiting;
    private int _waitingProducers;

    private readonly Action? _onWake;

    /// <param name="bounded">Block producers on full channels (parallel mode); unbounded in deterministic mode.</param>
    /// <param name="cancellation">Ends every wait of the gate.</param>
    /// <param name="onWake">Also called by <see cref="WakeUp"/> (the deterministic scheduler waits on it).</param>
    public InputGate(bool bounded, CancellationToken cancellation, Action? onWake = null)
    {
        _bounded = bounded;
        _cancellation = cancellation;
        _onWake = onWake;
    }

    /// <summary>The attempt's cancellation: cancelled when the job is cancelled or the attempt ends.</summary>
    public CancellationToken Cancellation => _cancellation;

    public IReadOnlyList<InputChannel> Channels => _channels;

    /// <summary>Largest number of records ever queued in one channel of this gate.</summary>
    public int MaxQueuedRecordsPerChannel { get; private set; }

    /// <summary>How many times a producer found its channel full and had to wait.</summary>
    public long BackpressureWaits { get; private set; }

    /// <summary>Raised (outside the lock) each time a producer starts waiting on a full channel; for tests and metrics.</summary>
    public event Action<InputChannel>? ProducerBlocked;

    public InputChannel AddChannel(int inputIndex, string upstream, int capacity)
    {
        var channel = new InputChannel(this, _channels.Count, inputIndex, upstream, capacity);
        _channels.Add(channel);
        return channel;
    }

    /// <summary>
    /// Appends <paramref name="message"/> to <paramref name="channel"/>, blocking while a bounded channel is full.
    /// For record batches returns an empty batch to fill next (pooled, or null when the pool is empty).
    /// </summary>
    /// <exception cref="OperationCanceledException">The job was cancelled while waiting.</exception>
    public object? Send(InputChannel channel, in ChannelMessage message)
    {
        Debug.Assert(channel.Gate == this);
        var notified = false;
        lock (_lock)
        {
            if (_bounded && message.Kind == MessageKind.Records && channel.QueuedBatches >= channel.Capacity)
            {
                // The slow path only: a producer that finds room pays nothing for the time accounting.
                Volatile.Write(ref channel.BlockedSinceTicks, Stopwatch.GetTimestamp());
                while (channel.QueuedBatches >= channel.Capacity)
                {
                    _cancellation.ThrowIfCancellationRequested();
                    BackpressureWaits++;
                    if (!notified && ProducerBlocked is { } handler)
                    {
                        notified = true;
                        Monitor.Exit(_lock);
                        try
                        {
                            handler(channel);
                        }
                        finally
                        {
                            Monitor.Enter(_lock);
                        }
                        continue;
                    }
                    _waitingProducers++;
                    try
                    {
                        Monitor.Wait(_lock);
                    }
                    finally
                    {
                        _waitingProducers--;
                    }
                }
                // Added before the block is cleared, so a reader between the two writes counts the block twice at worst, never loses it.
                Volatile.Write(ref channel.BackpressuredTicks, channel.BackpressuredTicks + Stopwatch.GetTimestamp() - channel.BlockedSinceTicks);
                Volatile.Write(ref channel.BlockedSinceTicks, 0);
            }
            channel.Enqueue(message);
            _queuedMessages++;
            if (channel.QueuedRecords > MaxQueuedRecordsPerChannel)
            {
                MaxQueuedRecordsPerChannel = channel.QueuedRecords;
            }
            if (_consumerWaiting)
            {
                Monitor.PulseAll(_lock);
            }
            return message.Kind == MessageKind.Records ? channel.TakeFreeBatch() : null;
        }
    }

    /// <summary>
    /// Takes the next message, visiting channels round-robin so no input starves. Returns false when every
    /// channel is empty. Consumer thread only.
    /// </summary>
    public bool TryTake(out InputChannel channel, out ChannelMessage message)
    {
        lock (_lock)
        {
            if (_queuedMessages > 0)
            {
                var n = _channels.Count;
                for (var i = 0; i < n; i++)
                {
                    var candidate = _channels[(_nextChannel + i) % n];
                    if (!candidate.Blocked && candidate.TryDequeue(out message))
                    {
                        _nextChannel = (candidate.Index + 1) % n;
                        _queuedMessages--;
                        channel = candidate;
                        if (_waitingProducers > 0)
                        {
                            Monitor.PulseAll(_lock);
                        }
                        return true;
                    }
                }
            }
        }
        channel = null!;
        message = default;
        return false;
    }

    /// <summary>
    /// Stops (or resumes) reading <paramref name="channel"/>: during barrier alignment a channel that delivered the
    /// barrier is blocked until every other channel delivered it too. Consumer thread only.
    /// </summary>
    public void SetBlocked(InputChannel channel, bool blocked)
    {
        lock (_lock)
        {
            channel.Blocked = blocked;
        }
    }

    /// <summary>Messages waiting in channels that are not blocked.</summary>
    private bool HasReadableMessage()
    {
        if (_queuedMessages == 0)
        {
            return false;
        }
        foreach (var channel in _channels)
        {
            if (!channel.Blocked && channel.Count > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Gives a consumed record batch back to its channel's pool. Consumer thread only.</summary>
    public void Recycle(InputChannel channel, object batch)
    {
        lock (_lock)
        {
            channel.ReturnFreeBatch(batch);
        }
    }

    /// <summary>Blocks until a message is queued or <see cref="WakeUp"/> is called (or was called since the last wait).</summary>
    /// <exception cref="OperationCanceledException">The job was cancelled.</exception>
    public void WaitForWork()
    {
        lock (_lock)
        {
            while (!_wakeRequested && !HasReadableMessage())
            {
                _cancellation.ThrowIfCancellationRequested();
                _consumerWaiting = true;
                Monitor.Wait(_lock);
                _consumerWaiting = false;
            }
            _wakeRequested = false;
        }
        _cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>Wakes the consumer (timer due, source data available) and any blocked producer (cancellation). Any thread.</summary>
    public void WakeUp()
    {
        lock (_lock)
        {
            _wakeRequested = true;
            Monitor.PulseAll(_lock);
        }
        _onWake?.Invoke();
    }
}
