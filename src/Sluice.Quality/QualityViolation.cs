namespace Sluice.Quality;

/// <summary>
/// A stream-level rule (<see cref="RuleKind.Freshness"/>, <see cref="RuleKind.Volume"/>) found the stream unhealthy:
/// they judge windows and clocks, not records, so no record is held back; the violation goes to the side output
/// <see cref="QualityViolations.Tag"/> and is counted.
/// </summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Kind">The rule's kind.</param>
/// <param name="Operator">The expectation operator's name.</param>
/// <param name="Subtask">The parallel subtask that judged (stream rules judge each subtask's share).</param>
/// <param name="Start">Start of what was judged, Unix ms: the window's start (volume), or the newest event time seen (freshness).</param>
/// <param name="End">End of what was judged, Unix ms: the window's end, exclusive (volume), or the processing time of the check (freshness).</param>
/// <param name="Observed">The measurement: records in the window (volume), or the lag in ms (freshness).</param>
/// <param name="Reason">One sentence naming the rule, the measurement and the bound it broke.</param>
public sealed record QualityViolation(string Rule, RuleKind Kind, string Operator, int Subtask, long Start, long End, double Observed, string Reason);

/// <summary>The side output of stream-level rule violations.</summary>
public static class QualityViolations
{
    /// <summary>Read it with <c>GetSideOutput(QualityViolations.Tag)</c> on the stream <c>Expect</c> returned.</summary>
    public static OutputTag<QualityViolation> Tag { get; } = new("quality-violations");
}
