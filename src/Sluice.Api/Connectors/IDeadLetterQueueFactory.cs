using Sluice.Sinks;

namespace Sluice.Connectors;

/// <summary>
/// A connector whose tables have a dead-letter queue next to them: <c>&lt;topic&gt;.dlq</c> (<see cref="DeadLetters.TopicFor"/>)
/// beside the table's topic, in the one dead-letter envelope. The SQL planner routes a job's dead letters there — the
/// records a table's source could not decode, and the rows that failed on their way from it into a table (a CHECK
/// constraint with <c>ON VIOLATION DLQ</c>, a NOT NULL column a sink refused, an expression error). Implemented
/// next to <see cref="IConnectorFactory"/> by connectors over a log (the embedded log, Kafka); a connector without it
/// keeps its dead letters on the <see cref="DeadLetters.Tag"/> side outputs only.
/// </summary>
/// <remarks>Implementations are stateless and thread-safe, like their <see cref="IConnectorFactory"/>.</remarks>
public interface IDeadLetterQueueFactory
{
    /// <summary>
    /// The dead-letter topic of the table: <c>&lt;topic&gt;.dlq</c> for the table's topic; null when the table has no one
    /// topic to put it beside (a source over several topics or a pattern), so its dead letters stay on the side outputs. Pure.
    /// </summary>
    /// <param name="context">The table, as <see cref="IConnectorFactory.CreateSource"/> gets it.</param>
    /// <exception cref="Configuration.ConfigOptionsException">The options name no topic.</exception>
    string? DeadLetterTopic(ConnectorContext context);

    /// <summary>
    /// Creates the sink of the table's dead letters: <see cref="DeadLetterTopic"/> (only called when it is not null);
    /// the embedded log creates a missing one with one partition, Kafka needs it to exist or to be auto-created. Letters without a job get <see cref="JobOptions.JobName"/>, letters without an origin get the table's
    /// topic (a replay appends them there). Exactly-once when <paramref name="job"/> has checkpoints (transactional id
    /// prefix <c>&lt;job&gt;/&lt;dead-letter topic&gt;</c>), at-least-once otherwise. Called once per table and job,
    /// before the job runs; the runtime disposes an <see cref="IDisposable"/> sink when the job has ended.
    /// </summary>
    /// <param name="context">The table, as <see cref="IConnectorFactory.CreateSource"/> gets it.</param>
    /// <param name="job">The job's options: its name and whether it checkpoints.</param>
    /// <exception cref="Configuration.ConfigOptionsException">The options do not fit the table.</exception>
    ISink<DeadLetter> CreateDeadLetterSink(ConnectorContext context, JobOptions job);
}
