using Microsoft.Extensions.Logging;
using Sluice.Lineage;
using Sluice.Runtime.Planning;

namespace Sluice.Runtime.Execution;

/// <summary>
/// Reports a job's runs as OpenLineage events to <see cref="JobOptions.Lineage"/>, from its status transitions (the
/// one hook for every job, however it was started): START when it first runs, COMPLETE when it finishes or is
/// suspended (stopped), FAIL with the error when it fails, ABORT when cancelled. Restarts stay inside one run. Inputs
/// are the sources and outputs the sinks that implement <see cref="ILineageDataset"/>; the job is <c>BATCH</c> when
/// every source is bounded, else <c>STREAMING</c>.
/// </summary>
/// <remarks>
/// Thread-safe: transitions may be reported from different threads, so the run is started and ended under a lock. A
/// connector's <see cref="ILineageDataset.GetLineageDatasets"/> that throws leaves that dataset out: lineage never fails a job.
/// </remarks>
internal sealed class JobLineage
{
    private readonly ILineageEmitter _emitter;
    private readonly LineageJob _job;
    private readonly List<LineageDataset> _inputs = [];
    private readonly List<LineageDataset> _outputs = [];
    private readonly Lock _lock = new();
    private LineageRunScope? _run;

    private JobLineage(JobPlan plan)
    {
        var options = plan.Options;
        _emitter = options.Lineage;
        var bounded = true;
        foreach (var node in plan.Nodes)
        {
            var transformation = node.Transformation;
            var isSource = transformation.Inputs.Count == 0;
            if (isSource)
            {
                bounded &= transformation.IsBoundedSource;
            }
            if (transformation.Connector is ILineageDataset described)
            {
                AddDatasets(isSource ? _inputs : _outputs, described);
            }
        }
        _job = LineageJobNames.Job(options.LineageNamespace ?? LineageJobNames.Namespace(), options.JobName,
            bounded ? ProcessingType.Batch : ProcessingType.Streaming, LineageJobTypes.Job);
    }

    /// <summary>Subscribes <paramref name="client"/>'s status changes when its job has lineage on; before the job runs.</summary>
    public static void Attach(JobClient client, JobPlan plan)
    {
        if (plan.Options.Lineage is NoLineageEmitter)
        {
            return;
        }
        try
        {
            var lineage = new JobLineage(plan);
            client.StatusChanged += lineage.OnStatusChanged;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Lineage never fails a job: without it the job runs unreported.
            plan.Options.LoggerFactory.CreateLogger(LineageEmitters.LogCategory)
                .LogWarning(e, "Job {JobName} runs without lineage: its lineage could not be set up ({Reason}).", plan.Options.JobName, e.Message);
        }
    }

    private static void AddDatasets(List<LineageDataset> into, ILineageDataset described)
    {
        try
        {
            foreach (var dataset in described.GetLineageDatasets())
            {
                if (!into.Contains(dataset))
                {
                    into.Add(dataset);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A connector that cannot describe itself costs its dataset in the lineage, never the job.
        }
    }

    private void OnStatusChanged(JobStatusChange change)
    {
        lock (_lock)
        {
            Report(change);
        }
    }

    private void Report(JobStatusChange change)
    {
        if (change.NewStatus == JobStatus.Running)
        {
            _run ??= Start();
            return;
        }
        if (!change.NewStatus.IsTerminal())
        {
            return;
        }
        var run = _run ??= Start(); // a job that failed before running still has a run that failed
        switch (change.NewStatus)
        {
            case JobStatus.Failed:
                run.Fail(change.Cause ?? new InvalidOperationException($"Job '{_job.Name}' failed."));
                break;
            case JobStatus.Cancelled:
                run.Abort();
                break;
            default:
                run.Complete();
                break;
        }
    }

    private LineageRunScope Start() => LineageRunScope.Start(_emitter, _job, _inputs, _outputs);
}
