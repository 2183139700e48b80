using Sluice.Orchestration;
using Sluice.Server.Jobs;

namespace Sluice.Server.Dags;

/// <summary>
/// <see cref="IStreamingJobControl"/> on the server's own jobs: <c>job_savepoint</c> tasks without a server URL take
/// the savepoint of the job with that id, else of the newest <em>running</em> job of that name (a name may have
/// finished, failed or cancelled jobs too), through <see cref="ServerJobs"/>, as <c>POST /api/jobs/{id}/savepoints</c>
/// does. Thread-safe.
/// </summary>
internal sealed class ServerJobSavepoints(ServerJobs jobs) : IStreamingJobControl
{
    public async Task<string> TakeSavepointAsync(string job, CancellationToken cancellationToken)
    {
        var savepoint = await jobs.TakeSavepointAsync(Find(jobs.List(), job), cancellationToken).ConfigureAwait(false);
        return savepoint.Path;
    }

    /// <summary>The job whose id is <paramref name="job"/>, else the newest running job named <paramref name="job"/>.</summary>
    /// <exception cref="InvalidOperationException">No job has that id and none of that name is running: names the job's state, or the running jobs.</exception>
    internal static ServerJob Find(IReadOnlyList<ServerJob> all, string job)
    {
        ServerJob? running = null;
        ServerJob? newest = null;
        foreach (var candidate in all)
        {
            if (string.Equals(candidate.Id, job, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
            if (!string.Equals(candidate.Client.JobName, job, StringComparison.Ordinal))
            {
                continue;
            }
            if (newest is null || candidate.StartTime >= newest.StartTime)
            {
                newest = candidate;
            }
            if (candidate.Client.Status == JobStatus.Running && (running is null || candidate.StartTime >= running.StartTime))
            {
                running = candidate;
            }
        }
        if (running is not null)
        {
            return running;
        }
        if (newest is not null)
        {
            throw new InvalidOperationException($"job '{job}' is not running (its newest, {newest.Id}, is {newest.Client.Status}): only a running job takes a savepoint; start it again or name a running job.");
        }
        var names = all.Where(j => j.Client.Status == JobStatus.Running).Select(j => j.Client.JobName).DefaultIfEmpty("none");
        throw new InvalidOperationException($"the server has no job named '{job}' (running: {string.Join(", ", names)}).");
    }
}
