using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Checkpointing;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// <see cref="JobClient.StopAsync"/>: a job over a source that never ends stops gracefully — sources stop, what was
/// read drains, the final checkpoint commits the output exactly once — and the job completes.
/// </summary>
public sealed class StopAsyncTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-stop-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static JobClient Start(StreamEnvironment env, PausableRangeSource source, CommittedRecords<long> committed)
    {
        env.FromSource(source, name: "Endless").Uid("endless")
            .Map(v => v * 10).Uid("times-ten")
            .SinkTo(new TwoPhaseCollectSink<long>(committed)).Uid("sink");
        return env.Start();
    }

    [Fact]
    public async Task StopAsync_NeverEndingSourceWithCheckpoints_CompletesWithEverythingReadCommittedExactlyOnce()
    {
        var committed = new CommittedRecords<long>();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 2_000 };
        env.FromSource(source, name: "Endless").Uid("endless")
            .Map(v => v * 10).Uid("times-ten")
            .SinkTo(new TwoPhaseCollectSink<long>(committed)).Uid("sink");
        var client = await source.StartAndCheckpointAtPauseAsync(env);
        source.AdvanceTo(5_000); // Never ends by itself: it waits at 5,000 for more.

        var result = await client.StopAsync().OrTimeout();

        committed.Items.ShouldBe(Enumerable.Range(0, 5_000).Select(v => v * 10L));
        committed.CommitCalls.ShouldBe(2, "the periodic checkpoint and the final one each commit once");
        result.CheckpointsCompleted.ShouldBe(2, "the periodic checkpoint and the final one");
        (await new LocalCheckpointStore(_dir).ListCompletedAsync()).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task StopAsync_WithoutCheckpoints_CommitsAtTheEndOfInput()
    {
        var committed = new CommittedRecords<long>();
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 300 };
        var client = Start(StreamEnvironment.Create(new JobOptions { Parallelism = 2 }), source, committed);
        source.Paused.WaitOrFail("the source to reach 300");

        await client.StopAsync().OrTimeout();

        committed.Items.Order().ShouldBe(Enumerable.Range(0, 300).Select(v => v * 10L));
    }

    [Fact]
    public async Task StopAsync_TokenCancelled_AbandonsTheWaitButTheJobStillStops()
    {
        var committed = new CommittedRecords<long>();
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        var client = Start(StreamEnvironment.Create(new JobOptions { Parallelism = 1 }), source, committed);
        source.Paused.WaitOrFail("the source to reach 100");

        await Should.ThrowAsync<OperationCanceledException>(() => client.StopAsync(new CancellationToken(canceled: true)));

        await client.Completion.OrTimeout();
        committed.Items.Count.ShouldBe(100);
    }
}
