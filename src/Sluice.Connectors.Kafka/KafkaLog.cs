using Microsoft.Extensions.Logging;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// What the Kafka connector logs, category <see cref="Category"/>, event ids 2000–2099 (stable; listed in
/// docs/operations.md). Messages of a connector running in a job name the job (name and id), the operator and the
/// subtask. Nothing logged here contains a property value: librdkafka's lines name brokers, topics and errors only
/// (unless its <c>debug</c> property is set, whose output is librdkafka's own).
/// </summary>
internal static partial class KafkaLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "Sluice.Connectors.Kafka";

    [LoggerMessage(EventId = 2000,
        Message = "librdkafka {Facility} in {Client} of operator '{Operator}' subtask {Subtask}, job '{JobName}' ({JobId}): {Text}")]
    public static partial void ClientMessage(ILogger logger, LogLevel level, string facility, string client, string @operator, int subtask, string jobName, JobId jobId, string text);

    [LoggerMessage(EventId = 2001, Message = "librdkafka {Facility} in {Client}: {Text}")]
    public static partial void StandaloneClientMessage(ILogger logger, LogLevel level, string facility, string client, string text);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Kafka sink '{Operator}' of job '{JobName}' ({JobId}), subtask {Subtask}: transaction '{TransactionalId}' (sequence {Sequence}) of restored checkpoint {CheckpointId} belongs to an earlier process and cannot be resumed; it was fenced. Its records are committed unless that process stopped before Kafka acknowledged the commit.")]
    public static partial void TransactionNotResumed(ILogger logger, string @operator, string jobName, JobId jobId, int subtask, string transactionalId, long sequence, long checkpointId);
}
