namespace Sluice.Lineage;

/// <summary>
/// One run of a job, from its START event to its one ending event (COMPLETE, FAIL or ABORT), all with the same
/// <see cref="RunId"/>: what the runtime, the models runner and the orchestrator hold while something runs.
/// A DAG run is a scope whose <see cref="AsParent"/> goes into each task attempt's scope (DAG run = parent run,
/// task attempt = child run).
/// </summary>
/// <remarks>Thread-safe. Only the first ending call emits; later ones are ignored (a job stopped while failing reports once).</remarks>
public sealed class LineageRunScope
{
    private readonly ILineageEmitter _emitter;
    private readonly TimeProvider _time;
    private readonly RunFacets _facets;
    private int _ended;

    private LineageRunScope(ILineageEmitter emitter, LineageJob job, IReadOnlyList<LineageDataset> inputs, IReadOnlyList<LineageDataset> outputs, RunFacets facets, TimeProvider time)
    {
        _emitter = emitter;
        Job = job;
        Inputs = inputs;
        Outputs = outputs;
        _facets = facets;
        _time = time;
    }

    /// <summary>The run's id (a UUIDv7).</summary>
    public Guid RunId { get; } = LineageRun.NewRunId();

    /// <summary>The job.</summary>
    public LineageJob Job { get; }

    /// <summary>The inputs reported in START (and in the ending event, unless it names others).</summary>
    public IReadOnlyList<LineageDataset> Inputs { get; }

    /// <summary>The outputs reported in START (and in the ending event, unless it names others).</summary>
    public IReadOnlyList<LineageDataset> Outputs { get; }

    /// <summary>True once an ending event was emitted.</summary>
    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Emits START for a new run of <paramref name="job"/> and returns the scope to end it with.</summary>
    /// <param name="emitter">Where the events go.</param>
    /// <param name="job">The job (with its jobType and, for SQL, sql facets).</param>
    /// <param name="inputs">What the run reads.</param>
    /// <param name="outputs">What the run writes.</param>
    /// <param name="parent">The run this one is part of (see <see cref="AsParent"/>), or null.</param>
    /// <param name="nominalTime">The scheduled time the run is for, or null.</param>
    /// <param name="time">The clock of the event times (default: the system's).</param>
    public static LineageRunScope Start(ILineageEmitter emitter, LineageJob job, IReadOnlyList<LineageDataset> inputs, IReadOnlyList<LineageDataset> outputs,
        ParentRunFacet? parent = null, NominalTimeRunFacet? nominalTime = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(emitter);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var scope = new LineageRunScope(emitter, job, inputs, outputs, new RunFacets { Parent = parent, NominalTime = nominalTime }, time ?? TimeProvider.System);
        scope.EmitEvent(RunEventType.Start, scope._facets, inputs, outputs);
        return scope;
    }

    /// <summary>A parent facet pointing at this run, for the runs it starts.</summary>
    public ParentRunFacet AsParent() => ParentRunFacet.Of(RunId, Job);

    /// <summary>Emits COMPLETE; <paramref name="outputs"/> replaces the START outputs (e.g. with the schema read back after a build).</summary>
    public void Complete(IReadOnlyList<LineageDataset>? outputs = null) => End(RunEventType.Complete, _facets, outputs);

    /// <summary>Emits FAIL with an errorMessage facet of <paramref name="error"/>.</summary>
    public void Fail(Exception error) => End(RunEventType.Fail, _facets with { ErrorMessage = ErrorMessageRunFacet.Of(error) }, null);

    /// <summary>Emits FAIL with an errorMessage facet of <paramref name="message"/> (no stack trace: a failed data test, say).</summary>
    public void Fail(string message) => End(RunEventType.Fail, _facets with { ErrorMessage = new ErrorMessageRunFacet { Message = message } }, null);

    /// <summary>Emits ABORT (the run was cancelled).</summary>
    public void Abort() => End(RunEventType.Abort, _facets, null);

    private void End(RunEventType type, RunFacets facets, IReadOnlyList<LineageDataset>? outputs)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            EmitEvent(type, facets, Inputs, outputs ?? Outputs);
        }
    }

    private void EmitEvent(RunEventType type, RunFacets facets, IReadOnlyList<LineageDataset> inputs, IReadOnlyList<LineageDataset> outputs) =>
        _emitter.Emit(new RunEvent
        {
            EventType = type,
            EventTime = _time.GetUtcNow(),
            Run = new LineageRun { RunId = RunId, Facets = facets },
            Job = Job,
            Inputs = inputs,
            Outputs = outputs,
        });
}
