namespace Sluice.Orchestration;

/// <summary>
/// Runs a bounded Flink-SQL statement set for <see cref="Definitions.SqlJobAction"/> tasks; implemented by the host
/// with its SQL engine and connectors (<see cref="DagSchedulerOptions.SqlJobRunner"/>). Thread-safe.
/// </summary>
public interface ISqlJobRunner
{
    /// <summary>
    /// Runs <paramref name="statements"/> (rendered) until its job finishes, writing progress lines to
    /// <paramref name="log"/>. Cancelling <paramref name="cancellationToken"/> (a timeout) cancels the job.
    /// </summary>
    /// <param name="statements">The statement set; its INSERTs run together as one job.</param>
    /// <param name="log">The attempt's log (do not dispose).</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <exception cref="Exception">A statement is invalid or the job failed: the message is the attempt's error.</exception>
    Task RunAsync(string statements, TextWriter log, CancellationToken cancellationToken);
}
