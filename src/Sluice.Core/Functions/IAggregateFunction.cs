namespace Sluice;

/// <summary>
/// An incremental aggregation: records are folded into an accumulator as they arrive, so a window or state
/// keeps one accumulator per key instead of every record. Implementations should be stateless (the engine may
/// call one instance for many keys) and, for zero allocation per record, use a struct accumulator.
/// </summary>
/// <typeparam name="TIn">Input records.</typeparam>
/// <typeparam name="TAcc">The accumulator.</typeparam>
/// <typeparam name="TOut">The result.</typeparam>
public interface IAggregateFunction<in TIn, TAcc, out TOut>
{
    /// <summary>A fresh, empty accumulator.</summary>
    TAcc CreateAccumulator();

    /// <summary>Folds <paramref name="value"/> into <paramref name="accumulator"/> and returns the new accumulator.</summary>
    TAcc Add(TAcc accumulator, TIn value);

    /// <summary>The result for an accumulator. Must not mutate it: allowed lateness may fire a window again.</summary>
    TOut GetResult(TAcc accumulator);

    /// <summary>Combines two accumulators (sliding-window panes, merging sessions); must be associative.</summary>
    TAcc Merge(TAcc a, TAcc b);
}
