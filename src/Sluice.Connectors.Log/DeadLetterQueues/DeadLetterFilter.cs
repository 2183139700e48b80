using Sluice.Formats;

namespace Sluice.Connectors.Log;

/// <summary>
/// Which dead letters a read, a count or a replay selects; every condition set must hold (null = any). Immutable.
/// </summary>
public sealed record DeadLetterFilter
{
    /// <summary>Selects every dead letter.</summary>
    public static DeadLetterFilter All { get; } = new();

    /// <summary>
    /// Text the reason contains (ordinal, ignoring case); a text with <c>#</c> is a reason pattern from a summary
    /// (<see cref="DeadLetterQueue.ReasonPattern"/>) and is matched against the reasons' patterns instead.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>The kind (<see cref="DeadLetterEnvelope.KindName"/>: <c>parse</c>, <c>schema</c>, <c>rule</c>, …).</summary>
    public DeadLetterKind? Kind { get; init; }

    /// <summary>The rule's name (ordinal, exact).</summary>
    public string? Rule { get; init; }

    /// <summary>The job that refused the record (<see cref="DeadLetterRecord.Origin"/>; ordinal, exact).</summary>
    public string? Job { get; init; }

    /// <summary>Dead-lettered at or after this time, Unix milliseconds.</summary>
    public long? FromMs { get; init; }

    /// <summary>Dead-lettered before this time, Unix milliseconds.</summary>
    public long? ToMs { get; init; }

    /// <summary>Whether <paramref name="record"/> passes every condition.</summary>
    public bool Matches(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (FromMs is { } from && record.Time < from)
        {
            return false;
        }
        if (ToMs is { } to && record.Time >= to)
        {
            return false;
        }
        if (Kind is { } kind && record.Kind != DeadLetterEnvelope.KindName(kind))
        {
            return false;
        }
        if (Rule is not null && !string.Equals(Rule, record.Rule, StringComparison.Ordinal))
        {
            return false;
        }
        if (Job is not null && !string.Equals(Job, record.Origin, StringComparison.Ordinal))
        {
            return false;
        }
        if (Reason is { Length: > 0 } reason)
        {
            var text = reason.Contains('#', StringComparison.Ordinal) ? DeadLetterQueue.ReasonPattern(record.Reason) : record.Reason;
            return text.Contains(reason, StringComparison.OrdinalIgnoreCase);
        }
        return true;
    }
}
