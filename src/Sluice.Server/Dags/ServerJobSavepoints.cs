using Sluice.Orchestration;
using Sluice.Server.Jobs;

namespace Sluice.Server.Dags;

/// <summary>
/// <see cref="IStreamingJobControl"/> on the server's own jobs: <c>job_savepoint</c> tasks without a server URL take
/// the savepoint of the newest job of that name (or id) through <see cref="ServerJobs"/>, as
/// <c>POST /api/jobs/{id}/savepoints</c> does. Thread-safe.
/// </summary>
internal sealed class ServerJobSavepoints(ServerJobs jobs) : IStreamingJobControl
{
    public async Task<string> TakeSavepointAsync(string job, CancellationToken cancellationToken)
    {
        var savepoint = await jobs.TakeSavepointAsync(jobs.GetByIdOrName(job), cancellationToken).ConfigureAwait(false);
        return savepoint.Path;
    }
}
