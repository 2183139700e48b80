using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Checkpointing;

/// <summary>
/// Cancelling a checkpoint-store operation surfaces as <see cref="OperationCanceledException"/>, never as a hang: for
/// the local store, for a savepoint copy into a store that stalls, and for a job whose checkpoint is stuck in the store.
/// </summary>
public sealed class CheckpointStoreCancellationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-cancel-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task LocalStore_CancelledToken_EveryOperationThrowsOperationCanceled()
    {
        var store = new LocalCheckpointStore(_dir);
        var cancelled = new CancellationToken(canceled: true);

        await Should.ThrowAsync<OperationCanceledException>(() => store.WriteBlobAsync(1, "a", new byte[] { 1 }, cancelled));
        await Should.ThrowAsync<OperationCanceledException>(() => store.CommitManifestAsync(1, new byte[] { 1 }, cancelled));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ListCompletedAsync(cancelled));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ListIncompleteAsync(cancelled));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ReadBlobAsync(1, "a", cancelled));
        await Should.ThrowAsync<OperationCanceledException>(() => store.DeleteAsync(1, cancelled));
        (await store.ListCompletedAsync()).ShouldBeEmpty("a cancelled manifest write leaves no complete checkpoint");
    }

    [Fact]
    public async Task SavepointCopy_TargetStalls_CancellationThrowsOperationCanceled()
    {
        var checkpoints = Path.Combine(_dir, "job");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)) });
        env.FromSource(new PausableRangeSource(100), name: "Range").Uid("range").SinkTo(new TwoPhaseCollectSink<long>(new CommittedRecords<long>())).Uid("sink");
        await env.ExecuteAsync().OrTimeout();
        var target = new StallingCheckpointStore(new LocalCheckpointStore(Path.Combine(_dir, "savepoint")));
        using var cancellation = new CancellationTokenSource();

        var copy = Savepoints.CopyAsync(new LocalCheckpointStore(checkpoints), target, cancellationToken: cancellation.Token);
        await target.Stalled.Task.OrTimeout();
        cancellation.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => copy.OrTimeout());
        (await target.ListCompletedAsync()).ShouldBeEmpty("the copy's manifest is never written");
    }

    [Fact]
    public async Task Job_CheckpointStuckInTheStore_CancelEndsTheJobCancelled()
    {
        var store = new StallingCheckpointStore(new LocalCheckpointStore(_dir));
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 1_000 };
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = new CheckpointOptions(store, TimeSpan.FromHours(1)) });
        env.FromSource(source, name: "Range").Uid("range").SinkTo(new TwoPhaseCollectSink<long>(new CommittedRecords<long>())).Uid("sink");
        var client = env.Start();
        source.Paused.WaitOrFail("the source to reach 1,000");
        client.TriggerCheckpoint().ShouldBeGreaterThan(0);
        await store.Stalled.Task.OrTimeout();

        client.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        store.CancelledWrites.ShouldBe(1, "the coordinator passed the attempt's token to the stuck write");
    }

    /// <summary>A store whose blob writes never finish until cancelled; everything else goes to <c>inner</c>.</summary>
    private sealed class StallingCheckpointStore(ICheckpointStore inner) : ForwardingCheckpointStore(inner)
    {
        private int _cancelledWrites;

        public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int CancelledWrites => Volatile.Read(ref _cancelledWrites);

        public override async Task WriteBlobAsync(long checkpointId, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Stalled.TrySetResult();
            try
            {
                await never.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelledWrites);
                throw;
            }
        }
    }
}
