using System.Collections.Concurrent;
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

    private static readonly ConcurrentDictionary<(JobId Job, string Operator, string Rule), RuleTotal> s_totals = new();

    /// <summary>
    /// The pass and fail counts of every rule of the job run <paramref name="job"/> (<c>job.id</c>) so far, summed over
    /// subtasks and attempts, in the order the rules were first counted; empty for a job without rules. Same batching as
    /// the counters. Thread-safe. The dashboard's job page reads it.
    /// </summary>
    public static IReadOnlyList<RuleTotals> Totals(JobId job)
    {
        var totals = new List<RuleTotals>();
        foreach (var (key, total) in s_totals)
        {
            if (key.Job == job)
            {
                totals.Add(new RuleTotals(key.Operator, key.Rule, total.Kind, total.Action, Interlocked.Read(ref total.Passed), Interlocked.Read(ref total.Failed), total.Order));
            }
        }
        totals.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        return totals;
    }

    /// <summary>Forgets the totals of job run <paramref name="job"/> (a server calls it when it forgets the job).</summary>
    public static void Forget(JobId job)
    {
        foreach (var key in s_totals.Keys)
        {
            if (key.Job == job)
            {
                s_totals.TryRemove(key, out _);
            }
        }
    }

    /// <summary>The running total of one rule of one job run (subtasks add to it when they flush).</summary>
    internal static RuleTotal TotalOf(JobId job, string op, string rule, string kind, string action) =>
        s_totals.GetOrAdd((job, op, rule), static (_, state) => new RuleTotal(state.kind, state.action, Interlocked.Increment(ref s_order)), (kind, action));

    private static long s_order;

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

/// <summary>One rule's counts in a job run (see <see cref="QualityMetrics.Totals"/>).</summary>
/// <param name="Operator">The expectation operator's name.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Kind">The rule's kind as the metrics tag it (<c>not_null</c>, <c>range</c>, …).</param>
/// <param name="Action">The rule's action as the metrics tag it (<c>dead_letter</c>, <c>warn</c>, <c>drop</c>, <c>fail</c>).</param>
/// <param name="Passed">Records (stream rules: windows, checks) it passed.</param>
/// <param name="Failed">Records (windows, checks) it failed.</param>
/// <param name="Order">Where the rule came in the order rules were first counted (for display).</param>
public sealed record RuleTotals(string Operator, string Rule, string Kind, string Action, long Passed, long Failed, long Order);

/// <summary>A mutable running total, added to with <see cref="Interlocked"/>.</summary>
internal sealed class RuleTotal(string kind, string action, long order)
{
    public long Passed;
    public long Failed;

    public string Kind => kind;

    public string Action => action;

    public long Order => order;
}
