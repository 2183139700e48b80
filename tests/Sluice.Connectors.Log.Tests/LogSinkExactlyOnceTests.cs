using System.Text;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;

namespace Sluice.Connectors.Log.Tests;

/// <summary>
/// The transactional <see cref="LogSink{T}"/> beyond the two-phase sink contract (Contracts/LogSinkContractTests):
/// restores with fewer subtasks, commits of aborted transactions, options, and commits without checkpoints.
/// </summary>
public sealed class LogSinkExactlyOnceTests : IDisposable
{
    private const string Prefix = "job/sink";
    private readonly TempLog _temp = new();

    public void Dispose() => _temp.Dispose();

    private PartitionedLog OpenLog() => _temp.Log;

    private static LogSinkOptions ExactlyOnce => new() { ExactlyOnce = true, TransactionalIdPrefix = Prefix, Linger = TimeSpan.FromMilliseconds(5), MaxBatchRecords = 64 };

    private List<string> ReadCommitted(PartitionedLog log, string topic) =>
        [.. _temp.ReadAll(topic).Select(r => Encoding.UTF8.GetString(r.Record.Value!)).Order(StringComparer.Ordinal)];

    [Fact]
    public void AbortPending_AbortsLaterPreparedTransactionsOfEveryFormerSubtask()
    {
        var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 2 });
        var sink = new LogSink<string>(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        sink.AbortPending(0);
        var committables = new List<byte[]>();
        for (var subtask = 0; subtask < 4; subtask++)
        {
            var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(new SinkContext("sink", subtask, 4, TimeProvider.System));
            writer.Write($"s{subtask}-c1", 1);
            committables.Add(writer.PrepareCommit(1));
            writer.Write($"s{subtask}-c2", 1);
            writer.PrepareCommit(2).ShouldNotBeEmpty();
            writer.Write($"s{subtask}-open", 1);
            writer.Flush();
            writer.Dispose();
        }

        // Restore checkpoint 1 with parallelism 2: subtasks 2 and 3 no longer exist but their work must be resolved too.
        var restored = new LogSink<string>(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        restored.AbortPending(1);
        for (var subtask = 0; subtask < 4; subtask++)
        {
            restored.Commit(1, subtask, committables[subtask]);
        }
        ReadCommitted(log, "out").ShouldBe(["s0-c1", "s1-c1", "s2-c1", "s3-c1"]);
        log.TransactionalIds(Prefix + "-").ShouldBe([$"{Prefix}-0", $"{Prefix}-1", $"{Prefix}-2", $"{Prefix}-3"]);
        foreach (var id in log.TransactionalIds(Prefix + "-"))
        {
            restored.ProducerFor(id).PendingSequences.ShouldBeEmpty();
        }
    }

    [Fact]
    public void Commit_OfAbortedTransaction_FailsLoudly()
    {
        var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 1 });
        var sink = new LogSink<string>(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(new SinkContext("sink", 0, 1, TimeProvider.System));
        writer.Write("x", 1);
        var committable = writer.PrepareCommit(5);
        sink.AbortPending(0);
        Should.Throw<LogException>(() => sink.Commit(5, 0, committable)).Message.ShouldContain("neither prepared nor committed");
    }

    [Fact]
    public void Options_ExactlyOnceWithoutPrefix_Throws()
    {
        var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 1 });
        Should.Throw<ArgumentException>(() => new LogSink<string>(log, "out", MessageSerializers.Utf8String(), new LogSinkOptions { ExactlyOnce = true }))
            .Message.ShouldContain("TransactionalIdPrefix");
    }

    [Fact]
    public async Task ExactlyOnce_WithoutCheckpoints_CommitsAtTheEndOfInput()
    {
        var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 2 });
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        env.FromCollection(Enumerable.Range(0, 100).Select(i => $"v{i:D3}").ToList())
            .ToLog(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        await env.ExecuteAsync().OrTimeout();
        ReadCommitted(log, "out").ShouldBe(Enumerable.Range(0, 100).Select(i => $"v{i:D3}"));
    }
}
