using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Support;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// The runtime disposes what a job holds: every reader and writer when its task ends, and every disposable source and
/// sink once, when the job has ended for good (finished, failed, cancelled) — never per attempt of a restart.
/// </summary>
public sealed class ConnectorDisposalTests
{
    public static TheoryData<ExecutionMode> Modes => [ExecutionMode.Parallel, ExecutionMode.Deterministic];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task JobEnd_Finished_DisposesSourceAndSinkOnce_AndEveryReaderAndWriter(ExecutionMode mode)
    {
        var source = new CountingSource(bounded: true);
        var sink = new CountingSink();
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode, Parallelism = 2 });
        env.FromSource(source).SinkTo(sink);

        await env.ExecuteAsync().OrTimeout();

        source.Disposals.ShouldBe(1);
        sink.Disposals.ShouldBe(1, "an IAsyncDisposable sink is disposed asynchronously, once");
        (source.ReadersCreated, source.ReadersDisposed).ShouldBe((2, 2));
        (sink.WritersCreated, sink.WritersDisposed).ShouldBe((2, 2));
        sink.Written.ShouldBe(2 * CountingSource.PerReader);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task JobEnd_FailedAfterARestart_DisposesOnceAtTheEnd_ReadersOfEveryAttempt(ExecutionMode mode)
    {
        var source = new CountingSource(bounded: true);
        var sink = new CountingSink();
        var disposalsSeenByTheSecondAttempt = -1;
        var attempts = 0;
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode, Parallelism = 1, Restart = RestartStrategy.FixedDelay(1, TimeSpan.Zero) });
        env.FromSource(source).Map(i =>
        {
            if (i == 0)
            {
                if (Interlocked.Increment(ref attempts) == 2)
                {
                    disposalsSeenByTheSecondAttempt = source.Disposals;
                }
                throw new InvalidOperationException("always fails");
            }
            return i;
        }, "Fail").SinkTo(sink);

        await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        disposalsSeenByTheSecondAttempt.ShouldBe(0, "a restart reuses the source");
        source.Disposals.ShouldBe(1);
        sink.Disposals.ShouldBe(1);
        (source.ReadersCreated, source.ReadersDisposed).ShouldBe((2, 2), "one reader per attempt, each disposed when its task failed");
        (sink.WritersCreated, sink.WritersDisposed).ShouldBe((2, 2));
    }

    [Fact]
    public async Task JobEnd_Cancelled_DisposesSourceAndSinkOnce()
    {
        var source = new CountingSource(bounded: false);
        var sink = new CountingSink();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromSource(source).SinkTo(sink);
        env.FromSource(source).SinkTo(sink); // one object in two places: still disposed once
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = env.Start(client => client.StatusChanged += change =>
        {
            if (change.NewStatus == JobStatus.Running)
            {
                running.TrySetResult();
            }
        });
        await running.Task.OrTimeout();

        job.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => job.Completion.OrTimeout());
        source.Disposals.ShouldBe(1);
        sink.Disposals.ShouldBe(1);
        source.ReadersDisposed.ShouldBe(source.ReadersCreated);
        sink.WritersDisposed.ShouldBe(sink.WritersCreated);
    }

    [Fact]
    public async Task JobEnd_DisposeThrows_TheJobStillFinishes()
    {
        var source = new CountingSource(bounded: true) { ThrowOnDispose = true };
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromSource(source).SinkTo(new CountingSink());

        var result = await env.ExecuteAsync().OrTimeout();

        result.SourceRecords.ShouldBe(CountingSource.PerReader);
        source.Disposals.ShouldBe(1);
    }

    /// <summary>Emits 0..<see cref="PerReader"/>-1 per reader (then ends, or waits forever when unbounded); counts disposals.</summary>
    private sealed class CountingSource(bool bounded) : ISource<int>, IDisposable
    {
        public const int PerReader = 5;
        private int _readersCreated;
        private int _readersDisposed;
        private int _disposals;

        public int ReadersCreated => Volatile.Read(ref _readersCreated);

        public int ReadersDisposed => Volatile.Read(ref _readersDisposed);

        public int Disposals => Volatile.Read(ref _disposals);

        public bool ThrowOnDispose { get; init; }

        public bool IsBounded => bounded;

        public int MaxParallelism => 0;

        public ISourceReader<int> CreateReader(SourceReaderContext context)
        {
            Interlocked.Increment(ref _readersCreated);
            return new Reader(this);
        }

        public void Dispose()
        {
            Interlocked.Increment(ref _disposals);
            if (ThrowOnDispose)
            {
                throw new InvalidOperationException("dispose failed");
            }
        }

        private sealed class Reader(CountingSource source) : ISourceReader<int>
        {
            private int _next;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<int> output)
            {
                if (_next < PerReader)
                {
                    output.Collect(0, _next++);
                    return SourceStatus.MoreAvailable;
                }
                return source.IsBounded ? SourceStatus.Finished : SourceStatus.NothingAvailable;
            }

            public void Dispose() => Interlocked.Increment(ref source._readersDisposed);
        }
    }

    /// <summary>Counts records, writers and disposals; disposes asynchronously.</summary>
    private sealed class CountingSink : ISink<int>, IAsyncDisposable
    {
        private int _writersCreated;
        private int _writersDisposed;
        private int _disposals;
        private int _written;

        public int WritersCreated => Volatile.Read(ref _writersCreated);

        public int WritersDisposed => Volatile.Read(ref _writersDisposed);

        public int Disposals => Volatile.Read(ref _disposals);

        public int Written => Volatile.Read(ref _written);

        public int MaxParallelism => 0;

        public ISinkWriter<int> CreateWriter(SinkContext context)
        {
            Interlocked.Increment(ref _writersCreated);
            return new Writer(this);
        }

        public async ValueTask DisposeAsync()
        {
            await Task.Yield();
            Interlocked.Increment(ref _disposals);
        }

        private sealed class Writer(CountingSink sink) : ISinkWriter<int>
        {
            public void Write(int value, long timestamp) => Interlocked.Increment(ref sink._written);

            public void Flush()
            {
            }

            public void Dispose() => Interlocked.Increment(ref sink._writersDisposed);
        }
    }
}
