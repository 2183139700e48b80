namespace Sluice.Graph;

/// <summary>
/// An interval join's bounds and result function: a <see cref="KeyedCoProcessTransformation{TKey, TIn1, TIn2, TOut}"/>
/// that carries one is planned as the runtime's interval join operator instead of a co-process function.
/// </summary>
/// <param name="Lower">Lower bound in ms: a left record at <c>t</c> joins right records at <c>t' ≥ t + Lower</c>.</param>
/// <param name="Upper">Upper bound in ms: <c>t' ≤ t + Upper</c>.</param>
/// <param name="Join">The result of one matching pair.</param>
internal sealed record IntervalJoinSpec<T1, T2, TOut>(long Lower, long Upper, Func<T1, T2, TOut> Join);
