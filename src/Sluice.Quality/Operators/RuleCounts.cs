using Sluice.Operators;

namespace Sluice.Quality;

/// <summary>One subtask's pass and fail counts per rule, and what of them it already added to <see cref="QualityMetrics"/>.</summary>
internal sealed class RuleCounts
{
    private readonly KeyValuePair<string, object?>[][] _tags;
    private readonly long[] _flushedPassed;
    private readonly long[] _flushedFailed;
    private readonly RuleTotal[] _totals;
    private readonly IStreamOperatorContext _context;

    public RuleCounts(IStreamOperatorContext context, IReadOnlyList<(string Name, string Kind, RuleAction Action)> rules)
    {
        _context = context;
        var count = rules.Count;
        Passed = new long[count];
        Failed = new long[count];
        _flushedPassed = new long[count];
        _flushedFailed = new long[count];
        _tags = new KeyValuePair<string, object?>[count][];
        _totals = new RuleTotal[count];
        Names = new string[count];
        var jobId = context.JobId.ToString();
        for (var i = 0; i < count; i++)
        {
            var (name, kind, action) = rules[i];
            Names[i] = name;
            _totals[i] = QualityMetrics.TotalOf(context.JobId, context.OperatorName, name, kind, QualityMetrics.ActionName(action));
            _tags[i] =
            [
                new("job", context.JobName), new("job.id", jobId), new("operator", context.OperatorName),
                new("rule", name), new("kind", kind), new("action", QualityMetrics.ActionName(action)),
            ];
        }
    }

    /// <summary>Rule names, in the order of the counts.</summary>
    public string[] Names { get; }

    public long[] Passed { get; }

    public long[] Failed { get; }

    /// <summary>Adds the counts since the last flush to the metrics and to the job run's totals and windows (at the job's processing time now).</summary>
    public void Flush()
    {
        long now = -1;
        for (var i = 0; i < Passed.Length; i++)
        {
            var passed = Passed[i] - _flushedPassed[i];
            var failed = Failed[i] - _flushedFailed[i];
            if (passed == 0 && failed == 0)
            {
                continue;
            }
            if (passed != 0)
            {
                QualityMetrics.Passed.Add(passed, _tags[i]);
                _flushedPassed[i] = Passed[i];
            }
            if (failed != 0)
            {
                QualityMetrics.Failed.Add(failed, _tags[i]);
                _flushedFailed[i] = Failed[i];
            }
            if (now < 0)
            {
                now = _context.CurrentProcessingTime;
            }
            _totals[i].Add(passed, failed, now);
        }
    }
}
