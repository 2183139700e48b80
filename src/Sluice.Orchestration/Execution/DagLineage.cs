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
/// The scheduler calls the listener methods after persisting each change; they and <see cref="AbortOpen"/> take one lock.
/// <see cref="AttemptParent"/> is called from attempts on the thread pool, hence the concurrent maps. A run resumed by a
/// restarted scheduler gets a new lineage run (the old process's run ids are not persisted), started with its first
/// attempt, or when an attempt the old process started ends (START and its end at once), or when the run ends.
/// Never throws for a task it cannot describe: a template that does not render leaves that task without datasets.
/// </remarks>
internal sealed class DagLineage : IDagRunListener
{
    private readonly IReadOnlyDictionary<string, DagDefinition> _dags;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Dag, DateTimeOffset Date), RunScope> _runs = new();
    private readonly ConcurrentDictionary<(string Dag, DateTimeOffset Date, string Task, int Attempt), LineageRunScope> _attempts = new();
    private readonly bool _includeSql;

    /// <summary>Serializes the listener methods and <see cref="AbortOpen"/> (which may race an attempt ending on shutdown).</summary>
    private readonly Lock _sync = new();

    /// <summary>Set by <see cref="AbortOpen"/>: nothing is emitted after it.</summary>
    private bool _closed;

    /// <summary>
    /// Lineage of <paramref name="dags"/> sent to <paramref name="emitter"/> (not owned), jobs in <paramref name="jobNamespace"/>,
    /// event times from <paramref name="time"/>; a <c>sql</c> task's rendered SQL is published only with <paramref name="includeSql"/>.
    /// </summary>
    public DagLineage(IReadOnlyDictionary<string, DagDefinition> dags, ILineageEmitter emitter, string jobNamespace, TimeProvider time, bool includeSql = false)
    {
        _includeSql = includeSql;
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

    public void OnRunStarted(DagRun run)
    {
        lock (_sync)
        {
            if (!_closed)
            {
                RunOf(run);
            }
        }
    }

    public void OnRunFinished(DagRun run)
    {
        lock (_sync)
        {
            // A run resumed by a restarted scheduler that ends without a new attempt has no open run: it starts now.
            if (_closed)
            {
                return;
            }
            var scope = RunOf(run);
            _runs.TryRemove((run.DagId, run.LogicalDate), out _);
            if (run.State == DagRunState.Success)
            {
                scope.Lineage.Complete();
                return;
            }
            var failed = scope.FailedTasks;
            scope.Lineage.Fail(failed.Count == 0
                ? $"DAG run {run.RunId} failed."
                : $"DAG run {run.RunId} failed: task(s) {string.Join(", ", failed)} failed.");
        }
    }

    public void OnTaskAttemptStarted(DagRun run, TaskInstance task, TaskAttempt attempt)
    {
        lock (_sync)
        {
            if (!_closed)
            {
                _attempts[(run.DagId, run.LogicalDate, task.TaskId, attempt.Number)] = StartAttempt(run, task.TaskId, attempt.Number);
            }
        }
    }

    public void OnTaskAttemptFinished(DagRun run, TaskInstance task, TaskAttempt attempt)
    {
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }
            if (task.State == TaskState.Failed)
            {
                RunOf(run).FailedTasks.Add(task.TaskId);
            }
            // An attempt continued by a restarted scheduler (a sensor's), or abandoned by the previous one, has no open
            // run here: it starts now, as a new lineage run, and ends at once.
            if (!_attempts.TryRemove((run.DagId, run.LogicalDate, task.TaskId, attempt.Number), out var scope))
            {
                scope = StartAttempt(run, task.TaskId, attempt.Number);
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
    }

    /// <summary>
    /// Ends what is still open as ABORT (the scheduler stops: its attempts are cancelled and run again by the next one),
    /// and emits nothing afterwards.
    /// </summary>
    public void AbortOpen()
    {
        lock (_sync)
        {
            _closed = true;
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
    }

    private LineageRunScope StartAttempt(DagRun run, string taskId, int attempt)
    {
        var parent = RunOf(run);
        var (job, inputs, outputs) = Describe(run, taskId, attempt);
        return LineageRunScope.Start(Emitter, job, inputs, outputs, parent.Lineage.AsParent(), time: _time);
    }

    /// <summary>The open lineage run of <paramref name="run"/>, started (START) when it has none; under <see cref="_sync"/>.</summary>
    private RunScope RunOf(DagRun run)
    {
        if (_runs.TryGetValue((run.DagId, run.LogicalDate), out var open))
        {
            return open;
        }
        var job = LineageJobNames.Job(Namespace, run.DagId, ProcessingType.Batch, LineageJobTypes.Dag);
        // A manual DAG's interval is empty: its nominal time is the logical date alone.
        var nominal = new NominalTimeRunFacet
        {
            NominalStartTime = run.Interval.Start,
            NominalEndTime = run.Interval.End > run.Interval.Start ? run.Interval.End : null,
        };
        var scope = new RunScope(LineageRunScope.Start(Emitter, job, [], [], nominalTime: nominal, time: _time), []);
        _runs[(run.DagId, run.LogicalDate)] = scope;
        return scope;
    }

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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Lineage never fails a task nor loses its START: a template or connection string that does not parse (or
            // anything else going wrong here) costs the datasets only.
            return (TaskJob(name), [], []);
        }
    }

    private (LineageJob, IReadOnlyList<LineageDataset>, IReadOnlyList<LineageDataset>) SqlTask(string name, SqlConnectionTarget target, string sql) =>
        (LineageJobNames.Job(Namespace, name, ProcessingType.Batch, LineageJobTypes.Task, _includeSql ? sql : null), [], SqlTaskDatasets.Outputs(target, sql));

    private LineageJob TaskJob(string name) => LineageJobNames.Job(Namespace, name, ProcessingType.Batch, LineageJobTypes.Task);

    /// <summary>A DAG run's lineage run and the tasks that failed in it (for the FAIL message).</summary>
    private sealed record RunScope(LineageRunScope Lineage, List<string> FailedTasks);
}
