using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sluice.Runtime.Tests.Checkpointing;
using Sluice.Runtime.Tests.Support;
using Sluice.Sources;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// <see cref="AsyncEnumerableSource{T}"/>: items produced at the sequence's own pace arrive in order, its exception
/// fails the job, and stopping the job cancels the enumeration (the subtask never blocks on it).
/// </summary>
public sealed class AsyncEnumerableSourceTests
{
    [Fact]
    public async Task Items_ProducedWhileTheJobWaits_ArriveInOrder()
    {
        var feed = Channel.CreateUnbounded<int>();
        var committed = new CommittedRecords<int>();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, BatchSize = 4 });
        env.FromAsyncEnumerable(feed.Reader.ReadAllAsync()).SinkTo(new TwoPhaseCollectSink<int>(committed));
        var client = env.Start();

        for (var i = 0; i < 50; i++)
        {
            await feed.Writer.WriteAsync(i);
        }
        feed.Writer.Complete();
        await client.Completion.OrTimeout();

        committed.Items.ShouldBe(Enumerable.Range(0, 50));
    }

    [Fact]
    public async Task Sequence_Throws_FailsTheJobWithItsError()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromAsyncEnumerable(Failing()).SinkTo(new TwoPhaseCollectSink<int>(new CommittedRecords<int>()));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.ToString().ShouldContain("sequence broke");
    }

    [Fact]
    public async Task StopAsync_EndlessSequence_CancelsTheEnumeration()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var committed = new CommittedRecords<int>();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.FromSource(new AsyncEnumerableSource<int>(Endless(started, cancelled), isBounded: false))
            .Map(v =>
            {
                if (v == 3)
                {
                    third.TrySetResult();
                }
                return v;
            })
            .SinkTo(new TwoPhaseCollectSink<int>(committed));
        var client = env.Start();
        await started.Task.OrTimeout();
        await third.Task.OrTimeout();

        await client.StopAsync().OrTimeout();

        await cancelled.Task.OrTimeout();
        committed.Items.ShouldBe([1, 2, 3]);
    }

    private static async IAsyncEnumerable<int> Failing()
    {
        yield return 1;
        await Task.Yield();
        throw new InvalidOperationException("sequence broke");
    }

    private static async IAsyncEnumerable<int> Endless(TaskCompletionSource started, TaskCompletionSource cancelled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return 1;
        yield return 2;
        yield return 3;
        started.TrySetResult();
        try
        {
            // Never completes by itself: only cancellation ends the sequence.
            await new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously).Task.WaitAsync(cancellationToken);
        }
        finally
        {
            cancelled.TrySetResult();
        }
    }
}
