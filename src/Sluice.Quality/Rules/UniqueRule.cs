using Sluice.Operators;
using Sluice.State;

namespace Sluice.Quality.Rules;

/// <summary>
/// unique: no two records share a key within <c>horizon</c>. The expectation's stream is keyed by the key, and the rule
/// keeps one keyed-state entry per key seen (the backend snapshots, rescales and expires it): a record whose key has an
/// entry is a duplicate. A key is forgotten by an event-time timer at its first record's event time + horizon (records
/// without event time: a processing-time timer), with a state TTL of the horizon as a backstop. A null key passes: its
/// record is routed under <c>nullRoute</c> (keyed streams refuse null keys) and never reads or writes that key's state.
/// </summary>
internal sealed class UniqueRule<T, TKey> : RecordRule<T>, IKeyedRule<T>
{
    public UniqueRule(string name, string fieldPath, Func<T, TKey> key, TKey nullRoute, IKeyHasher<TKey> hasher, TimeSpan horizon, RuleAction action)
        : base(name, fieldPath, RuleKind.Unique, action)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(nullRoute);
        Key = key;
        NullRoute = nullRoute;
        Hasher = hasher;
        Horizon = horizon;
        HorizonMs = EventTime.PositiveMillis(horizon, nameof(horizon));
    }

    public Func<T, TKey> Key { get; }

    /// <summary>The key a record with a null key is routed under (any non-null key: the record does not touch its state).</summary>
    public TKey NullRoute { get; }

    public IKeyHasher<TKey> Hasher { get; }

    public TimeSpan Horizon { get; }

    public long HorizonMs { get; }

    public override bool IsKeyed => true;

    public override string Describe() => $"unique within {Horizon}";

    public override RecordCheck<T> CreateCheck() => new UniqueCheck(this);

    /// <summary>Keys <paramref name="input"/> by this rule's key (a null one by <see cref="NullRoute"/>) and runs the expectation on the keyed stream.</summary>
    public DataStream<T> Apply(DataStream<T> input, string name, Expectation<T> expectation)
    {
        var key = Key;
        var nullRoute = NullRoute;
        return input.KeyBy(value => key(value) ?? nullRoute, Hasher)
            .Transform(name, () => new KeyedExpectOperator<TKey, T>(expectation));
    }

    private sealed class UniqueCheck(UniqueRule<T, TKey> rule) : RecordCheck<T>
    {
        private IValueState<long> _firstSeen = null!;
        private ITimerService _timers = null!;

        public override void Open(IStreamOperatorContext context)
        {
            _firstSeen = context.State.GetState(new ValueStateDescriptor<long>("unique:" + rule.Name) { Ttl = new StateTtlConfig(rule.Horizon) });
            _timers = context.TimerService;
        }

        public override CheckOutcome Check(T value, long timestamp)
        {
            if (rule.Key(value) is null)
            {
                return CheckOutcome.Pass;
            }
            if (_firstSeen.TryGet(out _))
            {
                return CheckOutcome.Fail;
            }
            if (timestamp == EventTime.NoTimestamp)
            {
                var now = _timers.CurrentProcessingTime;
                _firstSeen.Update(now);
                _timers.RegisterProcessingTimeTimer(now + rule.HorizonMs);
            }
            else
            {
                _firstSeen.Update(timestamp);
                _timers.RegisterEventTimeTimer(timestamp + rule.HorizonMs);
            }
            return CheckOutcome.Pass;
        }

        public override string Explain(T value, CheckOutcome outcome)
        {
            _firstSeen.TryGet(out var first);
            return $"value {Show(rule.Key(value))} was already seen (at {EventTime.Format(first)}) within {rule.Horizon}";
        }

        public override void OnTimer(long time, TimeDomain domain) => _firstSeen.Clear();
    }
}

/// <summary>
/// referential: the field's value is a key of a reference table — a key set <c>loadKeys</c> reads when the operator
/// opens (once per subtask, and again after every restart), e.g. the ids of a DuckDB or PostgreSQL table. It is a
/// snapshot: keys added to the table later are not seen until the job restarts. A null passes.
/// </summary>
internal sealed class ReferenceRule<T, TKey>(string name, string fieldPath, FieldAccessor<T, TKey> accessor, string table, Func<IEnumerable<TKey>> loadKeys, RuleAction action)
    : RecordRule<T>(name, fieldPath, RuleKind.Referential, action)
    where TKey : notnull
{
    public override string Describe() => $"referential {table}";

    public override RecordCheck<T> CreateCheck() => new ReferenceCheck(this);

    private sealed class ReferenceCheck(ReferenceRule<T, TKey> rule) : RecordCheck<T>
    {
        private System.Collections.Frozen.FrozenSet<TKey> _keys = System.Collections.Frozen.FrozenSet<TKey>.Empty;

        public override void Open(IStreamOperatorContext context) =>
            _keys = System.Collections.Frozen.FrozenSet.ToFrozenSet(rule.LoadKeys() ?? throw new InvalidOperationException($"Rule '{rule.Name}': the key loader of {rule.Table} returned null."));

        public override CheckOutcome Check(T value, long timestamp) =>
            !rule.Field.TryRead(value, out var key) || _keys.Contains(key) ? CheckOutcome.Pass : CheckOutcome.Fail;

        public override string Explain(T value, CheckOutcome outcome)
        {
            rule.Field.TryRead(value, out var key);
            return $"value {Show(key)} is not a key of {rule.Table} ({_keys.Count} keys loaded)";
        }
    }

    private FieldAccessor<T, TKey> Field => accessor;

    private string Table => table;

    private Func<IEnumerable<TKey>> LoadKeys => loadKeys;
}
