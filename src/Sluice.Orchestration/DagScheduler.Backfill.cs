using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration;

/// <summary>What a backfill did: the runs it waited for, in logical-date order, and the intervals it skipped with why.</summary>
/// <param name="Runs">The runs created (or re-run) and finished, oldest first.</param>
/// <param name="Skipped">Logical dates not run, with the reason (e.g. "already succeeded").</param>
public sealed record BackfillReport(IReadOnlyList<DagRun> Runs, IReadOnlyList<(DateTimeOffset LogicalDate, string Reason)> Skipped);

public sealed partial class DagScheduler
{
    /// <summary>
    /// Runs <paramref name="dagId"/> once per schedule interval whose start lies in [<paramref name="from"/>,
    /// <paramref name="to"/>] (inclusive), oldest first, at most max active runs at a time, each with its own data
    /// interval. An interval that already has a successful run is skipped (reported); one with a failed run is skipped
    /// unless <paramref name="rerunFailed"/>, which clears its failed and upstream-failed tasks and runs them again
    /// (attempt history kept). Returns when every run of the range finished.
    /// </summary>
    public async Task<BackfillReport> BackfillAsync(string dagId, DateTimeOffset from, DateTimeOffset to, bool rerunFailed = false, CancellationToken cancellationToken = default)
    {
        var dag = GetDag(dagId);
        if (to < from)
        {
            throw new ArgumentException($"The backfill range of DAG '{dagId}' ends ({TaskTemplates.Iso(to)}) before it starts ({TaskTemplates.Iso(from)}).", nameof(to));
        }
        var wanted = new List<DateTimeOffset>();
        var skipped = new List<(DateTimeOffset, string)>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFaulted();
            foreach (var interval in dag.Schedule.IntervalsStartingBetween(from, to))
            {
                if (TryCreate(dag, interval, DagRunKind.Backfill, out var existing))
                {
                    wanted.Add(interval.Start);
                    continue;
                }
                switch (existing.State)
                {
                    case DagRunState.Success:
                        skipped.Add((interval.Start, $"already succeeded ({existing.RunId})"));
                        break;
                    case DagRunState.Failed when rerunFailed:
                        foreach (var task in _index.Tasks(dagId, existing.LogicalDate).Values.Where(t => t.State is TaskState.Failed or TaskState.UpstreamFailed))
                        {
                            var cleared = task with { State = TaskState.Pending, Failures = 0, NextAttemptAt = null };
                            Persist(() => _index.SaveTask(existing.LogicalDate, cleared));
                        }
                        var requeued = existing with { State = DagRunState.Queued, EndedAt = null };
                        Persist(() => _index.UpdateRun(requeued));
                        wanted.Add(interval.Start);
                        break;
                    case DagRunState.Failed:
                        skipped.Add((interval.Start, $"failed before ({existing.RunId}); pass --rerun-failed to run it again"));
                        break;
                    default:
                        wanted.Add(interval.Start);
                        break;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        var finished = new Dictionary<DateTimeOffset, DagRun>();
        await RunUntilAsync(() => wanted.All(d => finished.ContainsKey(d) || (FinishedRunOrNull(dagId, d) is { } run && finished.TryAdd(d, run))), cancellationToken).ConfigureAwait(false);
        return new BackfillReport([.. wanted.Select(d => finished[d])], skipped);
    }
}
