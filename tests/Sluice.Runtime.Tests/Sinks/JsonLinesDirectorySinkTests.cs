using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Checkpointing;
using Sluice.Runtime.Tests.Support;
using Sluice.Sinks;

namespace Sluice.Runtime.Tests.Sinks;

/// <summary>
/// The exactly-once JSON-lines directory sink beyond the two-phase sink contract (Contracts/JsonLinesDirectorySinkContractTests):
/// part-file naming, final checkpoints, checkpoint timeouts and tasks finishing while a checkpoint is pending.
/// </summary>
public sealed class JsonLinesDirectorySinkTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-jsonl-" + Guid.NewGuid().ToString("N"));

    private string Checkpoints => Path.Combine(_root, "checkpoints");

    private string Output => Path.Combine(_root, "out");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static List<string> Committed(string directory) =>
        [.. JsonLinesDirectorySink<string>.CommittedFiles(directory).SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal)];

    private static string[] Staging(string directory)
    {
        var staging = Path.Combine(directory, JsonLinesDirectorySink<string>.StagingDirectoryName);
        return Directory.Exists(staging) ? Directory.GetFiles(staging) : [];
    }

    [Fact]
    public async Task RunRestoredFromAFinalCheckpoint_KeepsTheFirstRunsFinalFile()
    {
        // Run 1 reads 0..999 to the end: its final checkpoint commits part files. Run 2 restores that checkpoint and
        // reads 1,000..1,999 to the end. Both runs' final commits must stay: together every record exactly once.
        foreach (var count in new[] { 1_000L, 2_000L })
        {
            var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = CheckpointOptions.InDirectory(Checkpoints, TimeSpan.FromHours(1)) });
            env.FromSource(new PausableRangeSource(count), name: "Range").Uid("range").Map(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).Uid("text")
                .WriteJsonLinesDirectory(Output).Uid("sink");
            await env.ExecuteAsync();
        }

        // Each line is a JSON string: "0", "1", …
        Committed(Output).ShouldBe(Enumerable.Range(0, 2_000).Select(v => $"\"{v}\"").Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Source A (records 0..999, paused at 400) feeds the sink; source B's task is held inside a map until
    /// <c>release</c> is set, so it cannot acknowledge a barrier: a checkpoint stays pending after the sink staged
    /// records 0..399 for it.
    /// </summary>
    private (JobClient Client, PausableRangeSource A, ManualResetEventSlim Release) StartWithAHeldTask(CheckpointOptions checkpoints, RestartStrategy restart)
    {
        var a = new PausableRangeSource(1_000) { PauseAt = 400 };
        var release = new ManualResetEventSlim();
        var held = new ManualResetEventSlim();
        var env = StreamEnvironment.Create(new JobOptions { Checkpoints = checkpoints, Restart = restart });
        env.FromSource(a).Uid("a").WriteJsonLinesDirectory(Output).Uid("sink");
        env.FromCollection([1L]).Uid("b").Map(v =>
        {
            held.Set();
            release.Wait();
            return v;
        }).Uid("held").ForEach(_ => { }).Uid("b-sink");
        var client = env.Start();
        a.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        held.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        return (client, a, release);
    }

    private void WaitForStagedFiles(int count) =>
        SpinWait.SpinUntil(() => Staging(Output).Count(f => f.EndsWith(".staged", StringComparison.Ordinal)) >= count, TimeSpan.FromSeconds(30))
            .ShouldBeTrue($"the sink should have staged {count} file(s)");

    private void CommittedOutputShouldBeAllRecordsOnce() =>
        JsonLinesDirectorySink<long>.CommittedFiles(Output).SelectMany(File.ReadAllLines).Select(long.Parse).Order()
            .ShouldBe(Enumerable.Range(0, 1_000).Select(i => (long)i));

    [Fact]
    public async Task TimedOutCheckpoint_AfterTheSinkStagedItsOutput_FailsTheAttempt_AndTheRestartLosesNothing()
    {
        // Publishing only later checkpoints would lose records 0..399: the timed-out checkpoint must fail the attempt.
        var (client, a, release) = StartWithAHeldTask(
            CheckpointOptions.InDirectory(Checkpoints, TimeSpan.FromHours(1)) with { Timeout = TimeSpan.FromTicks(1) }, RestartStrategy.FixedDelay(1, TimeSpan.Zero));

        client.TriggerCheckpoint().ShouldBe(1);
        WaitForStagedFiles(1);
        client.TriggerCheckpoint().ShouldBe(0, "checkpoint 1 outlived its timeout: no new checkpoint, the attempt fails");
        a.PauseAt = long.MaxValue;
        release.Set();
        var result = await client.Completion.OrTimeout();

        result.Restarts.ShouldBe(1);
        CommittedOutputShouldBeAllRecordsOnce();
        Staging(Output).ShouldBeEmpty();
    }

    [Fact]
    public async Task TaskFinishingWhileACheckpointItAcknowledgedIsPending_KeepsThatAcknowledgement_NothingIsLost()
    {
        // Task A acknowledges checkpoint 1 (staging records 0..399), then its input ends and it finishes (staging
        // 400..999 in its final snapshot) while B still holds checkpoint 1 open. The final snapshot must not replace the
        // acknowledgement: checkpoint 1 commits 0..399 and the final checkpoint the rest.
        var (client, a, release) = StartWithAHeldTask(CheckpointOptions.InDirectory(Checkpoints, TimeSpan.FromHours(1)), RestartStrategy.None);

        client.TriggerCheckpoint().ShouldBe(1);
        WaitForStagedFiles(1);
        a.PauseAt = long.MaxValue;
        WaitForStagedFiles(2);
        release.Set();
        var result = await client.Completion.OrTimeout();

        result.Restarts.ShouldBe(0);
        result.CheckpointsCompleted.ShouldBe(2);
        CommittedOutputShouldBeAllRecordsOnce();
        Staging(Output).ShouldBeEmpty();
    }

    [Fact]
    public void Commit_Twice_IsIdempotentAndNamesTheFileByCheckpoint()
    {
        var sink = new JsonLinesDirectorySink<string>(Output);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(Context(1));
        writer.Write("a", 0);
        writer.Write("b", 0);
        var committable = writer.PrepareCommit(7);
        Committed(Output).ShouldBeEmpty("nothing is visible before the commit");

        sink.Commit(7, 1, committable);
        sink.Commit(7, 1, committable);
        sink.AbortPending(7);
        sink.Commit(7, 1, committable);

        JsonLinesDirectorySink<string>.CommittedFiles(Output).Select(Path.GetFileName).ShouldBe(["part-1-0000000007.jsonl"]);
        Committed(Output).ShouldBe(["\"a\"", "\"b\""]);
        writer.Dispose();
    }

    [Fact]
    public void PrepareCommit_NothingWritten_ReturnsEmptyAndCreatesNoFile()
    {
        var sink = new JsonLinesDirectorySink<string>(Output);
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(Context(0));
        writer.PrepareCommit(1).ShouldBeEmpty();
        Staging(Output).ShouldBeEmpty();
        JsonLinesDirectorySink<string>.CommittedFiles(Output).ShouldBeEmpty();
    }

    [Fact]
    public async Task Execute_WithoutCheckpointsASubtaskReceivingNoRecords_FinishesAndCommitsTheOtherSubtasksOutput()
    {
        // One record, two sink subtasks, no checkpoints: the idle subtask prepares an empty committable at the end of
        // its input, which must not reach Commit (sluice chaos --events 1 crashed on it).
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        env.FromCollection(["only"]).WriteJsonLinesDirectory(Output).SetParallelism(2).Uid("sink");

        var result = await env.ExecuteAsync().OrTimeout();

        result.Restarts.ShouldBe(0);
        Committed(Output).ShouldBe(["\"only\""]);
        JsonLinesDirectorySink<string>.CommittedFiles(Output).Count.ShouldBe(1, "the subtask without records commits no file");
        Staging(Output).ShouldBeEmpty();
    }

    [Fact]
    public void Commit_EmptyCommittable_IsANoOp()
    {
        var sink = new JsonLinesDirectorySink<string>(Output);
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(Context(1));
        var committable = writer.PrepareCommit(0);
        committable.ShouldBeEmpty();

        Should.NotThrow(() => sink.Commit(0, 1, committable));

        JsonLinesDirectorySink<string>.CommittedFiles(Output).ShouldBeEmpty();
        Staging(Output).ShouldBeEmpty();
    }

    [Fact]
    public void Commit_StagedFileLost_Throws()
    {
        var sink = new JsonLinesDirectorySink<string>(Output);
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<string>)sink.CreateWriter(Context(0));
        writer.Write("x", 0);
        var committable = writer.PrepareCommit(2);
        sink.AbortPending(0);
        Should.Throw<IOException>(() => sink.Commit(2, 0, committable)).Message.ShouldContain("neither the staged file");
    }

    private static SinkContext Context(int subtask) => new("sink", subtask, 2, TimeProvider.System);
}
