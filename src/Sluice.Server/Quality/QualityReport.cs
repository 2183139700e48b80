using Sluice.Connectors.Log;
using Sluice.Quality;

namespace Sluice.Server.Quality;

/// <summary>
/// A job's data-quality report (<c>sluice quality report</c>, <c>GET /api/jobs/{job}/quality</c>): per rule its pass and
/// fail counts with its action, its pass rate per window, and the first failing records from the job's dead-letter
/// topics. Built by <see cref="Build"/> — the one implementation both the server and the local command use.
/// </summary>
/// <param name="Job">The job's name (the name its dead letters carry).</param>
/// <param name="JobId">The job run's id when the counts are live (a running or finished job of a server), else null.</param>
/// <param name="Counts">
/// <c>live</c>: passed and failed come from the job run's rule counters (<see cref="QualityMetrics"/>), windows are minutes
/// of processing time; <c>dead-letters</c>: no job run in this process, so failed counts only the rule failures the job
/// dead-lettered (not Warn, Drop or Fail ones), passed is unknown (null), and windows are minutes of dead-letter time.
/// </param>
/// <param name="WindowMs">The window length, milliseconds.</param>
/// <param name="Rules">One entry per operator and rule: the live job's rules in order, then rules met only in the dead letters.</param>
/// <param name="DeadLettersComplete">False when a dead-letter topic was larger than one scan reads, so dead-letter counts and examples cover its oldest records only.</param>
internal sealed record QualityReport(string Job, string? JobId, string Counts, long WindowMs, IReadOnlyList<QualityRuleReport> Rules, bool DeadLettersComplete)
{
    /// <summary>The default and largest number of failing examples per rule.</summary>
    public const int DefaultExamples = 3, MaxExamples = 100;

    /// <summary>
    /// Builds the report of job <paramref name="job"/>: the live counts of job run <paramref name="jobId"/> when given
    /// (from <see cref="QualityMetrics"/>), the failing examples (and, without a job run, the failure counts) from the
    /// dead-letter topics of <paramref name="queue"/>, if any. Reads at most <see cref="DeadLetterQueue.MaxScannedRecords"/>
    /// per dead-letter topic; keeps <see cref="QualityMetrics.WindowsKept"/> windows per rule.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="examples"/> is outside 0-<see cref="MaxExamples"/>.</exception>
    public static QualityReport Build(string job, JobId? jobId, DeadLetterQueue? queue, int examples = DefaultExamples)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        ArgumentOutOfRangeException.ThrowIfNegative(examples);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(examples, MaxExamples);
        var failures = queue?.RuleFailures(job, examples, QualityMetrics.WindowMs, QualityMetrics.WindowsKept);
        var byRule = new Dictionary<(string, string), RuleFailures>();
        foreach (var rule in failures?.Rules ?? [])
        {
            byRule[(rule.Operator, rule.Rule)] = rule;
        }
        var rules = new List<QualityRuleReport>();
        if (jobId is { } id)
        {
            var windows = QualityMetrics.Windows(id);
            foreach (var total in QualityMetrics.Totals(id))
            {
                byRule.Remove((total.Operator, total.Rule), out var dead);
                var ruleWindows = new List<QualityWindow>();
                foreach (var w in windows)
                {
                    if (w.Operator == total.Operator && w.Rule == total.Rule)
                    {
                        ruleWindows.Add(new QualityWindow(w.StartMs, w.Passed, w.Failed, PassRate(w.Passed, w.Failed)));
                    }
                }
                rules.Add(new QualityRuleReport(total.Operator, total.Rule, total.Kind, total.Action, total.Passed, total.Failed,
                    PassRate(total.Passed, total.Failed), dead?.Count ?? 0, ruleWindows, dead?.Examples ?? []));
            }
        }
        foreach (var rule in failures?.Rules ?? [])
        {
            if (byRule.ContainsKey((rule.Operator, rule.Rule)))
            {
                rules.Add(new QualityRuleReport(rule.Operator, rule.Rule, null, jobId is null ? QualityMetrics.ActionName(RuleAction.DeadLetter) : null,
                    null, rule.Count, null, rule.Count, [.. rule.Windows.Select(w => new QualityWindow(w.StartMs, null, w.Count, null))], rule.Examples));
            }
        }
        return new QualityReport(job, jobId?.ToString(), jobId is null ? "dead-letters" : "live", QualityMetrics.WindowMs, rules, failures?.Complete ?? true);
    }

    /// <summary>passed / (passed + failed), or null when nothing was judged.</summary>
    public static double? PassRate(long passed, long failed) => passed + failed == 0 ? null : (double)passed / (passed + failed);
}

/// <summary>One rule in a <see cref="QualityReport"/>.</summary>
/// <param name="Operator">The expectation operator's name.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Kind">Its kind (<c>not_null</c>, <c>range</c>, …), or null when only its dead letters are known.</param>
/// <param name="Action">Its action (<c>dead_letter</c>, <c>warn</c>, <c>drop</c>, <c>fail</c>), or null when unknown.</param>
/// <param name="Passed">Records (stream rules: windows, checks) it passed, or null when unknown (counts from dead letters).</param>
/// <param name="Failed">Records (windows, checks) it failed.</param>
/// <param name="PassRate">Passed / (passed + failed), 0-1; null when unknown or nothing was judged.</param>
/// <param name="DeadLetters">The job's dead letters of this rule read from the dead-letter topics (all runs of the job).</param>
/// <param name="Windows">Counts per window, oldest first, at most <see cref="QualityMetrics.WindowsKept"/>; windows without counts are absent.</param>
/// <param name="Examples">The first failing records, from the dead-letter topics (rules with action DeadLetter only).</param>
internal sealed record QualityRuleReport(
    string Operator,
    string Rule,
    string? Kind,
    string? Action,
    long? Passed,
    long Failed,
    double? PassRate,
    long DeadLetters,
    IReadOnlyList<QualityWindow> Windows,
    IReadOnlyList<DeadLetterRecord> Examples);

/// <summary>One window of a rule in a <see cref="QualityReport"/>.</summary>
/// <param name="StartMs">The window's start, Unix milliseconds; it lasts <see cref="QualityReport.WindowMs"/>.</param>
/// <param name="Passed">Passed in the window, or null when unknown.</param>
/// <param name="Failed">Failed in the window.</param>
/// <param name="PassRate">Passed / (passed + failed), or null when unknown.</param>
internal sealed record QualityWindow(long StartMs, long? Passed, long Failed, double? PassRate);
