using System.Diagnostics.Metrics;

namespace Sluice.Quality;

/// <summary>
/// The rule metrics on <see cref="SluiceMetrics.Meter"/>, tagged <c>job</c>, <c>job.id</c>, <c>operator</c>,
/// <c>rule</c>, <c>kind</c> (<c>not_null</c>, <c>range</c>, …) and <c>action</c> (<c>dead_letter</c>, <c>warn</c>,
/// <c>drop</c>, <c>fail</c>); <c>sluice server</c> exports them at <c>/metrics</c> as
/// <c>sluice_quality_rule_passed_total</c> and <c>sluice_quality_rule_failed_total</c>. A record rule counts each record
/// it judged; a stream rule each window or check. Subtasks add their counts in batches (every few thousand records, and
/// at every watermark, checkpoint and end), so a scrape may trail the records by one batch.
/// </summary>
public static class QualityMetrics
{
    /// <summary>Records (or windows, checks) a rule passed.</summary>
    public static Counter<long> Passed { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.quality.rule.passed", "{record}",
        "Records (stream rules: windows or checks) a data-quality rule passed, by job, operator, rule, kind and action.");

    /// <summary>Records (or windows, checks) a rule failed, whatever its action did with them.</summary>
    public static Counter<long> Failed { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.quality.rule.failed", "{record}",
        "Records (stream rules: windows or checks) a data-quality rule failed, by job, operator, rule, kind and action.");

    /// <summary>The <c>action</c> tag of <paramref name="action"/>.</summary>
    public static string ActionName(RuleAction action) => action switch
    {
        RuleAction.DeadLetter => "dead_letter",
        RuleAction.Warn => "warn",
        RuleAction.Drop => "drop",
        RuleAction.Fail => "fail",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
