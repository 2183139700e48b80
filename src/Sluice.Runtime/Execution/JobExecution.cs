using Sluice.Runtime.Planning;

namespace Sluice;

/// <summary>Runs jobs defined on a <see cref="StreamEnvironment"/> in this process.</summary>
public static class JobExecution
{
    /// <summary>
    /// Plans and starts the job; returns at once with its client. Each call runs a new instance of the job, with a new
    /// <see cref="JobClient.Id"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    public static JobClient Start(this StreamEnvironment environment, CancellationToken cancellationToken = default) =>
        Start(environment, static _ => { }, cancellationToken);

    /// <summary>
    /// Plans the job, hands its client to <paramref name="beforeRun"/> — subscribe to its events there to see every
    /// occurrence, the earliest included — then starts it and returns the client.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    public static JobClient Start(this StreamEnvironment environment, Action<JobClient> beforeRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(beforeRun);
        var plan = JobPlanner.Plan(environment);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var client = new JobClient(plan, cancellation, JobId.New());
        beforeRun(client);
        client.Run();
        return client;
    }

    /// <summary>Runs the job to completion.</summary>
    /// <exception cref="JobExecutionException">The job failed; the message names the operator, subtask and record.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<JobResult> ExecuteAsync(this StreamEnvironment environment, CancellationToken cancellationToken = default) =>
        environment.Start(cancellationToken).Completion;

    /// <summary>Describes the physical plan the job would run: tasks (operator chains), parallelism and exchanges.</summary>
    public static string Explain(this StreamEnvironment environment) => JobPlanner.Plan(environment).Describe();
}
