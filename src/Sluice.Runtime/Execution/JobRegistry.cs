using System.Diagnostics.CodeAnalysis;

namespace Sluice;

/// <summary>
/// The jobs of a process by <see cref="JobId"/>: <see cref="Submit(StreamEnvironment, CancellationToken)"/> starts a
/// job and registers it, <see cref="TryGet"/> and <see cref="List"/> find jobs, <see cref="Remove"/> forgets a job
/// that has ended. Ended jobs (finished, suspended, failed, cancelled) stay listed, with their status and result, until
/// removed. <c>Sluice.Hosting</c> registers one as a singleton; a server lists its jobs from it.
/// </summary>
/// <remarks>
/// Thread-safe: every member may be called from any thread. Events are raised outside the registry's lock, so handlers
/// may call back into the registry; handlers must return quickly and not wait for a job.
/// </remarks>
public sealed class JobRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<JobId, JobClient> _jobs = [];
    private readonly List<JobClient> _order = []; // submission order, for List

    /// <summary>
    /// Raised when a job was submitted, before it starts running (its <see cref="JobClient.Status"/> is
    /// <see cref="JobStatus.Created"/>), on the thread calling <see cref="Submit(StreamEnvironment, CancellationToken)"/>.
    /// Subscribe to the job's own events here to see every occurrence.
    /// </summary>
    public event Action<JobClient>? JobAdded;

    /// <summary>
    /// Raised on every status transition of every registered job, as <see cref="JobClient.StatusChanged"/> is (same
    /// order, same thread, before the job's <see cref="JobClient.Completion"/> ends for a terminal status).
    /// </summary>
    public event Action<JobStatusChange>? JobStatusChanged;

    /// <summary>Raised when <see cref="Remove"/> removed a job, on the thread calling it.</summary>
    public event Action<JobClient>? JobRemoved;

    /// <summary>Plans, registers and starts the job (see <see cref="JobExecution.Start(StreamEnvironment, CancellationToken)"/>); returns its client.</summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape (nothing is registered).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (beforeRun), so no call binds ambiguously; the optional CancellationToken comes last by convention.")]
    public JobClient Submit(StreamEnvironment environment, CancellationToken cancellationToken = default) =>
        Submit(environment, static _ => { }, cancellationToken);

    /// <summary>
    /// Plans and registers the job, hands its client to <paramref name="beforeRun"/> (after <see cref="JobAdded"/>),
    /// then starts it and returns the client.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape (nothing is registered).</exception>
    /// <remarks>When <paramref name="beforeRun"/> or a <see cref="JobAdded"/> handler throws, the job is removed again (without <see cref="JobRemoved"/>), never runs, and the exception propagates.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (beforeRun), so no call binds ambiguously; the optional CancellationToken comes last by convention.")]
    public JobClient Submit(StreamEnvironment environment, Action<JobClient> beforeRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(beforeRun);
        return environment.Start(job =>
        {
            job.StatusChanged += OnStatusChanged;
            lock (_lock)
            {
                _jobs.Add(job.Id, job);
                _order.Add(job);
            }
            try
            {
                JobAdded?.Invoke(job);
                beforeRun(job);
            }
            catch
            {
                // The job never runs: it must not stay listed as Created forever.
                Forget(job);
                throw;
            }
        }, cancellationToken);
    }

    /// <summary>Finds a registered job.</summary>
    public bool TryGet(JobId id, [MaybeNullWhen(false)] out JobClient job)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(id, out job);
        }
    }

    /// <summary>The registered jobs in the order they were submitted (a copy: later changes do not show in it).</summary>
    public IReadOnlyList<JobClient> List()
    {
        lock (_lock)
        {
            return [.. _order];
        }
    }

    /// <summary>Forgets a job that has ended (its status is terminal) and raises <see cref="JobRemoved"/>; false when no job has that id.</summary>
    /// <exception cref="InvalidOperationException">The job has not ended: stop or cancel it first.</exception>
    public bool Remove(JobId id)
    {
        JobClient? job;
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out job))
            {
                return false;
            }
            var status = job.Status;
            if (!status.IsTerminal())
            {
                throw new InvalidOperationException($"Job '{job.JobName}' ({id}) is {status}: only an ended job can be removed; stop or cancel it first.");
            }
            _jobs.Remove(id);
            _order.Remove(job);
        }
        job.StatusChanged -= OnStatusChanged;
        JobRemoved?.Invoke(job);
        return true;
    }

    private void Forget(JobClient job)
    {
        lock (_lock)
        {
            _jobs.Remove(job.Id);
            _order.Remove(job);
        }
        job.StatusChanged -= OnStatusChanged;
    }

    private void OnStatusChanged(JobStatusChange change) => JobStatusChanged?.Invoke(change);
}
