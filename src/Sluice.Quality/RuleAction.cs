namespace Sluice.Quality;

/// <summary>
/// What happens to a record a rule refuses. Rules run in the order declared (unique rules last); the first rule whose
/// action is <see cref="DeadLetter"/>, <see cref="Drop"/> or <see cref="Fail"/> that refuses a record decides its fate,
/// and later rules do not see it. <see cref="Warn"/> refuses nothing. So every input record is exactly one of: emitted,
/// dead-lettered or dropped (or the job fails on it).
/// </summary>
public enum RuleAction
{
    /// <summary>The record goes to the dead-letter side output (<see cref="DeadLetters.Tag"/>) with a reason naming the rule, field and value.</summary>
    DeadLetter,

    /// <summary>The record passes on; the failure is only counted (metric <c>sluice.quality.rule.failed</c>).</summary>
    Warn,

    /// <summary>The record is dropped and counted: an explicit, visible discard.</summary>
    Drop,

    /// <summary>The job fails with a <see cref="RuleViolationException"/> naming the rule, field and record position.</summary>
    Fail,
}

/// <summary>The kinds of rule an expectation can hold; the <c>kind</c> tag of the rule metrics.</summary>
public enum RuleKind
{
    /// <summary>The field has a value.</summary>
    NotNull,

    /// <summary>The field's value lies in [min, max]; a null passes.</summary>
    Range,

    /// <summary>The field's text matches a regular expression (with a match timeout); a null passes.</summary>
    Regex,

    /// <summary>The field's value is one of a fixed set; a null passes.</summary>
    AcceptedValues,

    /// <summary>No two records have the same key within a time horizon (keyed state that expires).</summary>
    Unique,

    /// <summary>The field's value is a key of a reference table (a key set loaded when the operator opens); a null passes.</summary>
    Referential,

    /// <summary>A row has the declared schema and no null in a NOT NULL column.</summary>
    Schema,

    /// <summary>Event time keeps up with processing time: the newest event time is at most a given lag behind the clock.</summary>
    Freshness,

    /// <summary>The record count per event-time window lies in [min, max] and within k·σ of the trailing windows.</summary>
    Volume,

    /// <summary>A predicate of the caller's (or a SQL <c>CHECK</c> constraint) holds.</summary>
    Custom,
}
