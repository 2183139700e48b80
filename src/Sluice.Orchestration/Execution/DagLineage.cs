using System.Collections.Concurrent;
using Sluice.Lineage;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Execution;

/// <summary>
/// The OpenLineage runs of a <see cref="DagScheduler"/> (<see cref="DagSchedulerOptions.Lineage"/>): each DAG run is a
/// run of job <c>{dag_id}</c> (jobType <c>DAG</c>, BATCH, with the data interval as its nominalTime facet), and each
/// task attempt a run of job <c>{dag_id}.{task_id}</c> (jobType <c>TASK</c>) whose parent is the DAG run. START when
/// the run or attempt starts; COMPLETE, FAIL (with the attempt's error, or the failed tasks of a run) or ABORT (an
/// attempt abandoned, or still open when the scheduler stops) when it ends. A task's datasets come from its action:
/// a <c>sql</c> task's target tables it creates or inserts into (see <see cref="SqlTaskDatasets"/>), a sensor's watched
/// file or table (an input). A <c>models</c> task reports nothing itself: its nodes' runs name their relations, with
/// the attempt's run as their parent (<see cref="AttemptParent"/>).
/// </summary>
/// <remarks>
/// The scheduler calls the listener methods one at a time, after persisting each change; <see cref="AttemptParent"/> is
/// called from attempts on the thread pool, hence the concurrent maps. A run resumed by a restarted scheduler gets a
/// new lineage run (the old process's run ids are not persisted), started with its first attempt.
/// Never throws for a task it cannot describe: a template that does not render leaves that task without datasets.
/// </remarks>
internal sealed class DagLineage : IDagRunListener
{
    private readonly IReadOnlyDictionary<string, DagDefinition> _dags;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Dag, DateTimeOffset Date), RunScope> _runs = new();
    private readonly ConcurrentDictionary<(string Dag, DateTimeOffset Date, string Task, int Attempt), LineageRunScope> _attempts = new();

    /// <summary>Lineage of <paramref name="dags"/> sent to <paramref name="emitter"/> (not owned), jobs in <paramref name="jobNamespace"/>, event times from <paramref name="time"/>.</summary>
    public DagLineage(IReadOnlyDictionary<string, DagDefinition> dags, ILineageEmitter emitter, string jobNamespace, TimeProvider time)
    {
        _dags = dags;
        Emitter = emitter;
        Namespace = jobNamespace;
        _time = time;
    }

    /// <summary>Where the events go (also handed to a <c>models</c> task's run).</summary>
    public ILineageEmitter Emitter { get; }

    /// <summary>The namespace of the DAG and task jobs.</summary>
    public string Namespace { get; }

    /// <summary>The parent facet of attempt <paramref name="attempt"/> of a task, for the runs it starts (a models task's nodes); null when it has no open run.</summary>
    public ParentRunFacet? AttemptParent(DagRun run, string taskId, int attempt) =>
        _attempts.TryGetValue((run.DagId, run.LogicalDate, taskId, attempt), out var scope) ? scope.AsParent() : null;

    public void OnRunStarted(DagRun run) => RunOf(run);

    public void OnRunFinished(DagRun run)
    {
        if (!_runs.TryRemove((run.DagId, run.LogicalDate), out var scope))
        {
            return;
        }
        if (run.State == DagRunState.Success)
        {
            scope.Lineage.Complete();
            return;
        }
        List<string> failed;
        lock (scope.FailedTasks)
        {
            failed = [.. scope.FailedTasks];
        }
        scope.Lineage.Fail(failed.Count == 0
            ? $"DAG run {run.RunId} failed."
            : $"DAG run {run.RunId} failed: task(s) {string.Join(", ", failed)} failed.");
    }

    public void OnTaskAttemptStarted(DagRun run, TaskInstance task, TaskAttempt attempt)
    {
        var parent = RunOf(run);
        var (job, inputs, outputs) = Describe(run, task.TaskId, attempt.Number);
        _attempts[(run.DagId, run.LogicalDate, task.TaskId, attempt.Number)] =
            LineageRunScope.Start(Emitter, job, inputs, outputs, parent.Lineage.AsParent(), time: _time);
    }

    public void OnTaskAttemptFinished(DagRun run, TaskInstance task, TaskAttempt attempt)
    {
        if (task.State == TaskState.Failed && _runs.TryGetValue((run.DagId, run.LogicalDate), out var parent))
        {
            lock (parent.FailedTasks)
            {
                parent.FailedTasks.Add(task.TaskId);
            }
        }
        if (!_attempts.TryRemove((run.DagId, run.LogicalDate, task.TaskId, attempt.Number), out var scope))
        {
            return;
        }
        switch (attempt.State)
        {
            case AttemptState.Success:
                scope.Complete();
                break;
            case AttemptState.Abandoned:
                scope.Abort();
                break;
            default:
                scope.Fail(attempt.Error ?? $"attempt {attempt.Number} of task {task.TaskId} ended {attempt.State}");
                break;
        }
    }

    /// <summary>Ends what is still open as ABORT (the scheduler stops: its attempts are cancelled and run again by the next one).</summary>
    public void AbortOpen()
    {
        foreach (var key in _attempts.Keys)
        {
            if (_attempts.TryRemove(key, out var scope))
            {
                scope.Abort();
            }
        }
        foreach (var key in _runs.Keys)
        {
            if (_runs.TryRemove(key, out var scope))
            {
                scope.Lineage.Abort();
            }
        }
    }

    private RunScope RunOf(DagRun run) =>
        _runs.GetOrAdd((run.DagId, run.LogicalDate), static (_, state) =>
        {
            var (self, run) = state;
            var job = LineageJobNames.Job(self.Namespace, run.DagId, ProcessingType.Batch, LineageJobTypes.Dag);
            // A manual DAG's interval is empty: its nominal time is the logical date alone.
            var nominal = new NominalTimeRunFacet
            {
                NominalStartTime = run.Interval.Start,
                NominalEndTime = run.Interval.End > run.Interval.Start ? run.Interval.End : null,
            };
            return new RunScope(LineageRunScope.Start(self.Emitter, job, [], [], nominalTime: nominal, time: self._time), []);
        }, (this, run));

    private (LineageJob Job, IReadOnlyList<LineageDataset> Inputs, IReadOnlyList<LineageDataset> Outputs) Describe(DagRun run, string taskId, int attempt)
    {
        var name = run.DagId + "." + taskId;
        if (!_dags.TryGetValue(run.DagId, out var dag) || dag.Tasks.FirstOrDefault(t => t.Id == taskId) is not { } task)
        {
            return (LineageJobNames.Job(Namespace, name, ProcessingType.Batch, LineageJobTypes.Task), [], []);
        }
        try
        {
            var variables = TaskTemplates.Variables(dag, taskId, run.RunId, run.Interval, attempt);
            string Render(string field, string template) => TaskTemplates.Render(field, template, variables);
            return task.Action switch
            {
                SqlAction sql => SqlTask(name, sql.Target, Render("sql", sql.Sql)),
                FileSensorAction file => (TaskJob(name), [DatasetNames.File(Render("path", file.Path))], []),
                TableFreshSensorAction table => (TaskJob(name), SqlTaskDatasets.Table(table.Target, Render("table", table.Table)) is { } input ? [input] : [], []),
                _ => (TaskJob(name), [], []),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or Sluice.Models.Templating.TemplateException)
        {
            // Lineage never fails a task: a template or connection string that does not parse costs the datasets only.
            return (TaskJob(name), [], []);
        }
    }

    private (LineageJob, IReadOnlyList<LineageDataset>, IReadOnlyList<LineageDataset>) SqlTask(string name, SqlConnectionTarget target, string sql) =>
        (LineageJobNames.Job(Namespace, name, ProcessingType.Batch, LineageJobTypes.Task, sql), [], SqlTaskDatasets.Outputs(target, sql));

    private LineageJob TaskJob(string name) => LineageJobNames.Job(Namespace, name, ProcessingType.Batch, LineageJobTypes.Task);

    /// <summary>A DAG run's lineage run and the tasks that failed in it (for the FAIL message).</summary>
    private sealed record RunScope(LineageRunScope Lineage, List<string> FailedTasks);
}
