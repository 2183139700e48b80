using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Operators;

/// <summary>
/// The function context shared by keyed (co-)process operators, on top of the backend and timers of
/// <see cref="KeyedStreamOperator{TKey}"/>. Timers fire in (timestamp, registration) order with the key restored,
/// event-time timers when the watermark passes them and processing-time timers when the clock does.
/// </summary>
internal abstract class KeyedOperatorBase<TKey, TOut> : KeyedStreamOperator<TKey>, ITimerService, ITimerTarget<TKey, VoidNamespace> where TKey : notnull
{
    private const int SweepInterval = 4096;
    private int _untilSweep = SweepInterval;
    private InternalTimerService<TKey, VoidNamespace> _timers = null!;

    protected KeyedOperatorBase(IKeyHasher<TKey> hasher, Output<TOut> output) : base(hasher)
    {
        Output = output;
        Collector = new TimestampedCollector<TOut>(output);
        FunctionContext = new KeyedContext(this);
        Downstream = output;
    }

    protected Output<TOut> Output { get; }

    protected TimestampedCollector<TOut> Collector { get; }

    protected KeyedContext FunctionContext { get; }

    /// <summary>Opens the backend and timers, exposes them to user functions, and creates the process functions' timer service (<see cref="KeyedStateSnapshot.DefaultTimerService"/>).</summary>
    public override void Open()
    {
        base.Open();
        Context.KeyedState = Backend;
        Context.KeyedTimers = this;
        _timers = Timers.GetTimerService(KeyedStateSnapshot.DefaultTimerService, VoidNamespace.Serializer, this);
    }

    /// <summary>Sets the current key and timestamp before user code runs for a record.</summary>
    protected void Enter(TKey key, long timestamp)
    {
        Backend.SetCurrentKey(key);
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
        Timers.AdvanceWatermark(watermark);
        Backend.MaybeSweep();
        ForwardWatermark(watermark);
    }

    /// <summary>Sends the watermark on after the due event-time timers fired; an operator may hold it back or transform it.</summary>
    protected virtual void ForwardWatermark(long watermark) => Output.EmitWatermark(watermark);

    public override void OnProcessingTime(long now)
    {
        Timers.OnProcessingTime(now);
        Backend.MaybeSweep();
    }

    void ITimerTarget<TKey, VoidNamespace>.OnEventTime(TKey key, VoidNamespace ns, long time) => FireTimer(key, time, TimeDomain.EventTime);

    void ITimerTarget<TKey, VoidNamespace>.OnProcessingTime(TKey key, VoidNamespace ns, long time) => FireTimer(key, time, TimeDomain.ProcessingTime);

    private void FireTimer(TKey key, long time, TimeDomain domain)
    {
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

    long ITimerService.CurrentProcessingTime => Context.StepNow;

    long ITimerService.CurrentWatermark => CurrentWatermark;

    void ITimerService.RegisterEventTimeTimer(long time) => _timers.RegisterEventTimeTimer(VoidNamespace.Instance, time);

    void ITimerService.DeleteEventTimeTimer(long time) => _timers.DeleteEventTimeTimer(VoidNamespace.Instance, time);

    void ITimerService.RegisterProcessingTimeTimer(long time) => _timers.RegisterProcessingTimeTimer(VoidNamespace.Instance, time);

    void ITimerService.DeleteProcessingTimeTimer(long time) => _timers.DeleteProcessingTimeTimer(VoidNamespace.Instance, time);

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
