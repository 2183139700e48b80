using Sluice.Operators;

namespace Sluice.Quality;

/// <summary>One subtask's pass and fail counts per rule, and what of them it already added to <see cref="QualityMetrics"/>.</summary>
internal sealed class RuleCounts
{
    private readonly KeyValuePair<string, object?>[][] _tags;
    private readonly long[] _flushedPassed;
    private readonly long[] _flushedFailed;
    private readonly RuleTotal[] _totals;

    public RuleCounts(IStreamOperatorContext context, IReadOnlyList<(string Name, string Kind, RuleAction Action)> rules)
    {
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

    public void Flush()
    {
        for (var i = 0; i < Passed.Length; i++)
        {
            if (Passed[i] != _flushedPassed[i])
            {
                QualityMetrics.Passed.Add(Passed[i] - _flushedPassed[i], _tags[i]);
                Interlocked.Add(ref _totals[i].Passed, Passed[i] - _flushedPassed[i]);
                _flushedPassed[i] = Passed[i];
            }
            if (Failed[i] != _flushedFailed[i])
            {
                QualityMetrics.Failed.Add(Failed[i] - _flushedFailed[i], _tags[i]);
                Interlocked.Add(ref _totals[i].Failed, Failed[i] - _flushedFailed[i]);
                _flushedFailed[i] = Failed[i];
            }
        }
    }
}
