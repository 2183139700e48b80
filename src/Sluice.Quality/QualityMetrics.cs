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

    /// <summary>
    /// Regex matches that ran out of their timeout, by job, operator and rule (a catastrophically backtracking pattern):
    /// the first on a subtask moves it to the linear engine when the pattern allows; any other counted as a failure.
    /// </summary>
    public static Counter<long> RegexTimeouts { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.quality.regex.timeouts", "{match}",
        "Regex rule matches that ran out of their timeout, by job, operator and rule.");

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

    /// <summary>The length of one window of <see cref="Windows"/>: a minute of processing time, in milliseconds.</summary>
    public const long WindowMs = 60_000;

    /// <summary>How many windows <see cref="Windows"/> keeps per rule (the newest; an hour), so a long-running job's history stays bounded.</summary>
    public const int WindowsKept = 60;

    /// <summary>
    /// The pass and fail counts of every rule of the job run <paramref name="job"/> per minute of processing time (the
    /// job's clock when a subtask added its counts, so a window may hold records of the batch before it), at most the
    /// newest <see cref="WindowsKept"/> windows per rule, in rule order then window order; minutes without counts are
    /// absent. Thread-safe.
    /// </summary>
    public static IReadOnlyList<RuleWindowCounts> Windows(JobId job)
    {
        var windows = new List<RuleWindowCounts>();
        foreach (var total in Totals(job))
        {
            if (s_totals.TryGetValue((job, total.Operator, total.Rule), out var running))
            {
                running.AddWindowsTo(windows, total.Operator, total.Rule);
            }
        }
        return windows;
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

/// <summary>One rule's counts in one window of a job run (see <see cref="QualityMetrics.Windows"/>).</summary>
/// <param name="Operator">The expectation operator's name.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="StartMs">The window's start, Unix milliseconds (a multiple of <see cref="QualityMetrics.WindowMs"/>); it ends <see cref="QualityMetrics.WindowMs"/> later.</param>
/// <param name="Passed">Records (stream rules: windows, checks) it passed in the window.</param>
/// <param name="Failed">Records (windows, checks) it failed in the window.</param>
public sealed record RuleWindowCounts(string Operator, string Rule, long StartMs, long Passed, long Failed);

/// <summary>
/// A mutable running total, added to with <see cref="Interlocked"/>, and its last <see cref="QualityMetrics.WindowsKept"/>
/// windows (a ring under a lock: subtasks add to it once per flush, not per record).
/// </summary>
internal sealed class RuleTotal(string kind, string action, long order)
{
    public long Passed;
    public long Failed;

    private readonly Lock _lock = new();
    private readonly long[] _windowStart = new long[QualityMetrics.WindowsKept];
    private readonly long[] _windowPassed = new long[QualityMetrics.WindowsKept];
    private readonly long[] _windowFailed = new long[QualityMetrics.WindowsKept];
    private int _windows;

    /// <summary>Adds counts to the totals and to the window holding <paramref name="nowMs"/> (processing time).</summary>
    public void Add(long passed, long failed, long nowMs)
    {
        Interlocked.Add(ref Passed, passed);
        Interlocked.Add(ref Failed, failed);
        var start = nowMs - (((nowMs % QualityMetrics.WindowMs) + QualityMetrics.WindowMs) % QualityMetrics.WindowMs);
        lock (_lock)
        {
            // Subtasks' clocks agree to the window, so a window is almost always the newest or a new one; an older
            // one (a subtask flushing late, a clock stepping back) is searched for, and dropped when already evicted.
            var slot = -1;
            for (var i = _windows - 1; i >= 0 && i >= _windows - QualityMetrics.WindowsKept; i--)
            {
                var index = i % QualityMetrics.WindowsKept;
                if (_windowStart[index] == start)
                {
                    slot = index;
                    break;
                }
                if (_windowStart[index] < start)
                {
                    break;
                }
            }
            if (slot < 0)
            {
                if (_windows > 0 && _windowStart[(_windows - 1) % QualityMetrics.WindowsKept] > start)
                {
                    return;
                }
                slot = _windows % QualityMetrics.WindowsKept;
                _windows++;
                _windowStart[slot] = start;
                _windowPassed[slot] = 0;
                _windowFailed[slot] = 0;
            }
            _windowPassed[slot] += passed;
            _windowFailed[slot] += failed;
        }
    }

    /// <summary>Appends the kept windows, oldest first.</summary>
    public void AddWindowsTo(List<RuleWindowCounts> windows, string op, string rule)
    {
        lock (_lock)
        {
            for (var i = Math.Max(0, _windows - QualityMetrics.WindowsKept); i < _windows; i++)
            {
                var index = i % QualityMetrics.WindowsKept;
                windows.Add(new RuleWindowCounts(op, rule, _windowStart[index], _windowPassed[index], _windowFailed[index]));
            }
        }
    }

    public string Kind => kind;

    public string Action => action;

    public long Order => order;
}
