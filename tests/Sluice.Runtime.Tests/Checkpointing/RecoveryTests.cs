using Sluice.Checkpoints;
using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Checkpointing;

/// <summary>
/// Exactly-once recovery: a run that checkpoints, keeps producing uncommitted output and crashes, then a restored
/// run, together commit exactly what an uninterrupted run produces. The job keeps keyed state (windows, dedup,
/// sessions), so every test runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.
/// </summary>
public abstract class RecoveryTests : BackendSuite, IDisposable
{
    private const long Count = 20_000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    private static void Build(StreamEnvironment env, PausableRangeSource source, CommittedRecords<string> committed)
    {
        var values = env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(50)), "Range").Uid("range");
        var windows = values.KeyBy(v => v % 37)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Aggregate(new Sum(), (k, w, sum) => $"w:{k}@{w.Start}={sum}")
            .Uid("window");
        var firsts = values.KeyBy(v => v % 101).Deduplicate(TimeSpan.FromHours(1)).Uid("dedup").Map(v => $"first:{v}").Uid("first");
        var sessions = values.Filter(v => v % 500 < 40).Uid("sparse").KeyBy(v => v % 3)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(100)))
            .Aggregate(new Sum(), (k, w, sum) => $"s:{k}@{w.Start}-{w.End}={sum}")
            .Uid("sessions");
        windows.Union(firsts, sessions).SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");
    }

    /// <summary>The uninterrupted result, always from the heap backend: each backend's recovered output must equal it.</summary>
    private static List<string> Reference()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Mode = ExecutionMode.Deterministic });
        var committed = new CommittedRecords<string>();
        Build(env, new PausableRangeSource(Count), committed);
        env.ExecuteAsync().GetAwaiter().GetResult();
        return [.. committed.Items.Order(StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    public async Task Restore_AfterCrashWithUncommittedOutput_CommitsExactlyTheUninterruptedResult(int before, int after)
    {
        var reference = Reference();
        var committed = new CommittedRecords<string>();

        // Run 1: checkpoint at 7,000, process on to 12,000 (staged, never committed), then crash.
        var source1 = new PausableRangeSource(Count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(Options(new JobOptions
        {
            Parallelism = before,
            Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)),
            BatchSize = 256,
        }));
        Build(env1, source1, committed);
        var run1 = env1.Start();
        var completed = new SemaphoreSlim(0);
        run1.CheckpointCompleted += _ => completed.Release();
        source1.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue("the source should reach the pause point");
        run1.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await completed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("the checkpoint should complete");
        var committedAtCheckpoint = committed.Items.Count;
        committedAtCheckpoint.ShouldBeGreaterThan(0, "the checkpoint covers fired windows, which it must have committed");
        committedAtCheckpoint.ShouldBeLessThan(reference.Count);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        committed.Items.Count.ShouldBe(committedAtCheckpoint, "nothing after the checkpoint may be committed before it completes");

        // Run 2: restore with another parallelism and finish.
        var env2 = StreamEnvironment.Create(Options(new JobOptions
        {
            Parallelism = after,
            Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)),
            BatchSize = 256,
        }));
        Build(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(reference);
    }

    [Fact]
    public async Task Restart_FromFinalCheckpoint_ProducesNothingNew()
    {
        var committed = new CommittedRecords<string>();
        var options = Options(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var env1 = StreamEnvironment.Create(options);
        Build(env1, new PausableRangeSource(Count), committed);
        await env1.ExecuteAsync().OrTimeout();
        var first = committed.Items.Count;
        first.ShouldBe(Reference().Count);

        var env2 = StreamEnvironment.Create(options);
        Build(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().OrTimeout();
        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        committed.Items.Count.ShouldBe(first);
    }

    [Fact]
    public async Task Savepoint_TakenWhileRunning_StartsANewJobThatFinishesExactlyOnce()
    {
        var reference = Reference();
        var committed = new CommittedRecords<string>();
        var savepoint = Path.Combine(_dir, "savepoint");
        var source = new PausableRangeSource(Count) { PauseAt = 9_000 };
        var env1 = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(Path.Combine(_dir, "run1"), TimeSpan.FromHours(1)) }));
        Build(env1, source, committed);
        var run1 = env1.Start();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        var id = await run1.TakeSavepointAsync(savepoint).OrTimeout();
        await PausableRangeSource.CrashAsync(run1);

        (await new LocalCheckpointStore(savepoint).ListCompletedAsync()).ShouldBe([id]);
        var env2 = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 3, Checkpoints = CheckpointOptions.InDirectory(savepoint, TimeSpan.FromHours(1)) }));
        Build(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBe(id);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(reference);
    }

    private sealed class Sum : IAggregateFunction<long, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, long value) => accumulator + value;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    public sealed class Heap : RecoveryTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : RecoveryTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}

/// <summary>
/// A task failure restarts the job from the last checkpoint under the restart strategy. The job keeps keyed state
/// (a rolling sum, a map and a timer), so it runs on every state backend: see the nested <see cref="Heap"/> and
/// <see cref="RocksDb"/>.
/// </summary>
public abstract class RestartTests : BackendSuite, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task FixedDelayRestart_OperatorFailsOnceAfterACheckpoint_FinishesWithExactlyOnceOutput()
    {
        const long Count = 10_000;
        var expected = Enumerable.Range(0, (int)Count).GroupBy(v => v % 7).Select(g => $"{g.Key}={g.Sum(v => (long)v)}").Order(StringComparer.Ordinal).ToList();
        var committed = new CommittedRecords<string>();
        var source = new PausableRangeSource(Count) { PauseAt = 4_000 };
        var failOnce = new FailOnce(6_000);
        var logs = new CollectingLoggerFactory();
        var env = StreamEnvironment.Create(Options(new JobOptions
        {
            Parallelism = 2,
            BatchSize = 128,
            Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)),
            Restart = RestartStrategy.FixedDelay(3, TimeSpan.Zero),
            LoggerFactory = logs,
        }));
        env.FromSource(source, null, "Range").Uid("range")
            .Map(failOnce.Apply).Uid("fail-once")
            .Map(v => (Key: v % 7, Sum: v)).Uid("pair")
            .KeyBy(p => p.Key).Reduce((a, b) => (a.Key, a.Sum + b.Sum)).Uid("sum")
            .KeyBy(_ => 0).Process(new LastPerKey()).Uid("final")
            .SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");
        var client = env.Start();
        var checkpointed = new SemaphoreSlim(0);
        client.CheckpointCompleted += _ => checkpointed.Release();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        var checkpoint = client.TriggerCheckpoint();
        checkpoint.ShouldBeGreaterThan(0);
        (await checkpointed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        source.PauseAt = long.MaxValue;

        var result = await client.Completion.OrTimeout();

        result.Restarts.ShouldBe(1);
        failOnce.Failures.ShouldBe(1);
        var restart = logs.WithEventId(1002).ShouldHaveSingleItem();
        (restart.Category, restart.Level).ShouldBe(("Sluice.Runtime.JobExecution", Microsoft.Extensions.Logging.LogLevel.Warning));
        restart.Message.ShouldContain($"({client.Id}) failed; restart 1/3");
        restart.Message.ShouldContain("value 6000 is poisoned");
        restart.Exception.ShouldBeOfType<JobExecutionException>();
        logs.WithEventId(1001).ShouldHaveSingleItem().Message.ShouldContain($"restores checkpoint {checkpoint} ", Case.Sensitive, "the restart restores it");
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(expected);
    }

    [Fact]
    public async Task FixedDelayRestart_FlatMapChainedToKeyedProcessFailsMidBatch_FinishesWithExactlyOnceOutput()
    {
        // At parallelism 1 the flat map hands each record straight to the keyed process function it is chained to, so
        // the records before the poisoned one in its batch are already in keyed state when it fails: the restore must
        // take them back out.
        const long Count = 10_000;
        var expected = Enumerable.Range(0, (int)Count).GroupBy(v => v % 7).Select(g => $"{g.Key}={g.Sum(v => (long)v)}").Order(StringComparer.Ordinal).ToList();
        var committed = new CommittedRecords<string>();
        var source = new PausableRangeSource(Count) { PauseAt = 4_000 };
        var failOnce = new FailOnce(6_050);
        var env = StreamEnvironment.Create(Options(new JobOptions
        {
            Parallelism = 1,
            BatchSize = 128,
            Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)),
            Restart = RestartStrategy.FixedDelay(3, TimeSpan.Zero),
        }));
        env.FromSource(source, null, "Range").Uid("range")
            .FlatMap<(long Key, long Value)>((v, output) =>
            {
                output.Collect((v % 7, v));
                output.Collect((v % 7, 0));
                failOnce.Apply(v);
            }, "pairs").Uid("pairs")
            .KeyBy(p => p.Key).Process(new SumPerKey()).Uid("sum")
            .SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");
        var client = env.Start();
        var checkpointed = new SemaphoreSlim(0);
        client.CheckpointCompleted += _ => checkpointed.Release();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        client.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await checkpointed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        source.PauseAt = long.MaxValue;

        var result = await client.Completion.OrTimeout();

        result.Restarts.ShouldBe(1);
        failOnce.Failures.ShouldBe(1);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(expected);
    }

    /// <summary>Sums each key's values in value state and emits <c>key=sum</c> at the end of input.</summary>
    private sealed class SumPerKey : KeyedProcessFunction<long, (long Key, long Value), string>
    {
        private global::Sluice.State.IValueState<long> _sum = null!;

        public override void Open(IRuntimeContext context) =>
            _sum = context.State.GetState(new global::Sluice.State.ValueStateDescriptor<long>("sum"));

        public override void ProcessElement((long Key, long Value) value, KeyedProcessContext<long> context, ICollector<string> output)
        {
            _sum.Update(_sum.Value + value.Value);
            context.TimerService.RegisterEventTimeTimer(long.MaxValue);
        }

        public override void OnTimer(long timestamp, KeyedProcessContext<long> context, ICollector<string> output) =>
            output.Collect($"{context.CurrentKey}={_sum.Value}");
    }

    /// <summary>Keeps each key's last rolling sum and emits them all at the end of input.</summary>
    private sealed class LastPerKey : KeyedProcessFunction<int, (long Key, long Sum), string>
    {
        private global::Sluice.State.IMapState<long, long> _last = null!;

        public override void Open(IRuntimeContext context) =>
            _last = context.State.GetMapState(new global::Sluice.State.MapStateDescriptor<long, long>("last"));

        public override void ProcessElement((long Key, long Sum) value, KeyedProcessContext<int> context, ICollector<string> output)
        {
            _last.Put(value.Key, value.Sum);
            context.TimerService.RegisterEventTimeTimer(long.MaxValue);
        }

        public override void OnTimer(long timestamp, KeyedProcessContext<int> context, ICollector<string> output)
        {
            foreach (var (key, sum) in _last.Entries)
            {
                output.Collect($"{key}={sum}");
            }
        }
    }

    public sealed class Heap : RestartTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : RestartTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}

/// <summary>Without a restart strategy a task failure fails the job. No keyed state: independent of the state backend.</summary>
public sealed class NoRestartTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task NoRestartStrategy_OperatorFails_JobFailsWithTheCause()
    {
        var failOnce = new FailOnce(500);
        var env = StreamEnvironment.Create(new JobOptions { Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        env.FromSource(new PausableRangeSource(1_000), null, "Range").Map(failOnce.Apply).Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());
        error.Message.ShouldContain("value 500 is poisoned");
    }
}

/// <summary>Throws on one value, the first time only (shared across the restarted attempt's copies).</summary>
internal sealed class FailOnce(long poisoned)
{
    private int _failures;

    public int Failures => _failures;

    public long Apply(long value) => value == poisoned && Interlocked.CompareExchange(ref _failures, 1, 0) == 0
        ? throw new InvalidOperationException($"value {value} is poisoned")
        : value;
}
