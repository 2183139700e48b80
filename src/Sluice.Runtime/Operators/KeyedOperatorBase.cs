using Sluice.Runtime.State;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Operators;

/// <summary>
/// Keyed state, timers and the function context shared by keyed (co-)process operators. Timers fire in
/// (timestamp, registration) order with the key restored, event-time timers when the watermark passes them and
/// processing-time timers when the clock does.
/// </summary>
internal abstract class KeyedOperatorBase<TKey, TOut> : StreamOperator, ITimerService, IKeyedStateInspection where TKey : notnull
{
    private const int SweepInterval = 4096;
    private readonly TimerQueue<TKey> _eventTimers = new();
    private readonly TimerQueue<TKey> _processingTimers = new();
    private int _untilSweep = SweepInterval;

    private readonly IKeyHasher<TKey> _hasher;

    protected KeyedOperatorBase(IKeyHasher<TKey> hasher, Output<TOut> output)
    {
        _hasher = hasher;
        Output = output;
        Collector = new TimestampedCollector<TOut>(output);
        FunctionContext = new KeyedContext(this);
        Downstream = output;
    }

    protected Output<TOut> Output { get; }

    protected TimestampedCollector<TOut> Collector { get; }

    protected KeyedContext FunctionContext { get; }

    protected HeapKeyedStateBackend<TKey> Backend { get; private set; } = null!;

    /// <summary>The state backend, for tests and snapshots.</summary>
    internal HeapKeyedStateBackend<TKey> StateBackend => Backend;

    /// <summary>Live timers in both domains.</summary>
    public int TimerCount => _eventTimers.Count + _processingTimers.Count;

    /// <summary>Live state entries over all states.</summary>
    public int StateEntryCount => Backend?.EntryCount ?? 0;

    public override void Open()
    {
        Backend = new HeapKeyedStateBackend<TKey>(Context.TimeProvider, _hasher, Context.Options.KeyGroupCount);
        Context.KeyedState = Backend;
        Context.KeyedTimers = this;
        if (Context.Restore is { } restore)
        {
            CurrentWatermark = Backend.Restore(restore, Context.OperatorName, _eventTimers, _processingTimers);
            var next = _processingTimers.NextTime;
            if (next != long.MaxValue)
            {
                Context.RequestProcessingTime(next);
            }
        }
    }

    public override void SnapshotState(Checkpointing.SnapshotContext context) =>
        Backend.Snapshot(context, _eventTimers, _processingTimers, CurrentWatermark);

    /// <summary>Sets the current key and timestamp before user code runs for a record.</summary>
    protected void Enter(TKey key, long timestamp)
    {
        if (key is null)
        {
            throw new InvalidOperationException("The key selector returned null; keys must not be null.");
        }
        Backend.CurrentKey = key;
        FunctionContext.CurrentTimestamp = timestamp;
        Collector.Timestamp = timestamp;
        if (--_untilSweep == 0)
        {
            _untilSweep = SweepInterval;
            Backend.MaybeSweep();
        }
    }

    /// <summary>Calls the user function's timer callback for the current key.</summary>
    protected abstract void InvokeOnTimer(long time);

    public override void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        while (_eventTimers.TryPopDue(watermark, out var key, out var time))
        {
            FireTimer(key, time, TimeDomain.EventTime);
        }
        Backend.MaybeSweep();
        ForwardWatermark(watermark);
    }

    /// <summary>Sends the watermark on after the due event-time timers fired; an operator may hold it back or transform it.</summary>
    protected virtual void ForwardWatermark(long watermark) => Output.EmitWatermark(watermark);

    public override void OnProcessingTime(long now)
    {
        while (_processingTimers.TryPopDue(now, out var key, out var time))
        {
            FireTimer(key, time, TimeDomain.ProcessingTime);
        }
        Backend.MaybeSweep();
        var next = _processingTimers.NextTime;
        if (next != long.MaxValue)
        {
            Context.RequestProcessingTime(next);
        }
    }

    private void FireTimer(TKey key, long time, TimeDomain domain)
    {
        Backend.CurrentKey = key;
        FunctionContext.CurrentTimestamp = time;
        FunctionContext.Domain = domain;
        Collector.Timestamp = time;
        try
        {
            InvokeOnTimer(time);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure($"in OnTimer ({domain} timer at {EventTime.Format(time)}, key {key})", null, e);
        }
    }

    long ITimerService.CurrentProcessingTime => Context.Now;

    long ITimerService.CurrentWatermark => CurrentWatermark;

    void ITimerService.RegisterEventTimeTimer(long time) => _eventTimers.Register(Backend.CurrentKey, time);

    void ITimerService.DeleteEventTimeTimer(long time) => _eventTimers.Delete(Backend.CurrentKey, time);

    void ITimerService.RegisterProcessingTimeTimer(long time)
    {
        if (_processingTimers.Register(Backend.CurrentKey, time))
        {
            Context.RequestProcessingTime(time);
        }
    }

    void ITimerService.DeleteProcessingTimeTimer(long time) => _processingTimers.Delete(Backend.CurrentKey, time);

    protected sealed class KeyedContext(KeyedOperatorBase<TKey, TOut> owner) : KeyedProcessContext<TKey>
    {
        public long CurrentTimestamp;
        public TimeDomain Domain;

        public override long Timestamp => CurrentTimestamp;

        public override TKey CurrentKey => owner.Backend.CurrentKey;

        public override TimeDomain TimeDomain => Domain;

        public override ITimerService TimerService => owner;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => owner.Output.EmitSide(tag, value, CurrentTimestamp);
    }
}
