using System.Globalization;
using Sluice.Operators;
using Sluice.State.Serialization;

namespace Sluice.Quality.Rules;

/// <summary>
/// A declared rule: its name, the field it reads, its kind and action. Immutable and shared by every subtask of the
/// operator; the per-subtask working part is made by <c>CreateCheck</c>.
/// </summary>
internal abstract class Rule<T>
{
    private protected Rule(string name, string? fieldPath, RuleKind kind, RuleAction action)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (fieldPath is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(fieldPath);
        }
        if (!Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, $"Rule '{name}': unknown action.");
        }
        Name = name;
        FieldPath = fieldPath;
        Kind = kind;
        Action = action;
    }

    /// <summary>The rule's name, unique within its expectation.</summary>
    public string Name { get; }

    /// <summary>The field the rule reads, or null for a whole-record or stream-level rule.</summary>
    public string? FieldPath { get; }

    public RuleKind Kind { get; }

    public RuleAction Action { get; }

    /// <summary>The kind as written in reasons and metrics: <c>not_null</c>, <c>range</c>, ….</summary>
    public string KindName => KindNames[(int)Kind];

    /// <summary>What the rule demands, for reasons: <c>range [0, 100]</c>.</summary>
    public abstract string Describe();

    internal static readonly string[] KindNames =
        ["not_null", "range", "regex", "accepted_values", "unique", "referential", "schema", "freshness", "volume", "custom"];

    /// <summary>A value as a reason shows it: invariant culture, text quoted, cut at 100 characters.</summary>
    internal static string Show(object? value) => value switch
    {
        null => "null",
        string text => "'" + DeadLetters.Truncate(text, 100) + "'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => DeadLetters.Truncate(value.ToString() ?? "", 100),
    };
}

/// <summary>A rule that judges each record.</summary>
internal abstract class RecordRule<T> : Rule<T>
{
    private protected RecordRule(string name, string? fieldPath, RuleKind kind, RuleAction action) : base(name, fieldPath, kind, action)
    {
    }

    /// <summary>True for a rule that needs keyed state (the stream is keyed by its key).</summary>
    public virtual bool IsKeyed => false;

    /// <summary>The field at fault in a record this rule refused (the declared field, unless the rule knows better).</summary>
    public virtual string? FieldPathOf(T value) => FieldPath;

    public abstract RecordCheck<T> CreateCheck();
}

/// <summary>A rule that judges the stream (windows, clocks) and holds no record back; its action is Warn or Fail.</summary>
internal abstract class StreamRule<T> : Rule<T>
{
    private protected StreamRule(string name, RuleKind kind, RuleAction action) : base(name, null, kind, action)
    {
        if (action is not (RuleAction.Warn or RuleAction.Fail))
        {
            throw new ArgumentException(
                $"Rule '{name}' is a {KindName} rule: it judges the stream, not records, so it cannot {action} one; give it the action Warn or Fail.",
                nameof(action));
        }
    }

    public abstract StreamCheck<T> CreateCheck();
}

/// <summary>The outcome of checking one record.</summary>
internal enum CheckOutcome : byte
{
    Pass,
    Fail,

    /// <summary>The check could not finish in its time budget (a regex match timeout); counts as a failure.</summary>
    TimedOut,

    /// <summary>
    /// The check could not evaluate the record (a SQL CHECK's division by zero or failed cast); counts as a failure,
    /// and the record is dead-lettered with the error whatever the rule's action, unless it is Fail: a Warn rule cannot
    /// pass on, nor a Drop rule silently lose, a record nobody could judge.
    /// </summary>
    Error,
}

/// <summary>One subtask's working part of a <see cref="RecordRule{T}"/>. Task thread only.</summary>
internal abstract class RecordCheck<T>
{
    public virtual void Open(IStreamOperatorContext context) { }

    /// <summary>The hot path: judges <paramref name="value"/>; allocates nothing when it passes.</summary>
    public abstract CheckOutcome Check(T value, long timestamp);

    /// <summary>Why <paramref name="value"/> failed (called only on failure): <c>value -5 is outside [0, 100]</c>.</summary>
    public abstract string Explain(T value, CheckOutcome outcome);

    /// <summary>A timer of the current key fired (keyed rules only).</summary>
    public virtual void OnTimer(long time, TimeDomain domain) { }
}

/// <summary>Where a <see cref="StreamCheck{T}"/> reports what it judged.</summary>
internal interface IStreamVerdicts
{
    void Pass();

    void Fail(long start, long end, double observed, string reason);
}

/// <summary>One subtask's working part of a <see cref="StreamRule{T}"/>. Task thread only.</summary>
internal abstract class StreamCheck<T>
{
    public virtual void Open(IStreamOperatorContext context) { }

    /// <summary>Sees every input record (hot path: allocate nothing).</summary>
    public abstract void Observe(long timestamp);

    public virtual void OnWatermark(long watermark, IStreamVerdicts verdicts) { }

    public virtual void OnProcessingTime(long now, IStreamVerdicts verdicts) { }

    /// <summary>The input ended: judge what is complete, and ask for no more processing time.</summary>
    public virtual void EndInput(IStreamVerdicts verdicts) { }

    /// <summary>Writes what the check must remember across a restart (see <see cref="StreamRuleState"/>).</summary>
    public abstract void Snapshot(StateWriter writer);

    /// <summary>
    /// Reads what <see cref="Snapshot"/> wrote, after <see cref="Open"/>; called once per restored subtask entry, so
    /// after a change of parallelism it merges several subtasks' state.
    /// </summary>
    public abstract void Restore(StateReader reader);
}
