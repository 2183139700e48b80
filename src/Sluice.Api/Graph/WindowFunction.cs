using System.Runtime.CompilerServices;

namespace Sluice.Graph;

/// <summary>
/// What a window keeps per (key, pane or session) and how a fired window becomes output: the common shape of
/// windowed reduce, aggregate and process. <see cref="Merge"/> may modify and return <c>a</c> but must never modify
/// <c>b</c> (panes are shared by overlapping windows).
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TIn">Input record type.</typeparam>
/// <typeparam name="TAcc">Per-pane accumulator.</typeparam>
/// <typeparam name="TOut">Output record type.</typeparam>
/// <remarks>
/// It is also the aggregate a window operator's aggregating state folds records with (the result being the
/// accumulator itself): the state calls <see cref="Add"/> through the interface straight into the sealed override, with
/// no adapter in between (each call copies the record, a struct often larger than 50 bytes).
/// </remarks>
internal abstract class WindowFunction<TKey, TIn, TAcc, TOut> : IAggregateFunction<TIn, TAcc, TAcc>
{
    /// <summary>A fresh accumulator.</summary>
    public abstract TAcc Create();

    /// <inheritdoc cref="Create" />
    public TAcc CreateAccumulator() => Create();

    /// <summary>The accumulator itself: window state keeps accumulators, a fired window reads them.</summary>
    public TAcc GetResult(TAcc accumulator) => accumulator;

    /// <summary>Folds one record into an accumulator.</summary>
    public abstract TAcc Add(TAcc accumulator, TIn value);

    /// <summary>Combines accumulators; may modify <paramref name="a"/>, never <paramref name="b"/>.</summary>
    public abstract TAcc Merge(TAcc a, TAcc b);

    /// <summary>Emits the result of a fired window.</summary>
    public abstract void Emit(TKey key, TimeWindow window, TAcc accumulator, ICollector<TOut> output);
}

/// <summary>Accumulator of a windowed reduce: the folded value, if any record arrived.</summary>
/// <typeparam name="T">Record type.</typeparam>
/// <param name="HasValue">False until the first record.</param>
/// <param name="Value">The folded value.</param>
internal readonly record struct ReduceAccumulator<T>(bool HasValue, T Value);

/// <summary>Windowed reduce with a result projection.</summary>
internal sealed class ReduceWindowFunction<TKey, T, TOut>(Func<T, T, T> reduce, Func<TKey, TimeWindow, T, TOut> result)
    : WindowFunction<TKey, T, ReduceAccumulator<T>, TOut>
{
    /// <inheritdoc />
    public override ReduceAccumulator<T> Create() => default;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override ReduceAccumulator<T> Add(ReduceAccumulator<T> accumulator, T value) =>
        new(true, accumulator.HasValue ? reduce(accumulator.Value, value) : value);

    /// <inheritdoc />
    public override ReduceAccumulator<T> Merge(ReduceAccumulator<T> a, ReduceAccumulator<T> b) =>
        !a.HasValue ? b : !b.HasValue ? a : new(true, reduce(a.Value, b.Value));

    /// <inheritdoc />
    public override void Emit(TKey key, TimeWindow window, ReduceAccumulator<T> accumulator, ICollector<TOut> output)
    {
        if (accumulator.HasValue)
        {
            output.Collect(result(key, window, accumulator.Value));
        }
    }
}

/// <summary>Windowed aggregate with a result projection.</summary>
internal sealed class AggregateWindowFunction<TKey, TIn, TAcc, TAgg, TOut>(IAggregateFunction<TIn, TAcc, TAgg> aggregate, Func<TKey, TimeWindow, TAgg, TOut> result)
    : WindowFunction<TKey, TIn, TAcc, TOut>
{
    /// <inheritdoc />
    public override TAcc Create() => aggregate.CreateAccumulator();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override TAcc Add(TAcc accumulator, TIn value) => aggregate.Add(accumulator, value);

    /// <inheritdoc />
    public override TAcc Merge(TAcc a, TAcc b) => aggregate.Merge(a, b);

    /// <inheritdoc />
    public override void Emit(TKey key, TimeWindow window, TAcc accumulator, ICollector<TOut> output) =>
        output.Collect(result(key, window, aggregate.GetResult(accumulator)));
}

/// <summary>Windowed process function: keeps every record of the window.</summary>
internal sealed class ProcessWindowFunctionAdapter<TKey, TIn, TOut>(ProcessWindowFunction<TKey, TIn, TOut> function)
    : WindowFunction<TKey, TIn, List<TIn>, TOut>
{
    /// <inheritdoc />
    public override List<TIn> Create() => [];

    /// <inheritdoc />
    public override List<TIn> Add(List<TIn> accumulator, TIn value)
    {
        accumulator.Add(value);
        return accumulator;
    }

    /// <inheritdoc />
    public override List<TIn> Merge(List<TIn> a, List<TIn> b)
    {
        a.AddRange(b);
        return a;
    }

    /// <inheritdoc />
    public override void Emit(TKey key, TimeWindow window, List<TIn> accumulator, ICollector<TOut> output) =>
        function.Process(key, window, accumulator, output);
}
