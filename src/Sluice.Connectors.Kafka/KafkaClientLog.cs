using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// Where one librdkafka client of the connector logs: the job's logger (from the reader, writer or committer context)
/// and what its messages name — job, operator and subtask. Immutable; <see cref="Write"/> is called on librdkafka's
/// threads.
/// </summary>
internal sealed class KafkaClientLog
{
    private readonly string? _operator; // null outside a job: messages then name the client only

    private KafkaClientLog(ILogger logger, string? @operator, int subtask, string jobName, JobId jobId)
    {
        Logger = logger;
        _operator = @operator;
        Subtask = subtask;
        JobName = jobName;
        JobId = jobId;
    }

    /// <summary>Logs nothing.</summary>
    public static KafkaClientLog None { get; } = new(NullLogger.Instance, null, 0, "", default);

    public ILogger Logger { get; }

    public string Operator => _operator ?? "";

    public int Subtask { get; }

    public string JobName { get; }

    public JobId JobId { get; }

    /// <summary>A client of <paramref name="operator"/>'s subtask <paramref name="subtask"/> in a job.</summary>
    public static KafkaClientLog ForJob(ILoggerFactory loggerFactory, string @operator, int subtask, string jobName, JobId jobId) =>
        new(loggerFactory.CreateLogger(KafkaLog.Category), @operator, subtask, jobName, jobId);

    /// <summary>A client used directly, outside a job (a <see cref="KafkaTransactionalWriter"/> built by the caller).</summary>
    public static KafkaClientLog Standalone(ILogger? logger) => logger is null ? None : new(logger, null, 0, "", default);

    /// <summary>The same operator and job, another subtask.</summary>
    public KafkaClientLog ForSubtask(int subtask) => new(Logger, _operator, subtask, JobName, JobId);

    /// <summary>librdkafka's log handler: maps syslog levels to <see cref="LogLevel"/> (emergency, alert, critical → Critical; notice and info → Information).</summary>
    public void Write(LogMessage message)
    {
        var level = ToLogLevel(message.Level);
        if (!Logger.IsEnabled(level))
        {
            return;
        }
        if (_operator is null)
        {
            KafkaLog.StandaloneClientMessage(Logger, level, message.Facility, message.Name, message.Message);
        }
        else
        {
            KafkaLog.ClientMessage(Logger, level, message.Facility, message.Name, _operator, Subtask, JobName, JobId, message.Message);
        }
    }

    internal static LogLevel ToLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
