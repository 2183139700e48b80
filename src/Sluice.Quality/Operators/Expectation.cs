using Sluice.Quality.Rules;

namespace Sluice.Quality;

/// <summary>
/// The compiled rules of one <c>Expect</c>: record rules in the order declared with the keyed (unique) rule last, and the
/// stream rules. Immutable; shared by the operator's subtasks.
/// </summary>
internal sealed class Expectation<T>
{
    public Expectation(IReadOnlyList<Rule<T>> rules, Func<T, string>? payload, Func<T, RecordOrigin?>? origin)
    {
        if (rules.Count == 0)
        {
            throw new ArgumentException("An expectation needs at least one rule.", nameof(rules));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<RecordRule<T>>();
        var streams = new List<StreamRule<T>>();
        RecordRule<T>? keyed = null;
        foreach (var rule in rules)
        {
            if (!names.Add(rule.Name))
            {
                throw new ArgumentException($"Two rules are named '{rule.Name}'; rule names must be unique within an expectation (they name metrics and dead letters).", nameof(rules));
            }
            switch (rule)
            {
                case RecordRule<T> { IsKeyed: true } k when keyed is not null:
                    throw new ArgumentException($"Rules '{keyed.Name}' and '{k.Name}' are both unique rules; an expectation keys its stream by one key: put the second in a second Expect.", nameof(rules));
                case RecordRule<T> { IsKeyed: true } k:
                    keyed = k;
                    break;
                case RecordRule<T> r:
                    records.Add(r);
                    break;
                case StreamRule<T> s:
                    streams.Add(s);
                    break;
            }
        }
        if (keyed is not null)
        {
            records.Add(keyed);
        }
        RecordRules = [.. records];
        StreamRules = [.. streams];
        KeyedRule = keyed;
        Payload = payload;
        Origin = origin;
    }

    public RecordRule<T>[] RecordRules { get; }

    public StreamRule<T>[] StreamRules { get; }

    /// <summary>The unique rule whose key the stream is keyed by, or null for a non-keyed expectation.</summary>
    public RecordRule<T>? KeyedRule { get; }

    /// <summary>The text of a dead-lettered record; null: its <c>ToString()</c>.</summary>
    public Func<T, string>? Payload { get; }

    /// <summary>Where a record came from, when it carries it; copied into its dead letter.</summary>
    public Func<T, RecordOrigin?>? Origin { get; }

    /// <summary>Adds the operator that runs this expectation on <paramref name="input"/>.</summary>
    public DataStream<T> Apply(DataStream<T> input, string name) =>
        KeyedRule is IKeyedRule<T> keyed ? keyed.Apply(input, name, this) : input.Transform(name, () => new ExpectOperator<T>(this));
}

/// <summary>A rule that keys the expectation's stream (unique): it adds the keyed operator with its own key type.</summary>
internal interface IKeyedRule<T>
{
    DataStream<T> Apply(DataStream<T> input, string name, Expectation<T> expectation);
}
