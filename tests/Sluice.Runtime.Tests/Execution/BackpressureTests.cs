using Sluice.Runtime.Tests.Support;
using Sluice.Sinks;

namespace Sluice.Runtime.Tests.Execution;

public class BackpressureTests
{
    private const int BatchSize = 16;
    private const int ChannelCapacity = 2;
    private const int Records = 100_000;

    [Fact]
    public async Task SlowSink_BoundsQueuedRecordsPerChannel_ThenDeliversEverything()
    {
        var sink = new GatedSink();
        var env = StreamEnvironment.Create(new JobOptions { BatchSize = BatchSize, ChannelCapacity = ChannelCapacity, ChainingEnabled = false });
        env.FromCollection(Enumerable.Range(0, Records)).Map(i => (long)i).SinkTo(sink, "GatedSink");

        var blocked = new ManualResetEventSlim();
        var client = env.Start(c => c.ProducerBlocked += _ => blocked.Set());
        try
        {
            sink.FirstWrite.WaitOrFail("the sink's first record");
            blocked.WaitOrFail("a producer to block on a full channel");
            client.MaxQueuedRecordsPerChannel.ShouldBeLessThanOrEqualTo(ChannelCapacity * BatchSize);
            sink.Written.ShouldBeLessThan(Records);
        }
        finally
        {
            sink.Release();
        }
        var result = await client.Completion.OrTimeout();
        sink.Written.ShouldBe(Records);
        sink.Sum.ShouldBe((long)Records * (Records - 1) / 2);
        result.MaxQueuedRecordsPerChannel.ShouldBeLessThanOrEqualTo(ChannelCapacity * BatchSize);
        result.BackpressureWaits.ShouldBeGreaterThan(0);
        result.SourceRecords.ShouldBe(Records);
    }

    [Fact]
    public async Task SlowSinkBehindKeyedExchange_BoundsEveryChannel()
    {
        var sink = new GatedSink();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, BatchSize = BatchSize, ChannelCapacity = ChannelCapacity });
        env.FromCollection(Enumerable.Range(0, 20_000)).KeyBy(i => i % 10).Reduce((x, y) => y).Map(i => (long)i).SinkTo(sink, "GatedSink").SetParallelism(1);

        var blocked = new ManualResetEventSlim();
        var client = env.Start(c => c.ProducerBlocked += _ => blocked.Set()); // Subscribed before anything runs: no block is missed.
        try
        {
            blocked.WaitOrFail("a producer to block on a full channel");
            client.MaxQueuedRecordsPerChannel.ShouldBeLessThanOrEqualTo(ChannelCapacity * BatchSize);
        }
        finally
        {
            sink.Release();
        }
        var result = await client.Completion.OrTimeout();
        sink.Written.ShouldBe(20_000);
        result.MaxQueuedRecordsPerChannel.ShouldBeLessThanOrEqualTo(ChannelCapacity * BatchSize);
    }

    /// <summary>Blocks its writer on the first record until the test releases it; never sleeps.</summary>
    private sealed class GatedSink : ISink<long>
    {
        private readonly SemaphoreSlim _gate = new(0);
        private long _written;
        private long _sum;
        private volatile bool _released;

        public ManualResetEventSlim FirstWrite { get; } = new();

        public long Written => Interlocked.Read(ref _written);

        public long Sum => Interlocked.Read(ref _sum);

        public int MaxParallelism => 0;

        public void Release()
        {
            _released = true;
            _gate.Release(1_000);
        }

        public ISinkWriter<long> CreateWriter(SinkContext context) => new Writer(this);

        private sealed class Writer(GatedSink owner) : ISinkWriter<long>
        {
            public void Write(long value, long timestamp)
            {
                if (!owner._released)
                {
                    owner.FirstWrite.Set();
                    if (!owner._gate.Wait(Signals.Timeout))
                    {
                        throw new TimeoutException("The test never released the sink.");
                    }
                }
                Interlocked.Increment(ref owner._written);
                Interlocked.Add(ref owner._sum, value);
            }

            public void Flush() { }

            public void Dispose() { }
        }
    }
}
