using Sluice.State;

namespace Sluice;

/// <summary>What a function can see of the operator instance it runs in. Valid from <c>Open</c> until the job ends.</summary>
public interface IRuntimeContext
{
    /// <summary>The job's name (<c>JobOptions.JobName</c>).</summary>
    string JobName { get; }

    /// <summary>The id of the job's run (the <c>job.id</c> of its logs and metrics); the default id outside a submitted job (test drivers).</summary>
    JobId JobId { get; }

    /// <summary>The operator's display name.</summary>
    string OperatorName { get; }

    /// <summary>This instance's subtask index, in <c>[0, Parallelism)</c>.</summary>
    int SubtaskIndex { get; }

    /// <summary>How many parallel instances the operator has.</summary>
    int Parallelism { get; }

    /// <summary>The job's clock.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Keyed state; only on keyed streams.</summary>
    /// <exception cref="InvalidOperationException">The operator is not keyed.</exception>
    IKeyedStateStore State { get; }
}

/// <summary>Per-call context of a process function: the record's timestamp, timers and side outputs.</summary>
public abstract class ProcessContext
{
    /// <summary>Event time of the record (or timer) being processed; <see cref="EventTime.NoTimestamp"/> when it has none.</summary>
    public abstract long Timestamp { get; }

    /// <summary>Clocks and (on keyed streams) timers.</summary>
    public abstract ITimerService TimerService { get; }

    /// <summary>Emits <paramref name="value"/> to the side output <paramref name="tag"/>, with the current timestamp.</summary>
    public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
}

/// <summary>Context of a keyed process function: adds the current key and, in <c>OnTimer</c>, which clock fired.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
public abstract class KeyedProcessContext<TKey> : ProcessContext
{
    /// <summary>The key of the record or timer being processed.</summary>
    public abstract TKey CurrentKey { get; }

    /// <summary>In <c>OnTimer</c>, the clock of the firing timer.</summary>
    public abstract TimeDomain TimeDomain { get; }
}

/// <summary>A function over every record of a (non-keyed) stream, with side outputs. One instance per subtask.</summary>
/// <typeparam name="TIn">Input records.</typeparam>
/// <typeparam name="TOut">Output records.</typeparam>
public abstract class ProcessFunction<TIn, TOut>
{
    /// <summary>Called once per subtask before the first record.</summary>
    public virtual void Open(IRuntimeContext context) { }

    /// <summary>Processes one record; may emit any number of records and side outputs.</summary>
    public abstract void ProcessElement(TIn value, ProcessContext context, ICollector<TOut> output);

    /// <summary>Called once per subtask after the last record (or on failure).</summary>
    public virtual void Close() { }
}

/// <summary>
/// A function over a keyed stream with keyed state and timers (the building block of custom windows, dedup,
/// pattern detection). One instance per subtask serves all its keys: keep per-key data in state, not fields.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TIn">Input records.</typeparam>
/// <typeparam name="TOut">Output records.</typeparam>
public abstract class KeyedProcessFunction<TKey, TIn, TOut>
{
    /// <summary>Called once per subtask before the first record: obtain state handles here.</summary>
    public virtual void Open(IRuntimeContext context) { }

    /// <summary>Processes one record of <see cref="KeyedProcessContext{TKey}.CurrentKey"/>.</summary>
    public abstract void ProcessElement(TIn value, KeyedProcessContext<TKey> context, ICollector<TOut> output);

    /// <summary>Called when a timer registered for the current key fires; <paramref name="timestamp"/> is the timer's time.</summary>
    public virtual void OnTimer(long timestamp, KeyedProcessContext<TKey> context, ICollector<TOut> output) { }

    /// <summary>Called once per subtask at the end.</summary>
    public virtual void Close() { }
}

/// <summary>A function over two keyed streams sharing one key space, state and timers (enrichment, joins, rules).</summary>
/// <typeparam name="TKey">The shared key type.</typeparam>
/// <typeparam name="TIn1">Records of the first stream.</typeparam>
/// <typeparam name="TIn2">Records of the second stream.</typeparam>
/// <typeparam name="TOut">Output records.</typeparam>
public abstract class KeyedCoProcessFunction<TKey, TIn1, TIn2, TOut>
{
    /// <summary>Called once per subtask before the first record: obtain state handles here.</summary>
    public virtual void Open(IRuntimeContext context) { }

    /// <summary>Processes one record of the first stream.</summary>
    public abstract void ProcessElement1(TIn1 value, KeyedProcessContext<TKey> context, ICollector<TOut> output);

    /// <summary>Processes one record of the second stream.</summary>
    public abstract void ProcessElement2(TIn2 value, KeyedProcessContext<TKey> context, ICollector<TOut> output);

    /// <summary>Called when a timer registered for the current key fires.</summary>
    public virtual void OnTimer(long timestamp, KeyedProcessContext<TKey> context, ICollector<TOut> output) { }

    /// <summary>Called once per subtask at the end.</summary>
    public virtual void Close() { }
}

/// <summary>A function over all records of one key's window, called when the window fires.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TIn">Records in the window.</typeparam>
/// <typeparam name="TOut">Output records.</typeparam>
public abstract class ProcessWindowFunction<TKey, TIn, TOut>
{
    /// <summary>
    /// Evaluates a window. <paramref name="elements"/> are in arrival order and valid only during the call.
    /// With allowed lateness a window may be evaluated again with more elements.
    /// </summary>
    public abstract void Process(TKey key, TimeWindow window, IReadOnlyList<TIn> elements, ICollector<TOut> output);
}
