using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

public class FailureTests
{
    private sealed record Order(int Id, string Customer)
    {
        public override string ToString() => $"Order#{Id}({Customer})";
    }

    public static TheoryData<ExecutionMode> Modes => [ExecutionMode.Parallel, ExecutionMode.Deterministic];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task UserMapThrows_JobFailsNamingOperatorSubtaskAndRecord(ExecutionMode mode)
    {
        var orders = Enumerable.Range(0, 100).Select(i => new Order(i, $"c{i % 5}")).ToList();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Mode = mode, BatchSize = 8 });
        env.FromCollection(orders)
            .KeyBy(o => o.Customer)
            .Process(new ThrowOn(42), "PriceOrders")
            .Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());
        error.Message.ShouldContain("PriceOrders");
        error.Message.ShouldContain($"(subtask {error.SubtaskIndex + 1}/2)");
        error.SubtaskIndex.ShouldBeInRange(0, 1);
        error.Message.ShouldContain("Order#42(c2)");
        error.OperatorName.ShouldBe("PriceOrders");
        error.Record.ShouldBe("Order#42(c2)");
        error.InnerException.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("bad order 42");
    }

    [Fact]
    public async Task ChainedMapThrows_MessageNamesTheMapNotItsChain()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        env.FromCollection(new[] { 1, 2, 0, 4 }).Map(i => 10 / i, "Divide").Filter(i => i > 0).Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());
        error.Message.ShouldContain("'Divide'");
        error.Message.ShouldContain("(subtask 1/1)");
        error.Message.ShouldContain("record 0");
        error.InnerException.ShouldBeOfType<DivideByZeroException>();
    }

    [Theory]
    [InlineData("tumbling", false)]
    [InlineData("tumbling", true)]
    [InlineData("session", false)]
    [InlineData("session", true)]
    [InlineData("count", false)]
    [InlineData("count", true)]
    public async Task WindowKeySelectorThrowsOrReturnsNull_MessageNamesTheWindowAndTheRecord(string window, bool returnsNull)
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        var keyed = env.FromCollection(new[] { new Ev("a", 5), new Ev("bad", 6) }, WatermarkStrategy<Ev>.ForMonotonousTimestamps().WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key != "bad" ? e.Key : returnsNull ? null! : throw new InvalidOperationException("no key"));
        var windowed = window switch
        {
            "tumbling" => keyed.Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1))),
            "session" => keyed.Window(EventTimeSessionWindows.WithGap(TimeSpan.FromSeconds(1))),
            _ => keyed.Window(GlobalWindows.OfCount(1)),
        };
        windowed.Reduce((x, _) => x, (_, _, e) => e.Key, "PerKey").Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.Message.ShouldStartWith("Operator 'PerKey(");
        error.Message.ShouldContain("failed extracting the key on record");
        error.Record.ShouldBe(new Ev("bad", 6).ToString());
        if (returnsNull)
        {
            error.InnerException.ShouldBeOfType<InvalidOperationException>().Message.ShouldContain("returned null");
        }
        else
        {
            error.InnerException.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("no key");
        }
    }

    [Fact]
    public async Task WindowFunctionThrows_MessageNamesWindowAndKey()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        env.FromCollection(new[] { new Ev("a", 5) }, WatermarkStrategy<Ev>.ForMonotonousTimestamps().WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Reduce((x, _) => x, (_, _, _) => ThrowString(), "Explode")
            .Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());
        error.Message.ShouldContain("Explode");
        error.Message.ShouldContain("key a");
    }

    [Fact]
    public async Task Cancellation_UnboundedSource_EndsJobAsCancelled()
    {
        var clock = new ManualTimeProvider();
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = clock });
        var first = new ManualResetEventSlim();
        env.Generate(1_000, i => i).Map(i => { first.Set(); return i; }).Collect();
        using var cts = new CancellationTokenSource();
        var run = env.ExecuteAsync(cts.Token);
        first.WaitOrFail("the first generated record");
        run.IsCompleted.ShouldBeFalse();
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => run.OrTimeout());
        run.IsCanceled.ShouldBeTrue();
    }

    [Fact]
    public async Task Cancel_DeterministicMode_EndsJobAsCancelled()
    {
        var clock = new ManualTimeProvider();
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = clock, Mode = ExecutionMode.Deterministic });
        var first = new ManualResetEventSlim();
        env.Generate(1_000, i => i).Map(i => { first.Set(); return i; }).Collect();
        var client = env.Start();
        first.WaitOrFail("the first generated record");
        client.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StopWithDrain_UnboundedSource_FiresPendingWindowsAndCompletes(ExecutionMode mode)
    {
        var (client, sink, _) = StartGeneratorWindowJob(mode);
        client.Stop(drain: true);
        var result = await client.Completion.OrTimeout();
        // The clock never moves, so the generator emitted exactly its first record (index 0 at time 0).
        sink.Items.ShouldBe(["k@0=1"]);
        result.SourceRecords.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StopWithoutDrain_UnboundedSource_CompletesLeavingWindowsPending(ExecutionMode mode)
    {
        var (client, sink, processed) = StartGeneratorWindowJob(mode);
        client.Stop(drain: false);
        var result = await client.Completion.OrTimeout();
        sink.Items.ShouldBeEmpty();
        processed.ShouldBe(1);
        result.SourceRecords.ShouldBe(1);
    }

    private static (JobClient Client, Sluice.Sinks.CollectSink<string> Sink, int Processed) StartGeneratorWindowJob(ExecutionMode mode)
    {
        var clock = new ManualTimeProvider();
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = clock, Mode = mode });
        var first = new ManualResetEventSlim();
        var processed = 0;
        var sink = env.Generate(1_000, i => new Ev("k", i), watermarks: WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero))
            .Map(e => { Interlocked.Increment(ref processed); first.Set(); return e; })
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => $"{k}@{w.Start}={c}")
            .Collect();
        var client = env.Start();
        first.WaitOrFail("the first generated record");
        return (client, sink, Volatile.Read(ref processed));
    }

    private static string ThrowString() => throw new InvalidOperationException("window result failed");

    private sealed class ThrowOn(int id) : KeyedProcessFunction<string, Order, Order>
    {
        public override void ProcessElement(Order value, KeyedProcessContext<string> context, ICollector<Order> output)
        {
            if (value.Id == id)
            {
                throw new InvalidOperationException($"bad order {id}");
            }
            output.Collect(value);
        }
    }
}
