using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>librdkafka's log lines reach the job's logger with mapped levels, naming the job, operator and subtask.</summary>
public sealed class KafkaClientLogTests
{
    [Theory]
    [InlineData(SyslogLevel.Emergency, LogLevel.Critical)]
    [InlineData(SyslogLevel.Alert, LogLevel.Critical)]
    [InlineData(SyslogLevel.Critical, LogLevel.Critical)]
    [InlineData(SyslogLevel.Error, LogLevel.Error)]
    [InlineData(SyslogLevel.Warning, LogLevel.Warning)]
    [InlineData(SyslogLevel.Notice, LogLevel.Information)]
    [InlineData(SyslogLevel.Info, LogLevel.Information)]
    [InlineData(SyslogLevel.Debug, LogLevel.Debug)]
    public void ToLogLevel_MapsEverySyslogLevel(SyslogLevel syslog, LogLevel expected) => KafkaClientLog.ToLogLevel(syslog).ShouldBe(expected);

    [Fact]
    public void Write_ClientOfAJob_NamesTheJobOperatorAndSubtask()
    {
        var logs = new CollectingLoggerFactory();
        var job = JobId.New();
        var log = KafkaClientLog.ForJob(logs, "clicks", 1, "demo", job);

        log.Write(new LogMessage("rdkafka#consumer-1", SyslogLevel.Warning, "FAIL", "127.0.0.1:9092/bootstrap: Connection refused"));

        var entry = logs.Entries.ShouldHaveSingleItem();
        (entry.Category, entry.Level, entry.EventId.Id).ShouldBe(("Sluice.Connectors.Kafka", LogLevel.Warning, 2000));
        entry.Message.ShouldBe($"librdkafka FAIL in rdkafka#consumer-1 of operator 'clicks' subtask 1, job 'demo' ({job}): 127.0.0.1:9092/bootstrap: Connection refused");
    }

    [Fact]
    public void Write_StandaloneWriter_NamesTheClientOnly()
    {
        var logs = new CollectingLoggerFactory();
        var log = KafkaClientLog.Standalone(logs.CreateLogger("mine"));

        log.Write(new LogMessage("rdkafka#producer-3", SyslogLevel.Error, "TXNERR", "fenced"));

        var entry = logs.Entries.ShouldHaveSingleItem();
        (entry.Level, entry.EventId.Id, entry.Message).ShouldBe((LogLevel.Error, 2001, "librdkafka TXNERR in rdkafka#producer-3: fenced"));
    }
}
