using Sluice.Checkpoints;

namespace Sluice.Extensibility.Tests;

/// <summary>
/// Operators defined in this assembly, added with <c>Transform</c> (one input, keyed, and keyed with two inputs), run in real jobs: they produce the expected
/// output, checkpoint, and continue exactly once after a crash and restore.
/// </summary>
public sealed class TransformTests : IDisposable
{
    private const long Count = 10_000;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-ext-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static List<string> RunningSums(long count)
    {
        var expected = new List<string>();
        long sum = 0;
        for (long v = 0; v < count; v++)
        {
            sum += v;
            expected.Add($"{v}:{sum}");
        }
        return expected;
    }

    private static List<string> BucketCounts(long count, int keys) =>
    [
        .. Enumerable.Range(0, (int)count)
            .GroupBy(v => (Key: v % keys, Bucket: v - (v % BucketCountOperator.BucketMs)))
            .Select(g => $"{g.Key.Key}@{g.Key.Bucket}={g.Count()}")
            .Order(StringComparer.Ordinal),
    ];

    private JobOptions Options(int parallelism) => new()
    {
        Parallelism = parallelism,
        Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)),
        BatchSize = 128,
    };

    private static void BuildRunningSum(StreamEnvironment env, PausableRangeSource source, CommittedRecords<string> committed, List<long> completed) =>
        env.FromSource(source, name: "Range").Uid("range")
            .Transform("RunningSum", () => new RunningSumOperator(completed)).Uid("running-sum")
            .SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");

    private static void BuildBucketCount(StreamEnvironment env, PausableRangeSource source, CommittedRecords<string> committed) =>
        env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(10)), "Range").Uid("range")
            .KeyBy(v => v % 7)
            .Transform("BucketCount", () => new BucketCountOperator()).Uid("bucket-count")
            .SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");

    [Fact]
    public async Task Transform_StatefulOperator_ProducesItsOutputInOrder()
    {
        var committed = new CommittedRecords<string>();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        BuildRunningSum(env, new PausableRangeSource(Count), committed, []);

        await env.ExecuteAsync().WaitAsync(s_timeout);

        committed.Items.ShouldBe(RunningSums(Count));
        env.Explain().ShouldContain("RunningSum");
    }

    [Fact]
    public async Task Transform_OperatorStateAcrossCrashAndRestore_CommitsExactlyTheUninterruptedResult()
    {
        var committed = new CommittedRecords<string>();
        var completed = new List<long>();

        // Run 1: checkpoint at 4,000, process on to 7,000 (staged, never committed), crash.
        var source1 = new PausableRangeSource(Count) { PauseAt = 4_000 };
        var env1 = StreamEnvironment.Create(Options(1));
        BuildRunningSum(env1, source1, committed, completed);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        var checkpointId = run1.LastCheckpointId;
        committed.Items.ShouldBe(RunningSums(4_000));
        source1.AdvanceTo(7_000);
        await PausableRangeSource.CrashAsync(run1);
        committed.Items.Count.ShouldBe(4_000, "output after the checkpoint is staged, not committed");

        // Run 2: restore; the sum continues from the checkpoint's operator state.
        var env2 = StreamEnvironment.Create(Options(1));
        BuildRunningSum(env2, new PausableRangeSource(Count), committed, completed);
        var result = await env2.ExecuteAsync().WaitAsync(s_timeout);

        result.RestoredCheckpointId.ShouldBe(checkpointId);
        committed.Items.ShouldBe(RunningSums(Count));
        lock (completed)
        {
            completed.ShouldContain(checkpointId, "the operator is told when its checkpoint completes");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    public async Task KeyedTransform_StateAndTimersAcrossCrashAndRestore_CommitsExactlyTheUninterruptedResult(int before, int after)
    {
        var committed = new CommittedRecords<string>();

        var source1 = new PausableRangeSource(Count) { PauseAt = 4_500 };
        var env1 = StreamEnvironment.Create(Options(before));
        BuildBucketCount(env1, source1, committed);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        committed.Items.Count.ShouldBeGreaterThan(0, "buckets closed before the checkpoint are committed with it");
        source1.AdvanceTo(8_000);
        await PausableRangeSource.CrashAsync(run1);

        // Run 2 (maybe another parallelism): keyed counts and pending timers move with their key groups.
        var env2 = StreamEnvironment.Create(Options(after));
        BuildBucketCount(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().WaitAsync(s_timeout);

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(BucketCounts(Count, 7));
    }

    /// <summary>Even records feed the left input, odd ones the right; both keyed by value mod 7.</summary>
    private static void BuildBucketPairs(StreamEnvironment env, PausableRangeSource source, CommittedRecords<string> committed)
    {
        var range = env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(10)), "Range").Uid("range");
        var left = range.Filter(static v => v % 2 == 0).Uid("left").KeyBy(static v => v % 7);
        var right = range.Filter(static v => v % 2 == 1).Uid("right").KeyBy(static v => v % 7);
        left.Connect(right)
            .Transform("BucketPairs", () => new BucketPairOperator()).Uid("bucket-pairs")
            .SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");
    }

    private static List<string> BucketPairs(long count) =>
    [
        .. Enumerable.Range(0, (int)count)
            .GroupBy(v => (Key: v % 7, Bucket: v - (v % BucketPairOperator.BucketMs)))
            .Select(g => $"{g.Key.Key}@{g.Key.Bucket}={g.Count(v => v % 2 == 0)}/{g.Count(v => v % 2 == 1)}")
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    public async Task KeyedTwoInputTransform_StateAndTimersAcrossCrashAndRestore_CommitsExactlyTheUninterruptedResult(int before, int after)
    {
        var committed = new CommittedRecords<string>();

        var source1 = new PausableRangeSource(Count) { PauseAt = 4_500 };
        var env1 = StreamEnvironment.Create(Options(before));
        BuildBucketPairs(env1, source1, committed);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        committed.Items.Count.ShouldBeGreaterThan(0, "buckets closed before the checkpoint are committed with it");
        source1.AdvanceTo(8_000);
        await PausableRangeSource.CrashAsync(run1);

        // Run 2 (maybe another parallelism): both inputs' counts and the pending timers move with their key groups.
        var env2 = StreamEnvironment.Create(Options(after));
        BuildBucketPairs(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().WaitAsync(s_timeout);

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(BucketPairs(Count));
        env2.Explain().ShouldContain("BucketPairs");
    }

    [Fact]
    public async Task KeyedTwoInputTransform_OperatorThrowsOnTheSecondInput_JobErrorNamesOperatorAndRecord()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var range = env.FromSource(new PausableRangeSource(100), name: "Range");
        range.KeyBy(static v => v).Connect(range.Map(static v => -v).KeyBy(static v => -v))
            .Transform("Pairs", () => new FailingPairOperator(-42))
            .SinkTo(new TwoPhaseCollectSink<string>(new CommittedRecords<string>()));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().WaitAsync(s_timeout));

        error.Message.ShouldContain("Pairs");
        error.Message.ShouldContain("42");
        error.InnerException.ShouldBeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task Transform_OperatorThrows_JobErrorNamesOperatorAndRecord()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromSource(new PausableRangeSource(100), name: "Range")
            .Transform("Poisoned", () => new FailingOperator(42))
            .SinkTo(new TwoPhaseCollectSink<long>(new CommittedRecords<long>()));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().WaitAsync(s_timeout));

        error.Message.ShouldContain("Poisoned");
        error.Message.ShouldContain("42");
        error.InnerException.ShouldBeOfType<InvalidOperationException>();
    }

    [Fact]
    public void Transform_FactoryReturnsNull_FailsWithOneSentence()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromSource(new PausableRangeSource(1), name: "Range")
            .Transform<long>("Broken", () => null!)
            .SinkTo(new TwoPhaseCollectSink<long>(new CommittedRecords<long>()));

        var error = Should.Throw<Exception>(() => env.ExecuteAsync().WaitAsync(s_timeout).GetAwaiter().GetResult());

        error.Message.ShouldContain("operator factory of 'Broken' returned null");
    }
}
