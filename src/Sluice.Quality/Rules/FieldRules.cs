namespace Sluice.Quality.Rules;

// The record rules that keep nothing per subtask. Each judges records in a check class of its own that reads the
// rule's fields directly, so judging a record costs one virtual call (RecordCheck.Check) plus the field's read; the
// checks hold no state, so one instance per rule would do, but CreateCheck keeps the one lifecycle of every rule.

/// <summary>not_null: the field has a value.</summary>
internal sealed class NotNullRule<T, TValue>(string name, string fieldPath, FieldAccessor<T, TValue> field, RuleAction action)
    : RecordRule<T>(name, fieldPath, RuleKind.NotNull, action)
{
    public override string Describe() => "not_null";

    public override RecordCheck<T> CreateCheck() => new NotNullCheck(field);

    private sealed class NotNullCheck(FieldAccessor<T, TValue> field) : RecordCheck<T>
    {
        public override CheckOutcome Check(T value, long timestamp) => field.TryRead(value, out _) ? CheckOutcome.Pass : CheckOutcome.Fail;

        public override string Explain(T value, CheckOutcome outcome) => "the value is null";
    }
}

/// <summary>range: min ≤ value ≤ max (inclusive); a null passes (that is not_null's job, as in SQL CHECK).</summary>
internal sealed class RangeRule<T, TValue> : RecordRule<T>
    where TValue : IComparable<TValue>
{
    private readonly FieldAccessor<T, TValue> _field;
    private readonly TValue _min;
    private readonly TValue _max;

    public RangeRule(string name, string fieldPath, FieldAccessor<T, TValue> field, TValue min, TValue max, RuleAction action)
        : base(name, fieldPath, RuleKind.Range, action)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        if (min.CompareTo(max) > 0)
        {
            throw new ArgumentException($"Rule '{name}': the range's minimum {Show(min)} is above its maximum {Show(max)}.", nameof(min));
        }
        _field = field;
        _min = min;
        _max = max;
    }

    public override string Describe() => $"range [{Show(_min)}, {Show(_max)}]";

    public override RecordCheck<T> CreateCheck() => new RangeCheck(this);

    private sealed class RangeCheck(RangeRule<T, TValue> rule) : RecordCheck<T>
    {
        private readonly FieldAccessor<T, TValue> _field = rule._field;
        private readonly TValue _min = rule._min;
        private readonly TValue _max = rule._max;

        public override CheckOutcome Check(T value, long timestamp) =>
            !_field.TryRead(value, out var v) || (v.CompareTo(_min) >= 0 && v.CompareTo(_max) <= 0) ? CheckOutcome.Pass : CheckOutcome.Fail;

        public override string Explain(T value, CheckOutcome outcome)
        {
            _field.TryRead(value, out var v);
            return $"value {Show(v)} is outside [{Show(_min)}, {Show(_max)}]";
        }
    }
}

/// <summary>accepted_values: the value is one of a fixed set; a null passes.</summary>
internal sealed class AcceptedValuesRule<T, TValue> : RecordRule<T>
    where TValue : notnull
{
    private readonly FieldAccessor<T, TValue> _field;
    private readonly System.Collections.Frozen.FrozenSet<TValue> _accepted;
    private readonly string _list;

    public AcceptedValuesRule(string name, string fieldPath, FieldAccessor<T, TValue> field, IEnumerable<TValue> accepted, RuleAction action)
        : base(name, fieldPath, RuleKind.AcceptedValues, action)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        _field = field;
        _accepted = System.Collections.Frozen.FrozenSet.ToFrozenSet(accepted);
        if (_accepted.Count == 0)
        {
            throw new ArgumentException($"Rule '{name}': the set of accepted values is empty; give at least one.", nameof(accepted));
        }
        var shown = _accepted.Take(10).Select(v => Show(v)).ToList();
        _list = "[" + string.Join(", ", shown) + (_accepted.Count > 10 ? ", …]" : "]");
    }

    public override string Describe() => $"accepted_values {_list}";

    public override RecordCheck<T> CreateCheck() => new AcceptedValuesCheck(this);

    private sealed class AcceptedValuesCheck(AcceptedValuesRule<T, TValue> rule) : RecordCheck<T>
    {
        private readonly FieldAccessor<T, TValue> _field = rule._field;
        private readonly System.Collections.Frozen.FrozenSet<TValue> _accepted = rule._accepted;

        public override CheckOutcome Check(T value, long timestamp) =>
            !_field.TryRead(value, out var v) || _accepted.Contains(v) ? CheckOutcome.Pass : CheckOutcome.Fail;

        public override string Explain(T value, CheckOutcome outcome)
        {
            _field.TryRead(value, out var v);
            return $"value {Show(v)} is not one of {rule._list}";
        }
    }
}

/// <summary>custom: the caller's predicate holds.</summary>
internal sealed class PredicateRule<T>(string name, string? fieldPath, Func<T, bool> predicate, string description, RuleAction action)
    : RecordRule<T>(name, fieldPath, RuleKind.Custom, action)
{
    public override string Describe() => $"custom {description}";

    public override RecordCheck<T> CreateCheck() => new PredicateCheck(predicate, description);

    private sealed class PredicateCheck(Func<T, bool> predicate, string description) : RecordCheck<T>
    {
        public override CheckOutcome Check(T value, long timestamp) => predicate(value) ? CheckOutcome.Pass : CheckOutcome.Fail;

        public override string Explain(T value, CheckOutcome outcome) => $"{description} is false";
    }
}
