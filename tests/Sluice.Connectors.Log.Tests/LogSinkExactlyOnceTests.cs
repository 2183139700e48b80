using System.Text;
using Sluice.Checkpoints;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;
using Sluice.Windowing;

namespace Sluice.Connectors.Log.Tests;

/// <summary>
/// The transactional <see cref="LogSink{T}"/>: read-committed consumers see each record exactly once across a crash
/// (log closed and reopened, as after kill -9) and a restore with the same or another parallelism.
/// </summary>
public sealed class LogSinkExactlyOnceTests : IDisposable
{
    private const long Count = 20_000;
    private const string Prefix = "job/sink";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-logeo-" + Guid.NewGuid().ToString("N"));

    private string LogDir => Path.Combine(_root, "log");

    private string Checkpoints => Path.Combine(_root, "checkpoints");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private PartitionedLog OpenLog() =>
        PartitionedLog.Open(LogDir, new LogOptions { FlushPolicy = FlushPolicy.OperatingSystem, MaintenanceInterval = null });

    private static LogSinkOptions ExactlyOnce => new() { ExactlyOnce = true, TransactionalIdPrefix = Prefix, Linger = TimeSpan.FromMilliseconds(5), MaxBatchRecords = 64 };

    private static void Build(StreamEnvironment env, PausableRangeSource source, PartitionedLog log, string topic, LogSinkOptions options)
    {
        var values = env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(50)), "Range").Uid("range");
        var windows = values.KeyBy(v => v % 37)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Aggregate(new Sum(), (k, w, sum) => $"w:{k}@{w.Start}={sum}")
            .Uid("window");
        var firsts = values.KeyBy(v => v % 101).Deduplicate(TimeSpan.FromHours(1)).Uid("dedup").Map(v => $"first:{v}").Uid("first");
        windows.Union(firsts).ToLog(log, topic, MessageSerializers.Utf8String(s => s.Split('@')[0]), options).Uid("sink");
    }

    private static List<string> ReadCommitted(PartitionedLog log, string topic)
    {
        var values = new List<string>();
        foreach (PartitionLog p in log.GetTopic(topic).Partitions)
        {
            long offset = p.LogStartOffset;
            using var result = new FetchResult();
            while (offset < p.LastStableOffset)
            {
                p.Fetch(offset, new FetchOptions(Isolation: IsolationLevel.ReadCommitted), result);
                values.AddRange(result.ToList().Select(r => Encoding.UTF8.GetString(r.Value!)));
                offset = result.NextOffset;
            }
        }
        values.Sort(StringComparer.Ordinal);
        return values;
    }

    private List<string> Reference()
    {
        using var log = PartitionedLog.Open(Path.Combine(_root, "reference"), new LogOptions { FlushPolicy = FlushPolicy.OperatingSystem, MaintenanceInterval = null });
        log.CreateTopic("ref", new TopicConfig { Partitions = 3 });
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        Build(env, new PausableRangeSource(Count), log, "ref", new LogSinkOptions());
        env.ExecuteAsync().GetAwaiter().GetResult();
        return ReadCommitted(log, "ref");
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    public async Task Restore_AfterCrashWithPreparedAndOpenTransactions_ReadCommittedSeesExactlyTheUninterruptedResult(int before, int after)
    {
        var reference = Reference();
        reference.Count.ShouldBeGreaterThan(100);

        var log1 = OpenLog();
        log1.CreateTopic("out", new TopicConfig { Partitions = 3 });
        var source1 = new PausableRangeSource(Count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = before,
            Checkpoints = CheckpointOptions.InDirectory(Checkpoints, TimeSpan.FromHours(1)),
            BatchSize = 256,
        });
        Build(env1, source1, log1, "out", ExactlyOnce);
        var run1 = env1.Start();
        var completed = new SemaphoreSlim(0);
        run1.CheckpointCompleted += _ => completed.Release();
        source1.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        run1.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await completed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        var atCheckpoint = ReadCommitted(log1, "out");
        atCheckpoint.Count.ShouldBeGreaterThan(0);
        atCheckpoint.Count.ShouldBeLessThan(reference.Count);

        // Write more into open transactions that the crash leaves behind (log recovery and AbortPending abort them).
        source1.AdvanceTo(10_000);
        var sink1 = log1.TransactionalIds(Prefix + "-");
        sink1.Count.ShouldBe(before);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        ReadCommitted(log1, "out").ShouldBe(atCheckpoint, "nothing after the checkpoint is visible to read-committed readers");
        log1.Dispose();

        using var log2 = OpenLog();
        ReadCommitted(log2, "out").ShouldBe(atCheckpoint);
        var env2 = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = after,
            Checkpoints = CheckpointOptions.InDirectory(Checkpoints, TimeSpan.FromHours(1)),
            BatchSize = 256,
        });
        Build(env2, new PausableRangeSource(Count), log2, "out", ExactlyOnce);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        ReadCommitted(log2, "out").ShouldBe(reference);
        foreach (var id in log2.TransactionalIds(Prefix + "-"))
        {
            log2.InitTransactions(id).PendingSequences.ShouldBeEmpty($"{id} must have nothing left pending");
        }
    }

    [Fact]
    public async Task Restore_WithPreparedButUncommittedRestoredCheckpoint_CommitsItOnce()
    {
        // A crash after the manifest is durable and before the commit: the restore commits the prepared transactions.
        using var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 2 });
        var sink = new LogSink<string>(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(new SinkContext("sink", 0, 1, TimeProvider.System));
        writer.Write("a", 1);
        writer.Write("b", 2);
        var committable = writer.PrepareCommit(1);
        writer.Dispose();
        ReadCommitted(log, "out").ShouldBeEmpty();

        var restored = new LogSink<string>(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        restored.AbortPending(1);
        restored.Commit(1, 0, committable);
        restored.Commit(1, 0, committable);
        ReadCommitted(log, "out").ShouldBe(["a", "b"]);

        // And once more after another restart from the same checkpoint: already committed, nothing changes.
        var again = new LogSink<string>(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        again.AbortPending(1);
        again.Commit(1, 0, committable);
        ReadCommitted(log, "out").ShouldBe(["a", "b"]);
        await Task.CompletedTask;
    }

    [Fact]
    public void AbortPending_AbortsLaterPreparedTransactionsOfEveryFormerSubtask()
    {
        using var log = OpenLog();
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
        using var log = OpenLog();
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
        using var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 1 });
        Should.Throw<ArgumentException>(() => new LogSink<string>(log, "out", MessageSerializers.Utf8String(), new LogSinkOptions { ExactlyOnce = true }))
            .Message.ShouldContain("TransactionalIdPrefix");
    }

    [Fact]
    public async Task ExactlyOnce_WithoutCheckpoints_CommitsAtTheEndOfInput()
    {
        using var log = OpenLog();
        log.CreateTopic("out", new TopicConfig { Partitions = 2 });
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        env.FromCollection(Enumerable.Range(0, 100).Select(i => $"v{i:D3}").ToList())
            .ToLog(log, "out", MessageSerializers.Utf8String(), ExactlyOnce);
        await env.ExecuteAsync().OrTimeout();
        ReadCommitted(log, "out").ShouldBe(Enumerable.Range(0, 100).Select(i => $"v{i:D3}"));
    }

    private sealed class Sum : IAggregateFunction<long, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, long value) => accumulator + value;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }
}
