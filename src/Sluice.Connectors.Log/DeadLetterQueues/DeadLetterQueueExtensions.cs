using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>Writes dead letters to their dead-letter topic of the embedded log, in the one envelope (<see cref="DeadLetterEnvelope"/>).</summary>
public static class DeadLetterQueueExtensions
{
    /// <summary>
    /// Writes <paramref name="letters"/> to <c>&lt;<paramref name="source"/>&gt;.dlq</c> (<see cref="DeadLetters.TopicFor"/>),
    /// created with one partition when missing, as <see cref="DeadLetterEnvelope"/> layout <see cref="DeadLetterEnvelope.Version"/>
    /// messages: letters without a job get the environment's <see cref="JobOptions.JobName"/>, letters without an
    /// origin get <paramref name="source"/> (replay appends them there). Exactly-once by default, like
    /// <see cref="LogSink{T}"/> with <see cref="LogSinkOptions.ExactlyOnce"/>: transactional id prefix
    /// <c>&lt;job&gt;/&lt;source&gt;.dlq</c> (a job that starts over without restoring a checkpoint must use a new job
    /// name or pass its own <paramref name="options"/>).
    /// </summary>
    /// <param name="letters">The dead letters, e.g. <c>stream.GetSideOutput(DeadLetters.Tag)</c>.</param>
    /// <param name="log">The open log; the caller keeps it open until the job ended.</param>
    /// <param name="source">The topic the letters' records came from or were meant for (<c>orders</c> → <c>orders.dlq</c>).</param>
    /// <param name="options">Sink settings; null = exactly-once with the prefix above.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is empty or itself a dead-letter topic; an option is invalid.</exception>
    public static DataStreamSink<DeadLetter> ToDeadLetterQueue(this DataStream<DeadLetter> letters, PartitionedLog log, string source, LogSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(letters);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (DeadLetters.IsDeadLetterTopic(source))
        {
            throw new ArgumentException($"'{source}' is a dead-letter topic; give the topic it serves ('{DeadLetterQueue.OriginOf(source)}').", nameof(source));
        }
        var topic = DeadLetters.TopicFor(source);
        if (!log.TryGetTopic(topic, out _))
        {
            log.CreateTopic(topic, new TopicConfig { Partitions = 1 });
        }
        var job = letters.Environment.Options.JobName;
        options ??= new LogSinkOptions { ExactlyOnce = true, TransactionalIdPrefix = $"{job}/{topic}" };
        return letters.SinkTo(new LogSink<DeadLetter>(log, topic, DeadLetterEnvelope.Serializer(job, source), options), $"DeadLetterQueue({topic})");
    }
}
