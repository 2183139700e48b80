using Sluice.Graph;
using Sluice.Windowing;

namespace Sluice;

/// <summary>
/// A keyed stream grouped into windows. Configure lateness, then finish with <see cref="Reduce(Func{T,T,T}, string?)"/>,
/// <see cref="Aggregate{TAcc, TOut}(IAggregateFunction{T, TAcc, TOut}, string?)"/> or
/// <see cref="Process{TOut}(ProcessWindowFunction{TKey, T, TOut}, string?)"/>. Results carry the window's
/// <see cref="TimeWindow.MaxTimestamp"/> as timestamp.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="T">Record type.</typeparam>
public sealed class WindowedStream<TKey, T>
{
    private readonly KeyedStream<TKey, T> _keyed;
    private readonly WindowAssigner _assigner;
    private long _allowedLatenessMs;
    private OutputTag<T>? _lateTag;

    internal WindowedStream(KeyedStream<TKey, T> keyed, WindowAssigner assigner)
    {
        _keyed = keyed;
        _assigner = assigner;
    }

    /// <summary>
    /// Keeps each window's state for <paramref name="lateness"/> of event time after it fired; a record arriving in
    /// that time is added and the window fires again with the updated result. Default: zero.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The lateness is negative.</exception>
    /// <exception cref="InvalidOperationException">The windows are not on event time.</exception>
    public WindowedStream<TKey, T> AllowedLateness(TimeSpan lateness)
    {
        var ms = EventTime.NonNegativeMillis(lateness, nameof(lateness));
        if (!_assigner.IsEventTime && ms > 0)
        {
            throw new InvalidOperationException("Allowed lateness applies to event-time windows only; processing-time windows are never late.");
        }
        _allowedLatenessMs = ms;
        return this;
    }

    /// <summary>Sends records that arrive after all their windows were cleaned up to <paramref name="tag"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is null.</exception>
    public WindowedStream<TKey, T> SideOutputLateData(OutputTag<T> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        _lateTag = tag;
        return this;
    }

    /// <summary>Folds each window's records with <paramref name="reduce"/>; emits the folded record.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (the result mapper), so no call binds ambiguously; every operator method ends with an optional name.")]
    public DataStream<T> Reduce(Func<T, T, T> reduce, string? name = null) => Reduce(reduce, static (_, _, value) => value, name);

    /// <summary>Folds each window's records with <paramref name="reduce"/>, then maps (key, window, value) to the output.</summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (the result mapper), so no call binds ambiguously; every operator method ends with an optional name.")]
    public DataStream<TOut> Reduce<TOut>(Func<T, T, T> reduce, Func<TKey, TimeWindow, T, TOut> result, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        ArgumentNullException.ThrowIfNull(result);
        return Build(new ReduceWindowFunction<TKey, T, TOut>(reduce, result), name ?? "WindowReduce");
    }

    /// <summary>Aggregates each window's records incrementally; emits the aggregate's result.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (the result mapper), so no call binds ambiguously; every operator method ends with an optional name.")]
    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate, string? name = null) =>
        Aggregate(aggregate, static (_, _, value) => value, name);

    /// <summary>Aggregates each window's records incrementally, then maps (key, window, result) to the output.</summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (the result mapper), so no call binds ambiguously; every operator method ends with an optional name.")]
    public DataStream<TOut> Aggregate<TAcc, TAgg, TOut>(IAggregateFunction<T, TAcc, TAgg> aggregate, Func<TKey, TimeWindow, TAgg, TOut> result, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(result);
        return Build(new AggregateWindowFunction<TKey, T, TAcc, TAgg, TOut>(aggregate, result), name ?? "WindowAggregate");
    }

    /// <summary>Keeps every record of each window and evaluates <paramref name="function"/> when it fires.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public DataStream<TOut> Process<TOut>(ProcessWindowFunction<TKey, T, TOut> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Build(new ProcessWindowFunctionAdapter<TKey, T, TOut>(function), name ?? "WindowProcess");
    }

    private DataStream<TOut> Build<TAcc, TOut>(WindowFunction<TKey, T, TAcc, TOut> function, string name) =>
        _keyed.Stream.Next(new WindowTransformation<TKey, T, TAcc, TOut>(
            $"{name}({Describe(_assigner)})", _keyed.Input, _keyed.Key, _assigner, _allowedLatenessMs, _lateTag, function));

    private static string Describe(WindowAssigner assigner) => assigner switch
    {
        AlignedWindowAssigner a when a.Size == a.Slide => $"tumbling {a.Size} ms{(a.IsEventTime ? "" : ", processing time")}",
        AlignedWindowAssigner a => $"sliding {a.Size}/{a.Slide} ms{(a.IsEventTime ? "" : ", processing time")}",
        SessionWindowAssigner s => $"session gap {s.Gap} ms{(s.IsEventTime ? "" : ", processing time")}",
        GlobalWindows g => $"count {g.Count}",
        _ => assigner.GetType().Name,
    };
}
