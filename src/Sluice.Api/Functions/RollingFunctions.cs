using Sluice.State;

namespace Sluice.Functions;

/// <summary>Rolling keyed reduce: keeps the folded value per key and emits it after each record.</summary>
internal sealed class RollingReduceFunction<TKey, T>(Func<T, T, T> reduce) : KeyedProcessFunction<TKey, T, T>
{
    private IValueState<T> _state = null!;

    public override void Open(IRuntimeContext context) => _state = context.State.GetState(new ValueStateDescriptor<T>("reduce"));

    public override void ProcessElement(T value, KeyedProcessContext<TKey> context, ICollector<T> output)
    {
        var next = _state.TryGet(out var current) ? reduce(current, value) : value;
        _state.Update(next);
        output.Collect(next);
    }
}

/// <summary>Rolling keyed aggregate: keeps the accumulator per key and emits the result after each record.</summary>
internal sealed class RollingAggregateFunction<TKey, TIn, TAcc, TOut>(IAggregateFunction<TIn, TAcc, TOut> aggregate) : KeyedProcessFunction<TKey, TIn, TOut>
{
    private IValueState<TAcc> _state = null!;

    public override void Open(IRuntimeContext context) => _state = context.State.GetState(new ValueStateDescriptor<TAcc>("aggregate"));

    public override void ProcessElement(TIn value, KeyedProcessContext<TKey> context, ICollector<TOut> output)
    {
        var acc = _state.TryGet(out var current) ? current : aggregate.CreateAccumulator();
        acc = aggregate.Add(acc, value);
        _state.Update(acc);
        output.Collect(aggregate.GetResult(acc));
    }
}
