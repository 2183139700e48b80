namespace Sluice.Quality.Rules;

/// <summary>A record rule that keeps nothing per subtask: the rule is its own check.</summary>
internal abstract class StatelessRecordRule<T> : RecordRule<T>
{
    private protected StatelessRecordRule(string name, string? fieldPath, RuleKind kind, RuleAction action) : base(name, fieldPath, kind, action)
    {
    }

    public abstract CheckOutcome Check(T value);

    public abstract string Explain(T value, CheckOutcome outcome);

    public override RecordCheck<T> CreateCheck() => new StatelessCheck(this);

    private sealed class StatelessCheck(StatelessRecordRule<T> rule) : RecordCheck<T>
    {
        public override CheckOutcome Check(T value, long timestamp) => rule.Check(value);

        public override string Explain(T value, CheckOutcome outcome) => rule.Explain(value, outcome);
    }
}

/// <summary>not_null: the field has a value.</summary>
internal sealed class NotNullRule<T, TValue>(string name, string fieldPath, FieldAccessor<T, TValue> field, RuleAction action)
    : StatelessRecordRule<T>(name, fieldPath, RuleKind.NotNull, action)
{
    public override string Describe() => "not_null";

    public override CheckOutcome Check(T value) => field.TryRead(value, out _) ? CheckOutcome.Pass : CheckOutcome.Fail;

    public override string Explain(T value, CheckOutcome outcome) => "the value is null";
}

/// <summary>range: min ≤ value ≤ max (inclusive); a null passes (that is not_null's job, as in SQL CHECK).</summary>
internal sealed class RangeRule<T, TValue> : StatelessRecordRule<T>
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

    public override CheckOutcome Check(T value) =>
        !_field.TryRead(value, out var v) || (v.CompareTo(_min) >= 0 && v.CompareTo(_max) <= 0) ? CheckOutcome.Pass : CheckOutcome.Fail;

    public override string Explain(T value, CheckOutcome outcome)
    {
        _field.TryRead(value, out var v);
        return $"value {Show(v)} is outside [{Show(_min)}, {Show(_max)}]";
    }
}

/// <summary>accepted_values: the value is one of a fixed set; a null passes.</summary>
internal sealed class AcceptedValuesRule<T, TValue> : StatelessRecordRule<T>
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

    public override CheckOutcome Check(T value) =>
        !_field.TryRead(value, out var v) || _accepted.Contains(v) ? CheckOutcome.Pass : CheckOutcome.Fail;

    public override string Explain(T value, CheckOutcome outcome)
    {
        _field.TryRead(value, out var v);
        return $"value {Show(v)} is not one of {_list}";
    }
}

/// <summary>custom: the caller's predicate holds.</summary>
internal sealed class PredicateRule<T>(string name, string? fieldPath, Func<T, bool> predicate, string description, RuleAction action)
    : StatelessRecordRule<T>(name, fieldPath, RuleKind.Custom, action)
{
    public override string Describe() => $"custom {description}";

    public override CheckOutcome Check(T value) => predicate(value) ? CheckOutcome.Pass : CheckOutcome.Fail;

    public override string Explain(T value, CheckOutcome outcome) => $"{description} is false";
}
