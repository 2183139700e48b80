using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Sluice.Hosting;

/// <summary>
/// The hosted service of <c>AddSluice</c>: builds and submits every job registered with <c>AddSluiceJob</c> when the
/// host starts, reacts to a job that fails (<see cref="SluiceHostingOptions.StopApplicationOnJobFailure"/>), and stops
/// the jobs when the host begins stopping (<see cref="SluiceHostingOptions.ShutdownMode"/>), within the host's shutdown
/// timeout. Methods are called by the host, one at a time; status handlers run on job threads.
/// </summary>
internal sealed class SluiceJobHost(
    IServiceProvider services,
    JobRegistry registry,
    IEnumerable<SluiceJobDefinition> definitions,
    IOptions<SluiceHostingOptions> options,
    IHostApplicationLifetime lifetime,
    ILoggerFactory? loggerFactory = null) : IHostedLifecycleService
{
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(SluiceHostingLog.Category);
    private readonly SluiceHostingOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly List<JobClient> _jobs = [];

    /// <summary>The jobs this service submitted, in registration order.</summary>
    public IReadOnlyList<JobClient> Jobs
    {
        get
        {
            lock (_lock)
            {
                return [.. _jobs];
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Builds every registered job, then submits them all. A job that cannot be built or planned fails the host's
    /// start with an exception naming it; jobs submitted before it are cancelled, so none is left running.
    /// </summary>
    /// <exception cref="InvalidOperationException">A job's build delegate, its options, or its plan failed.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var environments = new List<StreamEnvironment>();
        foreach (var definition in definitions)
        {
            try
            {
                var configured = definition.Options?.Invoke(services) ?? new JobOptions();
                var environment = StreamEnvironment.Create(configured with
                {
                    JobName = definition.Name,
                    // A job that set no logger factory of its own logs where the host does.
                    LoggerFactory = configured.LoggerFactory is NullLoggerFactory ? _loggerFactory : configured.LoggerFactory,
                });
                definition.Build(services, environment);
                environments.Add(environment);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Sluice job '{definition.Name}' could not be built: {e.Message}", e);
            }
        }
        foreach (var environment in environments)
        {
            try
            {
                var job = registry.Submit(environment, job => job.StatusChanged += OnStatusChanged, CancellationToken.None);
                lock (_lock)
                {
                    _jobs.Add(job);
                }
                SluiceHostingLog.Submitted(_logger, job.JobName, job.Id);
            }
            catch (Exception e)
            {
                foreach (var started in Jobs)
                {
                    started.Cancel();
                }
                throw new InvalidOperationException($"Sluice job '{environment.Options.JobName}' could not be started: {e.Message}", e);
            }
        }
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Stops every running job (per <see cref="SluiceHostingOptions.ShutdownMode"/>) and waits for them until
    /// <paramref name="cancellationToken"/> — the host's shutdown timeout — is cancelled; then cancels those still
    /// running and returns without waiting for them. A job that fails while stopping was logged by its status change.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var running = Jobs.Where(static job => !job.Status.IsTerminal()).ToList();
        if (running.Count == 0)
        {
            return;
        }
        SluiceHostingLog.Stopping(_logger, running.Count, _options.ShutdownMode);
        foreach (var job in running)
        {
            job.Stop(drain: _options.ShutdownMode == JobShutdownMode.Drain);
        }
        // Whether a job ended well or not, its status says so (and was logged): here only the end matters.
        var ended = Task.WhenAll(running.Select(static job => (Task)job.Completion));
        await ended.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (ended.IsCompleted)
        {
            return;
        }
        foreach (var job in running)
        {
            if (!job.Status.IsTerminal())
            {
                SluiceHostingLog.StopTimedOut(_logger, job.JobName, job.Id);
                job.Cancel();
            }
        }
    }

    /// <summary>Nothing to do: the jobs were stopped in <see cref="StoppingAsync"/>, before any hosted service stopped.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnStatusChanged(JobStatusChange change)
    {
        if (change.NewStatus != JobStatus.Failed)
        {
            return;
        }
        var job = change.Job;
        var cause = change.Cause?.Message ?? "unknown";
        if (_options.StopApplicationOnJobFailure)
        {
            SluiceHostingLog.FailedStoppingApplication(_logger, job.JobName, job.Id, cause);
            lifetime.StopApplication();
        }
        else
        {
            SluiceHostingLog.FailedHostContinues(_logger, job.JobName, job.Id, cause);
        }
    }
}
