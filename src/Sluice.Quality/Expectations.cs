using Sluice.Quality.Rules;

namespace Sluice.Quality;

/// <summary>
/// The rules of an expectation over a stream of C# records, declared with <see cref="QualityStreamExtensions.Expect{T}(DataStream{T}, Func{Expectations{T}, Expectations{T}}, string?)"/>:
/// each rule has a name (unique in the expectation; it names metrics and dead letters), the field it reads (named for
/// reasons, read by a selector), and an action (default <see cref="RuleAction.DeadLetter"/> for record rules,
/// <see cref="RuleAction.Warn"/> for stream rules). Every method returns this builder.
/// </summary>
/// <remarks>Selectors run on the hot path, once per record: they must not allocate or block.</remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class Expectations<T>
{
    internal Expectations()
    {
    }

    internal List<Rule<T>> Rules { get; } = [];

    internal Func<T, string>? Payload { get; private set; }

    internal Func<T, RecordOrigin?>? Origin { get; private set; }

    /// <summary>not_null: <paramref name="selector"/> returns a value (not null).</summary>
    public Expectations<T> NotNull<TValue>(string rule, string field, Func<T, TValue> selector, RuleAction action = RuleAction.DeadLetter) =>
        Add(new NotNullRule<T, TValue>(rule, field, Accessor(selector), action));

    /// <summary>range: <paramref name="min"/> ≤ value ≤ <paramref name="max"/>; a null passes.</summary>
    /// <exception cref="ArgumentException"><paramref name="min"/> is above <paramref name="max"/>.</exception>
    public Expectations<T> Range<TValue>(string rule, string field, Func<T, TValue> selector, TValue min, TValue max, RuleAction action = RuleAction.DeadLetter)
        where TValue : IComparable<TValue> =>
        Add(new RangeRule<T, TValue>(rule, field, Accessor(selector), min, max, action));

    /// <summary>
    /// regex: the text matches <paramref name="pattern"/> (unanchored: write <c>^…$</c>); a null passes. Each match runs
    /// with <paramref name="timeout"/> (default 100 ms); one that runs out counts as a failure whose reason says so.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid regular expression.</exception>
    public Expectations<T> Matches(string rule, string field, Func<T, string?> selector, string pattern, TimeSpan? timeout = null, RuleAction action = RuleAction.DeadLetter) =>
        Add(new RegexRule<T>(rule, field, Accessor(selector)!, pattern, timeout, action));

    /// <summary>accepted_values: the value is one of <paramref name="values"/>; a null passes.</summary>
    public Expectations<T> AcceptedValues<TValue>(string rule, string field, Func<T, TValue?> selector, IEnumerable<TValue> values, RuleAction action = RuleAction.DeadLetter)
        where TValue : notnull =>
        Add(new AcceptedValuesRule<T, TValue>(rule, field, Accessor(selector)!, values, action));

    /// <summary>
    /// unique: no two records have the same <paramref name="key"/> within <paramref name="horizon"/> (event time; processing
    /// time for records without). Keys the stream by the key (one unique rule per expectation); runs after the other rules.
    /// </summary>
    /// <exception cref="NotSupportedException">No stable hasher exists for <typeparamref name="TKey"/>.</exception>
    public Expectations<T> Unique<TKey>(string rule, string field, Func<T, TKey?> key, TimeSpan horizon, RuleAction action = RuleAction.DeadLetter)
        where TKey : notnull =>
        Add(new UniqueRule<T, TKey>(rule, field, key!, NullRoute<TKey>(), KeyHasher.For<TKey>(), horizon, action));

    /// <summary>
    /// A key for the records whose key is null (a unique rule routes them under it; they touch no state): the empty string
    /// for a string key, the only reference type with a stable hasher; a value-type key is never null.
    /// </summary>
    private static TKey NullRoute<TKey>()
        where TKey : notnull =>
        typeof(TKey) == typeof(string) ? (TKey)(object)string.Empty : default!;

    /// <summary>
    /// referential: the value is a key of <paramref name="table"/>, whose keys <paramref name="loadKeys"/> returns when the
    /// operator opens (a snapshot per subtask and attempt); a null passes.
    /// </summary>
    public Expectations<T> References<TKey>(string rule, string field, Func<T, TKey?> key, string table, Func<IEnumerable<TKey>> loadKeys, RuleAction action = RuleAction.DeadLetter)
        where TKey : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(loadKeys);
        return Add(new ReferenceRule<T, TKey>(rule, field, Accessor(key)!, table, loadKeys, action));
    }

    /// <summary>custom: <paramref name="predicate"/> holds. <paramref name="field"/> names the field at fault (or null for the whole record).</summary>
    public Expectations<T> Satisfies(string rule, string? field, Func<T, bool> predicate, string? description = null, RuleAction action = RuleAction.DeadLetter)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Add(new PredicateRule<T>(rule, field, predicate, description ?? "the predicate", action));
    }

    /// <summary>
    /// freshness: every <paramref name="checkEvery"/> (default <paramref name="maxLag"/>, at most 1 minute; at most 1 day) of processing time, the newest event
    /// time seen is at most <paramref name="maxLag"/> behind the clock. Reports to <see cref="QualityViolations.Tag"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="action"/> is not Warn or Fail, or <paramref name="checkEvery"/> is over 1 day.</exception>
    public Expectations<T> Freshness(string rule, TimeSpan maxLag, TimeSpan? checkEvery = null, RuleAction action = RuleAction.Warn) =>
        Add(new FreshnessRule<T>(rule, maxLag, checkEvery, action));

    /// <summary>
    /// volume: records per tumbling event-time <paramref name="window"/> lie in [<paramref name="min"/>, <paramref name="max"/>]
    /// and, with <paramref name="trailingWindows"/> ≥ 2, within <paramref name="sigmas"/>·σ of the mean of that many previous
    /// windows. Reports to <see cref="QualityViolations.Tag"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="action"/> is not Warn or Fail, or a bound is invalid.</exception>
    public Expectations<T> Volume(string rule, TimeSpan window, long min = 0, long max = long.MaxValue, int trailingWindows = 0, double sigmas = 3, RuleAction action = RuleAction.Warn) =>
        Add(new VolumeRule<T>(rule, window, min, max, trailingWindows, sigmas, action));

    /// <summary>How a dead-lettered record is written as the letter's payload (default: its <c>ToString()</c>).</summary>
    public Expectations<T> DeadLetterPayload(Func<T, string> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Payload = payload;
        return this;
    }

    /// <summary>Where a record came from (its topic, partition and offset), when the record carries it: copied into its dead letter for replay.</summary>
    public Expectations<T> DeadLetterOrigin(Func<T, RecordOrigin?> origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        Origin = origin;
        return this;
    }

    private Expectations<T> Add(Rule<T> rule)
    {
        Rules.Add(rule);
        return this;
    }

    private static SelectorAccessor<T, TValue> Accessor<TValue>(Func<T, TValue> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new SelectorAccessor<T, TValue>(selector);
    }
}
