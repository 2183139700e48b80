using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Tests.Support;
using Sluice.Sinks;
using Sluice.State;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.Golden;

/// <summary>
/// Checkpoints written by format v1 (checkpoints-v1/, see its README) still restore: each test copies a golden
/// checkpoint, starts the same job (GoldenJobs.cs) on it, feeds the rest of the input and compares the complete
/// committed output — what the checkpoint's committable held plus what the restored run produced — with a reference
/// computed here from the whole input, without the engine. State lost or misread on restore changes that output (the
/// <see cref="Restore_WithoutOneOperatorsState_ChangesTheOutput"/> theory proves it for every operator of every case).
/// </summary>
public sealed class GoldenCheckpointRestoreTests : IDisposable
{
    private static readonly string s_golden = Path.Combine(AppContext.BaseDirectory, "Golden", "checkpoints-v1");

    /// <summary>The restored runs' clock: 5 minutes after the generator's — past its processing-time timers (+30 s, +60 s), within the 10 min TTL.</summary>
    private static readonly TimeSpan s_restoreDelay = TimeSpan.FromMinutes(5);

    private readonly string _temp = Path.Combine(Path.GetTempPath(), "sluice-golden-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    // ---- One restore per case ----

    [Fact]
    public async Task KeyedProcessAllStates_Restores_ValueListMapReducingAggregatingTtlStateAndBothTimerKinds()
    {
        var output = await RestoreAsync("keyed-process-all-states");
        output.ShouldBe(Expected("keyed-process-all-states"));
        output.ShouldContain("pt:e@1700000060000", "the processing-time timer of a key seen only before the checkpoint fires after restore");
        output.ShouldContain(l => l.StartsWith("final:e:", StringComparison.Ordinal) && l.EndsWith("last-seen=19200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyedProcessAllStates_RestoredAfterTheTtl_ExpiresTtlStateByItsCheckpointedTimestamp()
    {
        var later = TimeSpan.FromMinutes(11); // Key e's last-seen was written at the generator's clock: expired now.
        var output = await RestoreAsync("keyed-process-all-states", sinceCheckpoint: later);
        output.ShouldBe(ExpectedAllStates(GoldenJobs.KeyedProcessInput, GoldenJobs.KeyedProcessCheckpointAfter, later).Order(StringComparer.Ordinal));
        output.ShouldContain(l => l.StartsWith("final:e:", StringComparison.Ordinal) && l.EndsWith("last-seen=none", StringComparison.Ordinal));
        output.ShouldContain(l => l.StartsWith("final:a:", StringComparison.Ordinal) && !l.EndsWith("last-seen=none", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TumblingWindowAggregate_Restores_PanesInFlight() =>
        (await RestoreAsync("window-tumbling-aggregate")).ShouldBe(Expected("window-tumbling-aggregate"));

    [Fact]
    public async Task SlidingWindowReduce_Restores_PanesMergedIntoOverlappingWindows() =>
        (await RestoreAsync("window-sliding-reduce")).ShouldBe(Expected("window-sliding-reduce"));

    [Fact]
    public async Task SessionWindowAggregate_Restores_OpenSessionsThatMergeWithLaterRecords() =>
        (await RestoreAsync("window-session-aggregate")).ShouldBe(Expected("window-session-aggregate"));

    [Fact]
    public async Task CountWindowProcess_Restores_PartialWindowsAndTheirElements() =>
        (await RestoreAsync("window-count-process")).ShouldBe(Expected("window-count-process"));

    [Fact]
    public async Task TumblingWindowWithAllowedLateness_Restores_FiredPaneKeptForLateRecordsAndItsTime() =>
        (await RestoreAsync("window-tumbling-lateness")).ShouldBe(Expected("window-tumbling-lateness"));

    [Fact]
    public async Task ProcessingTimeWindow_Restores_PanesThatFireOnTheRestoredClock() =>
        (await RestoreAsync("window-processing-time")).ShouldBe(Expected("window-processing-time"));

    [Fact]
    public async Task IntervalJoin_Restores_BufferedLeftAndRightRecords() =>
        (await RestoreAsync("interval-join")).ShouldBe(Expected("interval-join"));

    [Fact]
    public async Task CoProcess_Restores_StateAndTimersOfBothInputs() =>
        (await RestoreAsync("co-process")).ShouldBe(Expected("co-process"));

    [Fact]
    public async Task Deduplicate_Restores_FirstSeenStateAndItsClearingTimers() =>
        (await RestoreAsync("deduplicate")).ShouldBe(Expected("deduplicate"));

    [Fact]
    public async Task RangeSource_Restores_ItsPosition() =>
        (await RestoreAsync("source-range")).ShouldBe(Expected("source-range"));

    [Fact]
    public async Task JsonLinesFileSource_Restores_ItsLinePosition() =>
        (await RestoreAsync("source-jsonlines")).ShouldBe(Expected("source-jsonlines"));

    [Fact]
    public async Task JsonLinesDirectorySink_CommitsTheCheckpointsPendingCommittableOnRestore()
    {
        var output = await RestoreAsync("sink-jsonl-directory-pending");
        output.ShouldBe(Expected("sink-jsonl-directory-pending"));
        var sink = Path.Combine(_temp, "sink-jsonl-directory-pending", "sink");
        var files = JsonLinesDirectorySink<GoldenLine>.CommittedFiles(sink);
        files.Count.ShouldBe(2, "the staged file of checkpoint #1, then the final checkpoint's");
        Path.GetFileName(files[0]).ShouldBe("part-0-0000000001.jsonl");
        File.ReadLines(files[0]).Count().ShouldBe(GoldenJobs.SinkCheckpointAfter, "checkpoint #1's staged file holds the output before it");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task CheckpointAtParallelism2_RestoresAtAnyParallelism_RedistributingKeyGroups(int parallelism) =>
        (await RestoreAsync("rescale-p2", parallelism)).ShouldBe(Expected("rescale-p2"));

    /// <summary>
    /// The v1 checkpoints of keyed operators (full snapshots) restore into the RocksDB backend too, which then takes
    /// the run's final checkpoint incrementally.
    /// </summary>
    [Theory]
    [InlineData("keyed-process-all-states", null)]
    [InlineData("co-process", null)]
    [InlineData("deduplicate", null)]
    [InlineData("interval-join", null)]
    [InlineData("rescale-p2", 1)]
    [InlineData("rescale-p2", 3)]
    public async Task KeyedCase_RestoredIntoRocksDbWithIncrementalCheckpoints_ProducesTheSameOutput(string caseName, int? parallelism) =>
        (await RestoreAsync(caseName, parallelism, backend: new RocksDbStateBackend { Directory = Path.Combine(_temp, "rocksdb"), IncrementalCheckpoints = true }))
            .ShouldBe(Expected(caseName));

    // ---- Every operator's state matters: without it the output differs ----

    public static TheoryData<string, string> CaseUids()
    {
        var data = new TheoryData<string, string>();
        foreach (var golden in GoldenJobs.Cases)
        {
            foreach (var uid in ReadManifest(Path.Combine(s_golden, golden.Name)).Blobs.Select(static b => b.Uid).Distinct().Order(StringComparer.Ordinal))
            {
                // No processing-time window fires while the generator's clock stands still: that sink staged nothing.
                if (golden.Name != "window-processing-time" || uid != "sink")
                {
                    data.Add(golden.Name, uid);
                }
            }
        }
        return data;
    }

    /// <summary>
    /// The restore tests would notice lost state: with one operator's blobs removed from the manifest (that operator then
    /// starts empty: a source from the beginning, a sink without its committable) the output is not the expected one.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseUids))]
    public async Task Restore_WithoutOneOperatorsState_ChangesTheOutput(string caseName, string uid)
    {
        var output = await RestoreAsync(caseName, prepare: directory =>
        {
            var manifestPath = Path.Combine(directory, "checkpoints", "chk-0000000001", "_manifest");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            var blobs = manifest["blobs"]!.AsArray();
            foreach (var blob in blobs.Where(b => (string?)b!["uid"] == uid).ToList())
            {
                blobs.Remove(blob);
            }
            File.WriteAllText(manifestPath, manifest.ToJsonString());
        });
        output.ShouldNotBe(Expected(caseName), $"the output must depend on the checkpointed state of '{uid}'");
    }

    // ---- Format v1, structurally ----

    public static TheoryData<string> CaseNames() => [.. GoldenJobs.Cases.Select(static c => c.Name)];

    [Fact]
    public void EveryCase_HasAGoldenCheckpoint_AndEveryGoldenCheckpointACase() =>
        Directory.GetDirectories(s_golden).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .ShouldBe(GoldenJobs.Cases.Select(static c => c.Name).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task GoldenCheckpoint_IsManifestFormat1WithSlosV1Blobs(string caseName)
    {
        var golden = GoldenJobs.Case(caseName);
        var store = new LocalCheckpointStore(Path.Combine(s_golden, caseName, "checkpoints"));
        (await store.ListCompletedAsync()).ShouldBe([1L]);
        (await store.ListIncompleteAsync()).ShouldBeEmpty();

        var bytes = await store.ReadManifestAsync(1);
        JsonNode.Parse(bytes)!["formatVersion"]!.GetValue<int>().ShouldBe(1);
        var manifest = CheckpointManifest.Decode(bytes, caseName);
        manifest.FormatVersion.ShouldBe(1);
        manifest.CheckpointId.ShouldBe(1);
        manifest.Final.ShouldBeFalse();
        manifest.Job.ShouldBe("golden-" + caseName);
        manifest.KeyGroupCount.ShouldBe(KeyGroups.DefaultCount);
        manifest.CreatedMs.ShouldBe(GoldenJobs.CheckpointClockMs);
        manifest.Blobs.ShouldNotBeEmpty();
        foreach (var blob in manifest.Blobs)
        {
            var data = await store.ReadBlobAsync(1, blob.Name);
            data.Length.ShouldBe((int)blob.Bytes);
            BinaryPrimitives.ReadUInt32LittleEndian(data).ShouldBe(0x534C4F53u, "magic 'SLOS'");
            data[4].ShouldBe((byte)1, "SLOS format version");
            var snapshot = OperatorSnapshot.Decode(data, blob.Name);
            snapshot.Uid.ShouldBe(blob.Uid);
            snapshot.Subtask.ShouldBe(blob.Subtask);
            snapshot.Parallelism.ShouldBe(blob.Parallelism);
            snapshot.Parallelism.ShouldBeInRange(1, golden.Parallelism);
            snapshot.IsEmpty.ShouldBeFalse();
        }
        var restored = await RestoredCheckpoint.LoadAsync(store, 1, CancellationToken.None);
        restored.Snapshots.Count().ShouldBe(manifest.Blobs.Count);
    }

    // ---- Running a restore ----

    /// <summary>
    /// Copies the case's golden directory, restores the job from it at <paramref name="parallelism"/> (default: the
    /// checkpoint's) with the clock <paramref name="sinceCheckpoint"/> after the generator's, runs it to the end of
    /// its input, and returns everything committed, sorted.
    /// </summary>
    private async Task<List<string>> RestoreAsync(string caseName, int? parallelism = null, TimeSpan? sinceCheckpoint = null, Action<string>? prepare = null,
        StateBackendOptions? backend = null)
    {
        var golden = GoldenJobs.Case(caseName);
        var directory = Path.Combine(_temp, caseName);
        CopyDirectory(Path.Combine(s_golden, caseName), directory);
        prepare?.Invoke(directory);
        if (caseName == "source-jsonlines")
        {
            GoldenJobs.WriteJsonLinesInput();
        }
        var context = new GoldenJobContext(directory, generating: false);
        var time = new ManualTimeProvider(GoldenJobs.CheckpointClock + (sinceCheckpoint ?? s_restoreDelay));
        var options = GoldenJobs.Options(golden, new LocalCheckpointStore(context.CheckpointDirectory), time, parallelism ?? golden.Parallelism);
        var env = StreamEnvironment.Create(backend is null ? options : options with { StateBackend = backend });
        golden.Build(env, context);

        var result = await env.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBe(1, "the job must restore the golden checkpoint");
        var output = golden.PendingCommit
            ? JsonLinesDirectorySink<GoldenLine>.CommittedFiles(context.SinkDirectory).SelectMany(File.ReadLines).ToList()
            : context.Committed.Items;
        return [.. output.Order(StringComparer.Ordinal)];
    }

    private static CheckpointManifest ReadManifest(string caseDirectory) =>
        CheckpointManifest.Decode(File.ReadAllBytes(Path.Combine(caseDirectory, "checkpoints", "chk-0000000001", "_manifest")), caseDirectory);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var directory in Directory.GetDirectories(from))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    // ---- Expected outputs: computed from the whole input, as an uninterrupted run would produce them ----

    private static List<string> Expected(string caseName)
    {
        IEnumerable<string> expected = caseName switch
        {
            "keyed-process-all-states" => ExpectedAllStates(GoldenJobs.KeyedProcessInput, GoldenJobs.KeyedProcessCheckpointAfter, s_restoreDelay),
            "window-tumbling-aggregate" => GoldenJobs.WindowInput
                .GroupBy(static r => (r.Value.Key, Start: Floor(r.Ts, 1_000)))
                .Select(static g => $"{g.Key.Key}@{g.Key.Start}={g.Sum(static r => r.Value.Value)}/{g.Count()}"),
            "window-sliding-reduce" => GoldenJobs.WindowInput
                .SelectMany(static r => new[] { 0L, 1_000, 2_000 }.Select(back => (r.Value.Key, Start: Floor(r.Ts, 1_000) - back, r.Value.Value)))
                .GroupBy(static r => (r.Key, r.Start))
                .Select(static g => $"{g.Key.Key}@{g.Key.Start}={g.Sum(static r => r.Value)}"),
            "window-session-aggregate" => ExpectedSessions(GoldenJobs.SessionInput, gap: 500),
            "window-count-process" => GoldenJobs.WindowInput
                .GroupBy(static r => r.Value.Key)
                .SelectMany(static g => g.Chunk(3).Where(static c => c.Length == 3)
                    .Select(c => $"{g.Key}:[{string.Join(',', c.Select(static r => r.Value.Value))}]")),
            // Watermark = max timestamp - 1 after every record; window [0,1000) fires at 1500, is re-fired by the late 300
            // (checkpoint) and 400, and dropped at 2500, after which 500 is too late; 1800 re-fires [1000,2000).
            "window-tumbling-lateness" => ["a@0=3", "a@0=11", "a@0=43", "a@1000=20", "a@1000=276", "a@2000=64"],
            "window-processing-time" => GoldenJobs.WindowInput
                .Select(static (r, i) => (r.Value.Key, Start: Floor(i < GoldenJobs.WindowCheckpointAfter ? GoldenJobs.CheckpointClockMs : RestoreClockMs, 60_000), r.Value.Value))
                .GroupBy(static r => (r.Key, r.Start))
                .Select(static g => $"{g.Key.Key}@{g.Key.Start}={g.Sum(static r => r.Value)}"),
            "interval-join" =>
                from o in GoldenJobs.OrderInput
                from p in GoldenJobs.PaymentInput
                where o.Value.Key == p.Value.Key && p.Ts >= o.Ts - 1_000 && p.Ts <= o.Ts + 2_000
                select $"{o.Value.Key}:o{o.Value.Id}-p{p.Value.Id}",
            "co-process" => ExpectedBalances(),
            "deduplicate" => ExpectedDeduplicated(GoldenJobs.DedupInput, horizonMs: 5_000),
            "source-range" => Enumerable.Range(0, (int)GoldenJobs.RangeCount).Select(static v => $"n:{v}"),
            "source-jsonlines" => RunningSums(Enumerable.Range(0, 24).Select(static i => ("mno"[i % 3].ToString(), (long)(i + 1))))
                .Select(static s => $"{s.Key}:{s.Sum}"),
            "sink-jsonl-directory-pending" => RunningSums(GoldenJobs.SinkInput.Select(static r => r.Value))
                .Select(static s => $"{{\"key\":\"{s.Key}\",\"sum\":{s.Sum}}}"),
            "rescale-p2" => ExpectedAllStates(GoldenJobs.RescaleInput, GoldenJobs.RescaleCheckpointAfter, s_restoreDelay)
                .Concat(RunningSums(GoldenJobs.RescaleInput.Select(static r => r.Value)).Select(static s => $"rolling:{s.Key}={s.Sum}"))
                .Concat(GoldenJobs.RescaleInput
                    .GroupBy(static r => (r.Value.Key, Start: Floor(r.Ts, 1_000)))
                    .Select(static g => $"window:{g.Key.Key}@{g.Key.Start}={g.Sum(static r => r.Value.Value)}/{g.Count()}")),
            _ => throw new ArgumentException($"No expected output for '{caseName}'.", nameof(caseName)),
        };
        return [.. expected.Order(StringComparer.Ordinal)];
    }

    private static long RestoreClockMs => (GoldenJobs.CheckpointClock + s_restoreDelay).ToUnixTimeMilliseconds();

    private static long Floor(long value, long unit) => value / unit * unit;

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// What <see cref="AllStatesFunction"/> emits for <paramref name="input"/> when restored at the generator's clock
    /// plus <paramref name="sinceCheckpoint"/>: every 10 s boundary of a key with the sum up to it; the +60 s
    /// processing-time timer of keys first seen before the checkpoint (later ones are due after the restored clock,
    /// which stands still); and the final summary, whose TTL'd last-seen is gone when its last write (generator clock
    /// before the checkpoint, restored clock after) is 10 min old.
    /// </summary>
    private static IEnumerable<string> ExpectedAllStates(IReadOnlyList<((string Key, long Value) Value, long Ts)> input, int checkpointAfter, TimeSpan sinceCheckpoint)
    {
        var restoredClock = (GoldenJobs.CheckpointClock + sinceCheckpoint).ToUnixTimeMilliseconds();
        var indexed = input.Select(static (r, i) => (r.Value.Key, r.Value.Value, r.Ts, Index: i)).ToList();
        foreach (var key in indexed.GroupBy(static r => r.Key))
        {
            var records = key.ToList();
            foreach (var boundary in records.Select(static r => Floor(r.Ts, AllStatesFunction.BoundaryMs) + AllStatesFunction.BoundaryMs).Distinct())
            {
                yield return $"et:{key.Key}@{boundary}:sum={records.Where(r => r.Ts <= boundary).Sum(static r => r.Value)}";
            }
            if (records[0].Index < checkpointAfter)
            {
                yield return $"pt:{key.Key}@{GoldenJobs.CheckpointClockMs + AllStatesFunction.ProcessingDelayMs}";
            }
            var sum = records.Sum(static r => r.Value);
            var lastWrite = records[^1].Index < checkpointAfter ? GoldenJobs.CheckpointClockMs : restoredClock;
            var lastSeen = restoredClock - lastWrite < (long)AllStatesFunction.LastSeenTtl.TotalMilliseconds ? Invariant(records[^1].Ts) : "none";
            yield return $"final:{key.Key}:count={records.Count},events={records.Count}/{sum}," +
                $"even={records.Where(static r => r.Value % 2 == 0).Sum(static r => r.Value)},odd={records.Where(static r => r.Value % 2 != 0).Sum(static r => r.Value)}," +
                $"max={records.Max(static r => r.Value)},mean={sum}/{records.Count},last-seen={lastSeen}";
        }
    }

    /// <summary>Sessions per key: records closer than <paramref name="gap"/> share one, which ends <paramref name="gap"/> after its last record.</summary>
    private static IEnumerable<string> ExpectedSessions(IReadOnlyList<((string Key, long Value) Value, long Ts)> input, long gap)
    {
        foreach (var key in input.GroupBy(static r => r.Value.Key))
        {
            var records = key.OrderBy(static r => r.Ts).ToList();
            var start = 0;
            for (var i = 1; i <= records.Count; i++)
            {
                if (i == records.Count || records[i].Ts - records[i - 1].Ts >= gap)
                {
                    var session = records.GetRange(start, i - start);
                    yield return $"{key.Key}@{session[0].Ts}-{session[^1].Ts + gap}={session.Sum(static r => r.Value.Value)}";
                    start = i;
                }
            }
        }
    }

    /// <summary>
    /// What <see cref="BalanceFunction"/> emits: per account, the net of all movements up to each 2 s boundary any
    /// movement registered, the +30 s processing-time timer when its first movement came before the checkpoint, and
    /// the final balance and counts.
    /// </summary>
    private static IEnumerable<string> ExpectedBalances()
    {
        var movements = GoldenJobs.CreditInput.Select(static (r, i) => (r.Value.Key, Delta: r.Value.Value, r.Ts, BeforeCheckpoint: i < GoldenJobs.CreditsCheckpointAfter, Credit: true))
            .Concat(GoldenJobs.DebitInput.Select(static (r, i) => (r.Value.Key, Delta: -r.Value.Value, r.Ts, BeforeCheckpoint: i < GoldenJobs.DebitsCheckpointAfter, Credit: false)));
        foreach (var account in movements.GroupBy(static m => m.Key))
        {
            var list = account.ToList();
            foreach (var boundary in list.Select(static m => Floor(m.Ts, BalanceFunction.BoundaryMs) + BalanceFunction.BoundaryMs).Distinct())
            {
                yield return $"et:{account.Key}@{boundary}:net={list.Where(m => m.Ts <= boundary).Sum(static m => m.Delta)}";
            }
            if (list.Exists(static m => m.BeforeCheckpoint))
            {
                yield return $"pt:{account.Key}@{GoldenJobs.CheckpointClockMs + BalanceFunction.ProcessingDelayMs}";
            }
            yield return $"final:{account.Key}:balance={list.Sum(static m => m.Delta)},credits={list.Count(static m => m.Credit)},debits={list.Count(static m => !m.Credit)},movements={list.Count}";
        }
    }

    /// <summary>
    /// Deduplication replayed record by record: a key seen within the horizon is dropped; its first-seen entry is cleared
    /// once the watermark (max timestamp - 1, advanced after each record) reaches first-seen + horizon.
    /// </summary>
    private static IEnumerable<string> ExpectedDeduplicated(IReadOnlyList<(string Value, long Ts)> input, long horizonMs)
    {
        var firstSeen = new Dictionary<string, long>();
        var watermark = long.MinValue;
        foreach (var (id, ts) in input)
        {
            if (firstSeen.TryAdd(id, ts))
            {
                yield return $"{id}@{ts}";
            }
            watermark = Math.Max(watermark, ts - 1);
            foreach (var expired in firstSeen.Where(e => e.Value + horizonMs <= watermark).Select(static e => e.Key).ToList())
            {
                firstSeen.Remove(expired);
            }
        }
    }

    private static IEnumerable<(string Key, long Sum)> RunningSums(IEnumerable<(string Key, long Value)> input)
    {
        var sums = new Dictionary<string, long>();
        foreach (var (key, value) in input)
        {
            sums[key] = sums.GetValueOrDefault(key) + value;
            yield return (key, sums[key]);
        }
    }
}
