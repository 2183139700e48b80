using Sluice.Checkpoints;

namespace Sluice.Server.Jobs;

// Stop, savepoint and delete of one job; suspending every job when the server stops and resuming them at its start.
internal sealed partial class ServerJobs
{
    /// <summary>
    /// Stops the job and waits until it ended. With <paramref name="savepoint"/>, sources stop without draining windows
    /// and the job's final checkpoint is copied out as a savepoint; without, the job drains (pending windows and timers
    /// fire) before its final checkpoint. Either way the job is not resumed at the next start.
    /// </summary>
    /// <exception cref="JobRequestException">409: the job has already ended, or it failed while stopping so no savepoint could be taken.</exception>
    public async Task<JobStopped> StopAsync(ServerJob job, bool savepoint, CancellationToken cancellationToken)
    {
        await job.Operations.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var client = job.Client;
            if (client.Status.IsTerminal())
            {
                throw JobRequestException.Conflict($"Job '{client.JobName}' ({job.Id}) has already ended ({client.Status}): there is nothing to stop.");
            }
            job.Retired = true;
            client.Stop(drain: !savepoint);
            await WaitEndedAsync(client, cancellationToken).ConfigureAwait(false);
            _definitions.Delete(job.Id);
            JobSavepoint? taken = null;
            if (savepoint)
            {
                if (client.Status != JobStatus.Suspended)
                {
                    throw JobRequestException.Conflict($"Job '{client.JobName}' ({job.Id}) ended {client.Status} while stopping: no savepoint was taken.");
                }
                taken = await CopyLatestCheckpointAsync(job, cancellationToken).ConfigureAwait(false);
            }
            return new JobStopped(job.Id, client.Status.ToString(), taken);
        }
        finally
        {
            job.Operations.Release();
        }
    }

    /// <summary>Takes a savepoint of the running job into <c>checkpoints/savepoints/&lt;id&gt;-&lt;checkpoint&gt;</c>; the job keeps running.</summary>
    /// <exception cref="JobRequestException">409: the job is not running, or every source has ended.</exception>
    public async Task<JobSavepoint> TakeSavepointAsync(ServerJob job, CancellationToken cancellationToken)
    {
        await job.Operations.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var client = job.Client;
            if (client.Status != JobStatus.Running)
            {
                throw JobRequestException.Conflict($"Job '{client.JobName}' ({job.Id}) is {client.Status}: only a running job takes a savepoint.");
            }
            var temporary = Path.Combine(SavepointDirectory, ".tmp-" + Guid.NewGuid().ToString("N"));
            long checkpointId;
            try
            {
                checkpointId = await client.TakeSavepointAsync(temporary, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                DeleteQuietly(temporary);
                throw JobRequestException.Conflict($"Job '{client.JobName}' ({job.Id}) cannot take a savepoint: {e.Message}");
            }
            return Publish(job, temporary, checkpointId);
        }
        finally
        {
            job.Operations.Release();
        }
    }

    /// <summary>Removes the definition of job <paramref name="id"/>, which is not in the list (it did not resume), so it is never resumed.</summary>
    public void ForgetDefinition(string id) => _definitions.Delete(id);

    /// <summary>Deletes the job: cancels it if it runs, removes it from the registry, the list and the resume list.</summary>
    public async Task DeleteAsync(ServerJob job, CancellationToken cancellationToken)
    {
        await job.Operations.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            job.Retired = true;
            var client = job.Client;
            if (!client.Status.IsTerminal())
            {
                client.Cancel();
                await WaitEndedAsync(client, cancellationToken).ConfigureAwait(false);
            }
            _definitions.Delete(job.Id);
            _registry.Remove(client.Id);
            lock (_lock)
            {
                _jobs.Remove(job);
            }
        }
        finally
        {
            job.Operations.Release();
        }
    }

    /// <summary>
    /// Suspends every running job when the server stops: each stops without draining, its final checkpoint is copied
    /// out as a savepoint, and its definition is saved with that savepoint, to be resumed at the next start. A job still
    /// running when <paramref name="cancellationToken"/> (the host's shutdown timeout) fires is cancelled; it resumes
    /// from its latest completed checkpoint.
    /// </summary>
    public async Task SuspendAllAsync(CancellationToken cancellationToken)
    {
        _shuttingDown = true;
        var running = new List<ServerJob>();
        foreach (var job in List())
        {
            if (job.HasClient && !job.Client.Status.IsTerminal())
            {
                running.Add(job);
            }
        }
        if (running.Count == 0)
        {
            return;
        }
        JobsLog.Suspending(_logger, running.Count);
        var ended = new List<Task>(running.Count);
        foreach (var job in running)
        {
            job.Client.Stop(drain: false);
            ended.Add(WaitEndedAsync(job.Client, CancellationToken.None));
        }
        var all = Task.WhenAll(ended);
        await all.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var job in running)
        {
            var client = job.Client;
            if (client.Status != JobStatus.Suspended)
            {
                client.Cancel();
                JobsLog.SuspendFailed(_logger, client.JobName, job.Id, client.Status);
                continue;
            }
            try
            {
                var savepoint = await CopyLatestCheckpointAsync(job, cancellationToken).ConfigureAwait(false);
                job.Definition = job.Definition with { Savepoint = savepoint.Path };
                _definitions.Save(job.Definition);
                JobsLog.Suspended(_logger, client.JobName, job.Id, savepoint.Path);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
            {
                JobsLog.SuspendFailed(_logger, client.JobName, job.Id, client.Status);
            }
        }
    }

    /// <summary>
    /// Resubmits every job of the jobs directory (saved at submission and at the last shutdown), each from the latest
    /// checkpoint in its checkpoint directory — the savepoint its shutdown took, or a later checkpoint after a crash.
    /// A job that cannot start is logged and keeps its definition.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var definition in _definitions.LoadAll())
        {
            var checkpointDirectory = Path.Combine(_server.CheckpointDirectory, definition.Id);
            var job = new ServerJob(definition, checkpointDirectory, definition.Savepoint, _time);
            try
            {
                var store = new LocalCheckpointStore(checkpointDirectory);
                if (definition.Savepoint is { } savepoint && (await store.ListCompletedAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
                {
                    await Savepoints.CopyAsync(new LocalCheckpointStore(savepoint), store, null, cancellationToken).ConfigureAwait(false);
                }
                Start(job);
            }
            catch (Exception e) when (e is JobRequestException or IOException or InvalidOperationException)
            {
                JobsLog.ResumeFailed(_logger, definition.Name, definition.Id, e.Message);
                continue;
            }
            lock (_lock)
            {
                _jobs.Add(job);
            }
            JobsLog.Resumed(_logger, job.Client.JobName, job.Id, definition.Savepoint ?? "its latest checkpoint");
        }
    }

    /// <summary>Called on a job thread at each status change of a run: an ended job (outside a shutdown) is no longer resumed.</summary>
    private void OnRunStatusChanged(ServerJob job, JobStatusChange change)
    {
        if (change.NewStatus.IsTerminal() && !_shuttingDown)
        {
            _definitions.Delete(job.Id);
        }
    }

    private async Task<JobSavepoint> CopyLatestCheckpointAsync(ServerJob job, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(SavepointDirectory, ".tmp-" + Guid.NewGuid().ToString("N"));
        var id = await Savepoints.CopyAsync(new LocalCheckpointStore(job.CheckpointDirectory), new LocalCheckpointStore(temporary), null, cancellationToken).ConfigureAwait(false);
        return Publish(job, temporary, id);
    }

    /// <summary>Renames a savepoint copied into <paramref name="temporary"/> to its final name (kept if that savepoint exists already).</summary>
    private JobSavepoint Publish(ServerJob job, string temporary, long checkpointId)
    {
        var id = $"{job.Id}-{checkpointId}";
        var path = Path.Combine(SavepointDirectory, id);
        if (Directory.Exists(path))
        {
            DeleteQuietly(temporary);
        }
        else
        {
            Directory.Move(temporary, path);
        }
        return new JobSavepoint(id, path, checkpointId);
    }

    private static async Task WaitEndedAsync(JobClient client, CancellationToken cancellationToken)
    {
        // How the run ended is in its status (and its exception history); here only the end matters.
        await ((Task)client.Completion).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
