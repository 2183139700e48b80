using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Tests.Support;
using Sluice.State;

namespace Sluice.Runtime.Tests.Checkpointing;

/// <summary>
/// Jobs on the RocksDB backend with incremental checkpoints: chains restore exactly once at any parallelism, the
/// manifests list the shared files each checkpoint uses, retention and restarts delete exactly the files no retained
/// checkpoint uses, savepoints carry their files, and a failed upload declines the checkpoint.
/// </summary>
public sealed class IncrementalCheckpointTests : IDisposable
{
    private const long Count = 12_000;
    private const int Keys = 997;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-incr-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Checkpoints => Path.Combine(_dir, "checkpoints");

    private JobOptions Options(int parallelism, ICheckpointStore? store = null, int retained = 3) => new()
    {
        Parallelism = parallelism,
        BatchSize = 256,
        StateBackend = new RocksDbStateBackend { Directory = Path.Combine(_dir, "rocksdb"), WriteBufferSize = 1 << 20 },
        Checkpoints = new CheckpointOptions(store ?? new LocalCheckpointStore(Checkpoints), TimeSpan.FromHours(1)) { Retained = retained },
    };

    /// <summary>Per key: the running sum (value state) and the last three values (list state); at the end of input one line per key.</summary>
    private static void Build(StreamEnvironment env, PausableRangeSource source, CommittedRecords<string> committed) =>
        env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(10)), "Range").Uid("range")
            .KeyBy(static v => v % Keys)
            .Process(new SumPerKey()).Uid("sum")
            .SinkTo(new TwoPhaseCollectSink<string>(committed)).Uid("sink");

    private static List<string> Reference() =>
        [.. Enumerable.Range(0, (int)Count).GroupBy(static v => v % Keys)
            .Select(static g => $"{g.Key}: sum={g.Sum(static v => (long)v)} last={string.Join(",", g.TakeLast(3))}")
            .Order(StringComparer.Ordinal)];

    private static async Task<CheckpointManifest> ManifestAsync(ICheckpointStore store, long id) =>
        CheckpointManifest.Decode(await store.ReadManifestAsync(id), $"#{id}");

    /// <summary>Every shared file of the store is used by a retained checkpoint, and every used one exists.</summary>
    private static async Task<HashSet<string>> ShouldHoldExactlyTheUsedSharedFilesAsync(ICheckpointStore store)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in await store.ListCompletedAsync())
        {
            used.UnionWith((await ManifestAsync(store, id)).SharedFileNames);
        }
        (await store.ListSharedAsync()).Order(StringComparer.Ordinal).ShouldBe(used.Order(StringComparer.Ordinal));
        return used;
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    public async Task CheckpointChain_CrashAndRestoreAtAnyParallelism_CommitsExactlyTheUninterruptedResult(int before, int after)
    {
        var committed = new CommittedRecords<string>();
        var store = new LocalCheckpointStore(Checkpoints);
        var source = new PausableRangeSource(Count) { PauseAt = 4_000 };
        var env1 = StreamEnvironment.Create(Options(before));
        Build(env1, source, committed);
        var run1 = await source.StartAndCheckpointAtPauseAsync(env1);
        var completed = new SemaphoreSlim(0);
        run1.CheckpointCompleted += _ => completed.Release();
        source.AdvanceTo(4_100); // 100 of 12,000 records: a small change
        run1.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await completed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("the second checkpoint should complete");
        source.AdvanceTo(8_000);
        await PausableRangeSource.CrashAsync(run1);

        var ids = await store.ListCompletedAsync();
        ids.Count.ShouldBe(2);
        var first = (await ManifestAsync(store, ids[0])).Blobs.Where(b => b.Uid == "sum").SelectMany(b => b.SharedFiles!).ToList();
        var second = (await ManifestAsync(store, ids[1])).Blobs.Where(b => b.Uid == "sum").SelectMany(b => b.SharedFiles!).ToList();
        first.ShouldNotBeEmpty();
        second.Intersect(first).ShouldNotBeEmpty("the second checkpoint reuses files the first uploaded");
        second.Except(first).Sum(f => f.Bytes).ShouldBeLessThan(first.Sum(f => f.Bytes), "it uploads only what is new");
        await ShouldHoldExactlyTheUsedSharedFilesAsync(store);

        var env2 = StreamEnvironment.Create(Options(after));
        Build(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBe(ids[1]);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(Reference());
    }

    [Fact]
    public async Task Retention_DeletesASharedFileOnlyWhenNoRetainedCheckpointUsesIt()
    {
        var committed = new CommittedRecords<string>();
        var store = new LocalCheckpointStore(Checkpoints);
        var source = new PausableRangeSource(Count) { PauseAt = 1_000 };
        var env = StreamEnvironment.Create(Options(1, retained: 2));
        Build(env, source, committed);
        var run = await source.StartAndCheckpointAtPauseAsync(env);
        var completed = new SemaphoreSlim(0);
        run.CheckpointCompleted += _ => completed.Release();
        var everUsed = await ShouldHoldExactlyTheUsedSharedFilesAsync(store);
        for (var pause = 2_000L; pause <= 8_000; pause += 1_000)
        {
            source.AdvanceTo(pause);
            run.TriggerCheckpoint().ShouldBeGreaterThan(0);
            (await completed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
            (await store.ListCompletedAsync()).Count.ShouldBe(2);
            everUsed.UnionWith(await ShouldHoldExactlyTheUsedSharedFilesAsync(store));
        }
        source.PauseAt = long.MaxValue;
        await run.Completion.OrTimeout();

        var left = await ShouldHoldExactlyTheUsedSharedFilesAsync(store);
        everUsed.Except(left).ShouldNotBeEmpty("files of dropped checkpoints that compaction replaced were deleted");
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(Reference());
    }

    [Fact]
    public async Task OrphanedSharedFiles_AreDeletedWhenTheNextAttemptStarts_UsedOnesAreKept()
    {
        var committed = new CommittedRecords<string>();
        var store = new LocalCheckpointStore(Checkpoints);
        var source = new PausableRangeSource(Count) { PauseAt = 6_000 };
        var env1 = StreamEnvironment.Create(Options(2));
        Build(env1, source, committed);
        await PausableRangeSource.CrashAsync(await source.StartAndCheckpointAtPauseAsync(env1));
        var used = await ShouldHoldExactlyTheUsedSharedFilesAsync(store);
        used.ShouldNotBeEmpty();
        // An upload whose checkpoint never completed (the process died before the manifest).
        await store.WriteSharedAsync("sum-0123456789ab-000042.sst", new MemoryStream([1, 2, 3]));

        var env2 = StreamEnvironment.Create(Options(2));
        Build(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        (await store.ListSharedAsync()).ShouldNotContain("sum-0123456789ab-000042.sst");
        await ShouldHoldExactlyTheUsedSharedFilesAsync(store);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(Reference());
    }

    [Fact]
    public async Task Savepoint_OfAnIncrementalCheckpoint_CopiesItsSharedFilesAndRestoresAlone()
    {
        var committed = new CommittedRecords<string>();
        var savepoint = Path.Combine(_dir, "savepoint");
        var source = new PausableRangeSource(Count) { PauseAt = 5_000 };
        var env1 = StreamEnvironment.Create(Options(2));
        Build(env1, source, committed);
        var run1 = env1.Start();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        var id = await run1.TakeSavepointAsync(savepoint).OrTimeout();
        await PausableRangeSource.CrashAsync(run1);
        Directory.Delete(Checkpoints, recursive: true);

        var copy = new LocalCheckpointStore(savepoint);
        (await ShouldHoldExactlyTheUsedSharedFilesAsync(copy)).ShouldNotBeEmpty();
        var env2 = StreamEnvironment.Create(Options(3, copy));
        Build(env2, new PausableRangeSource(Count), committed);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBe(id);
        committed.Items.Order(StringComparer.Ordinal).ToList().ShouldBe(Reference());
    }

    [Fact]
    public async Task FailedSharedFileUpload_DeclinesTheCheckpoint_WhichIsNeverCompleted()
    {
        var committed = new CommittedRecords<string>();
        var store = new FailingUploadStore(new LocalCheckpointStore(Checkpoints));
        var source = new PausableRangeSource(Count) { PauseAt = 3_000 };
        var env = StreamEnvironment.Create(Options(1, store));
        Build(env, source, committed);
        var run = env.Start();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        run.TriggerCheckpoint().ShouldBeGreaterThan(0);

        var error = await Should.ThrowAsync<JobExecutionException>(() => run.Completion.OrTimeout());
        error.ToString().ShouldContain("could not upload");
        error.ToString().ShouldContain("No space left on device (simulated)");
        (await store.ListCompletedAsync()).ShouldBeEmpty("a checkpoint whose files were not all uploaded is never complete");
        committed.Items.ShouldBeEmpty();
    }

    private sealed class SumPerKey : KeyedProcessFunction<long, long, string>
    {
        private IValueState<long> _sum = null!;
        private IListState<long> _last = null!;

        public override void Open(IRuntimeContext context)
        {
            _sum = context.State.GetState(new ValueStateDescriptor<long>("sum"));
            _last = context.State.GetListState(new ListStateDescriptor<long>("last"));
        }

        public override void ProcessElement(long value, KeyedProcessContext<long> context, ICollector<string> output)
        {
            _sum.Update(_sum.Value + value);
            var last = _last.Get().ToList();
            last.Add(value);
            _last.Update(last.Count > 3 ? last[^3..] : last);
            context.TimerService.RegisterEventTimeTimer(Count + 1_000);
        }

        public override void OnTimer(long timestamp, KeyedProcessContext<long> context, ICollector<string> output) =>
            output.Collect($"{context.CurrentKey}: sum={_sum.Value} last={string.Join(",", _last.Get())}");
    }

    /// <summary>A store whose shared-file writes fail as on a full disk.</summary>
    private sealed class FailingUploadStore(ICheckpointStore inner) : ForwardingCheckpointStore(inner)
    {
        public override Task WriteSharedAsync(string name, Stream content, CancellationToken cancellationToken = default) =>
            throw new IOException("No space left on device (simulated)");
    }
}
