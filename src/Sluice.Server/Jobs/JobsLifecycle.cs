using Microsoft.Extensions.Hosting;

namespace Sluice.Server.Jobs;

/// <summary>
/// Ties the server's jobs to the host's life: when the host begins stopping (before any hosted service stops), every
/// running job is suspended with a savepoint (<see cref="ServerJobs.SuspendAllAsync"/>) within the host's shutdown
/// timeout. Resuming happens in <see cref="SluiceServer.StartAsync"/>, after the server listens and before it is ready.
/// </summary>
internal sealed class JobsLifecycle(ServerJobs jobs) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Suspends every running job (see <see cref="ServerJobs.SuspendAllAsync"/>).</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => jobs.SuspendAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
