using Sluice.Plans;
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
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (beforeRun), so no call binds ambiguously; the optional CancellationToken comes last by convention.")]
    public static JobClient Start(this StreamEnvironment environment, CancellationToken cancellationToken = default) =>
        Start(environment, static _ => { }, cancellationToken);

    /// <summary>
    /// Plans the job, hands its client to <paramref name="beforeRun"/> — subscribe to its events there to see every
    /// occurrence, the earliest included — then starts it and returns the client.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in a required parameter (beforeRun), so no call binds ambiguously; the optional CancellationToken comes last by convention.")]
    public static JobClient Start(this StreamEnvironment environment, Action<JobClient> beforeRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(beforeRun);
        var plan = JobPlanner.Plan(environment);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var client = new JobClient(plan, cancellation, JobId.New());
        Runtime.Execution.JobLineage.Attach(client, plan);
        beforeRun(client);
        client.Run();
        return client;
    }

    /// <summary>Runs the job to completion.</summary>
    /// <exception cref="JobExecutionException">The job failed; the message names the operator, subtask and record.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<JobResult> ExecuteAsync(this StreamEnvironment environment, CancellationToken cancellationToken = default) =>
        environment.Start(cancellationToken).Completion;

    /// <summary>
    /// Describes the physical plan the job would run, as readable text: tasks (operator chains), parallelism and
    /// exchanges (<see cref="PlanDescription.ToText"/>). Runs nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    public static string Explain(this StreamEnvironment environment) => environment.Explain(ExplainFormat.Text);

    /// <summary>Describes the physical plan the job would run, as text or as JSON (<see cref="PlanDescription.ToJson"/>). Runs nothing.</summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not an <see cref="ExplainFormat"/>.</exception>
    public static string Explain(this StreamEnvironment environment, ExplainFormat format) => format switch
    {
        ExplainFormat.Text => environment.DescribePlan().ToText(),
        ExplainFormat.Json => environment.DescribePlan().ToJson(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"Unknown explain format {format}: use Text or Json."),
    };

    /// <summary>The physical plan the job would run, as data: operators, tasks and edges (see <see cref="PlanDescription"/>). Runs nothing.</summary>
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    public static PlanDescription DescribePlan(this StreamEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return JobPlanner.Plan(environment).Description;
    }
}
