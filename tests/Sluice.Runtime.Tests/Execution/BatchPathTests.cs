using Sluice.Runtime.Tests.Support;
using Sluice.Sources;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>The batch-at-a-time paths: sources handing over spans, filters forwarding runs, flat maps buffering.</summary>
public class BatchPathTests
{
    [Theory]
    [InlineData(ExecutionMode.Deterministic, 1)]
    [InlineData(ExecutionMode.Parallel, 3)]
    public async Task Filter_RunsOfKeptAndDroppedRecords_KeepsOrderAndTimestamps(ExecutionMode mode, int parallelism)
    {
        var values = Enumerable.Range(0, 10_000).ToArray();
        var timestamps = values.Select(v => 1_000_000L + v).ToArray();
        // Keep pattern mixes single records, long runs and gaps, and crosses batch boundaries.
        static bool Keep(int v) => v % 7 == 0 || (v / 100) % 3 == 1;
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode, Parallelism = parallelism, BatchSize = 97 });
        var sink = env.FromSource(new SpanSource<int>(values, timestamps, 97), null, "Spans")
            .Filter(Keep)
            .Map(v => v * 2)
            .Collect();
        await env.ExecuteAsync();

        var expected = values.Where(Keep).Select(v => (v * 2, 1_000_000L + v)).ToList();
        var actual = sink.TimestampedItems.ToList();
        if (parallelism == 1)
        {
            actual.ShouldBe(expected);
        }
        else
        {
            actual.OrderBy(x => x.Item2).ShouldBe(expected);
        }
    }

    [Fact]
    public async Task CollectBatch_WithTimestampAssigner_AssignsEveryRecordAndFiresWindows()
    {
        var values = Enumerable.Range(0, 1_000).Select(i => (long)i * 10).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        var sink = env.FromSource(new SpanSource<long>(values, [], 64), WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v), "Spans")
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Reduce((a, b) => a + b, (k, w, sum) => (w.Start, sum))
            .Collect();
        await env.ExecuteAsync();

        var expected = values.GroupBy(v => v / 1000 * 1000).Select(g => (g.Key, g.Sum())).ToList();
        sink.Items.ShouldBe(expected);
    }

    [Fact]
    public async Task CollectBatch_TimestampCountMismatch_FailsTheJobNamingBothCounts()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        env.FromSource(new SpanSource<int>([1, 2, 3], [1, 2], 10), null, "Broken").Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync());
        error.Message.ShouldContain("3 records but 2 timestamps");
        error.Message.ShouldContain("Broken");
    }

    [Fact]
    public async Task FlatMap_ManyOutputsPerRecord_KeepsOrderAcrossBufferFlushes()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 8 });
        var sink = env.FromCollection(new[] { 0, 1, 2 })
            .FlatMap<(int, int)>((v, output) =>
            {
                for (var i = 0; i < 5_000; i++)
                {
                    output.Collect((v, i));
                }
            })
            .Collect();
        await env.ExecuteAsync();

        sink.Items.ShouldBe(Enumerable.Range(0, 3).SelectMany(v => Enumerable.Range(0, 5_000).Select(i => (v, i))));
    }

    [Fact]
    public async Task ProcessingTimeWindow_OneBatch_ReadsTheClockOnceSoEveryRecordLandsInOneWindow()
    {
        // The clock moves a second per reading: read per record, 64 records would land in 64 windows of 10 ms.
        var values = Enumerable.Range(0, 64).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, TimeProvider = new TickingClock() });
        var sink = env.FromSource(new SpanSource<int>(values, [], 64), null, "OneBatch")
            .KeyBy(_ => 0)
            .Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Aggregate(new CountAggregate<int>(), (k, w, count) => count)
            .Collect();
        await env.ExecuteAsync();

        sink.Items.ShouldBe([64L]);
    }

    [Fact]
    public async Task FlatMap_ChainedToKeyedProcess_HandsEachRecordOnBeforeTheNextInput()
    {
        // One batch of 40 records: buffered, the flat map would run for all 40 before the process function saw any.
        var values = Enumerable.Range(0, 40).ToArray();
        var timestamps = values.Select(v => 5_000L + v).ToArray();
        var log = new List<string>();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 64 });
        var sink = env.FromSource(new SpanSource<int>(values, timestamps, 40), null, "OneBatch")
            .FlatMap<(int Value, int Copy)>((v, output) =>
            {
                log.Add($"map {v}");
                output.Collect((v, 0));
                if (v % 2 == 0)
                {
                    output.Collect((v, 1));
                }
            }, "Copies")
            .KeyBy(c => c.Value % 3)
            .Process(new LoggingProcess(log), "Log")
            .Collect();
        await env.ExecuteAsync();

        var expectedLog = values.SelectMany(v => v % 2 == 0 ? new[] { $"map {v}", $"process {v}.0", $"process {v}.1" } : [$"map {v}", $"process {v}.0"]);
        log.ShouldBe(expectedLog);
        var expected = values.SelectMany(v => v % 2 == 0 ? new[] { ($"{v}.0", 5_000L + v), ($"{v}.1", 5_000L + v) } : [($"{v}.0", 5_000L + v)]);
        sink.TimestampedItems.ShouldBe(expected);
    }

    [Theory]
    [InlineData("sliding")]
    [InlineData("session")]
    [InlineData("count")]
    [InlineData("processing-time")]
    public async Task FlatMap_ChainedToWindow_HandsEachRecordOnBeforeTheNextInput(string window)
    {
        // One batch of 40 records: buffered, the flat map would run for all 40 before the window added any.
        var values = Enumerable.Range(0, 40).ToArray();
        var timestamps = values.Select(v => 5_000L + (v * 100)).ToArray();
        var log = new List<string>();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 64 });
        var keyed = env.FromSource(new SpanSource<int>(values, timestamps, 40), null, "OneBatch")
            .FlatMap<(int Value, int Copy)>((v, output) =>
            {
                log.Add($"map {v}");
                output.Collect((v, 0));
                if (v % 2 == 0)
                {
                    output.Collect((v, 1));
                }
            }, "Copies")
            .KeyBy(c => c.Value % 3);
        var windowed = window switch
        {
            "sliding" => keyed.Window(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1))),
            "session" => keyed.Window(EventTimeSessionWindows.WithGap(TimeSpan.FromSeconds(1))),
            "processing-time" => keyed.Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromHours(1))),
            _ => keyed.Window(GlobalWindows.OfCount(1)),
        };
        var sink = windowed.Aggregate(new LoggingCount(log), (key, w, count) => count).Collect();
        await env.ExecuteAsync();

        var expectedLog = values.SelectMany(v => v % 2 == 0 ? new[] { $"map {v}", $"add {v}.0", $"add {v}.1" } : [$"map {v}", $"add {v}.0"]);
        log.Where(line => !line.StartsWith("merge", StringComparison.Ordinal)).ShouldBe(expectedLog);
        // Every copy is counted in every window that contains it: 60 copies, in two windows each when sliding.
        sink.Items.Sum().ShouldBe(window == "sliding" ? 120L : 60L);
    }

    [Fact]
    public async Task FlatMap_ChainedToProcessingTimeWindow_WindowReadsTheClockOncePerStep()
    {
        // The flat map hands its records one at a time to the window, which reads the task step's one clock reading:
        // reading the clock per record would, with this clock, put each record into its own window.
        var values = Enumerable.Range(0, 64).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, TimeProvider = new TickingClock() });
        var sink = env.FromSource(new SpanSource<int>(values, [], 64), null, "OneBatch")
            .FlatMap<int>((v, output) => output.Collect(v))
            .KeyBy(_ => 0)
            .Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Aggregate(new CountAggregate<int>(), (k, w, count) => count)
            .Collect();
        await env.ExecuteAsync();

        sink.Items.ShouldBe([64L]);
    }

    [Fact]
    public async Task ProcessingTimeWindow_EachStepReadsTheClockAgain()
    {
        // Two polls of 32 records are two task steps: the second reads the clock again (a second later), fires the
        // first window at that reading, and puts its own records into the next window.
        var values = Enumerable.Range(0, 64).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, TimeProvider = new TickingClock() });
        var sink = env.FromSource(new SpanSource<int>(values, [], 32), null, "TwoBatches")
            .FlatMap<int>((v, output) => output.Collect(v))
            .KeyBy(_ => 0)
            .Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Aggregate(new CountAggregate<int>(), (k, w, count) => (w.Start, count))
            .Collect();
        await env.ExecuteAsync();

        sink.Items.Select(r => r.count).ShouldBe([32L, 32L]);
        sink.Items[0].Start.ShouldBeLessThan(sink.Items[1].Start);
    }

    [Fact]
    public async Task KeyedProcess_TimerServiceProcessingTime_IsOneReadingPerStep()
    {
        // Two polls of 3 records: the records of one step see one reading of the clock (a reading per record would,
        // with this clock, give each record its own time), and the next step reads the clock again.
        var values = Enumerable.Range(0, 6).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, TimeProvider = new TickingClock() });
        var sink = env.FromSource(new SpanSource<int>(values, [], 3), null, "TwoBatches")
            .FlatMap<int>((v, output) => output.Collect(v))
            .KeyBy(v => v % 2)
            .Process(new ProcessingTimeOf(), "Now")
            .Collect();
        await env.ExecuteAsync();

        var times = sink.Items.OrderBy(r => r.Value).Select(r => r.Now).ToArray();
        times.Length.ShouldBe(6);
        times[..3].Distinct().ShouldHaveSingleItem();
        times[3..].Distinct().ShouldHaveSingleItem();
        times[3].ShouldBeGreaterThan(times[0]);
    }

    [Fact]
    public async Task FlatMap_ChainedToKeyedProcessThrows_JobFailsNamingTheFlatMapAndRecordAfterEarlierRecordsWentOn()
    {
        var values = Enumerable.Range(0, 10).ToArray();
        var log = new List<string>();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        env.FromSource(new SpanSource<int>(values, [], 10), null, "OneBatch")
            .FlatMap<(int Value, int Copy)>((v, output) => output.Collect(v == 3 ? throw new InvalidOperationException("bad 3") : (v, 0)), "Explode")
            .KeyBy(c => c.Value)
            .Process(new LoggingProcess(log), "Log")
            .Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync());

        error.OperatorName.ShouldBe("Explode");
        error.Record.ShouldBe("3");
        error.InnerException.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("bad 3");
        // Deliberately pinned: as in Flink's chaining, the records before the failing one already reached the keyed
        // function. Exactly-once does not rest on this but on the restore (RestartTests'
        // FixedDelayRestart_FlatMapChainedToKeyedProcessFailsMidBatch_FinishesWithExactlyOnceOutput).
        log.ShouldBe(["process 0.0", "process 1.0", "process 2.0"]);
    }

    [Fact]
    public async Task FlatMap_ChainedToKeyedProcessThatThrows_JobFailsNamingTheProcessFunctionAndItsRecord()
    {
        // The process function runs inside the flat map's call here: its failure must still be blamed on it, not on the flat map.
        var values = Enumerable.Range(0, 10).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        env.FromSource(new SpanSource<int>(values, [], 10), null, "OneBatch")
            .FlatMap<(int Value, int Copy)>((v, output) => output.Collect((v, 0)), "Pairs")
            .KeyBy(c => c.Value)
            .Process(new ThrowingProcess(3), "Log")
            .Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync());

        error.OperatorName.ShouldBe("Log");
        error.Record.ShouldBe("(3, 0)");
        error.InnerException.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("bad 3");
    }

    /// <summary>Logs every record it processes and emits it as "value.copy" with the record's timestamp.</summary>
    private sealed class LoggingProcess(List<string> log) : KeyedProcessFunction<int, (int Value, int Copy), string>
    {
        public override void ProcessElement((int Value, int Copy) value, KeyedProcessContext<int> context, ICollector<string> output)
        {
            log.Add($"process {value.Value}.{value.Copy}");
            output.Collect($"{value.Value}.{value.Copy}");
        }
    }

    /// <summary>Emits each record with its timer service's processing time.</summary>
    private sealed class ProcessingTimeOf : KeyedProcessFunction<int, int, (int Value, long Now)>
    {
        public override void ProcessElement(int value, KeyedProcessContext<int> context, ICollector<(int Value, long Now)> output) =>
            output.Collect((value, context.TimerService.CurrentProcessingTime));
    }

    /// <summary>Throws on the record whose value is <paramref name="bad"/>; emits nothing.</summary>
    private sealed class ThrowingProcess(int bad) : KeyedProcessFunction<int, (int Value, int Copy), string>
    {
        public override void ProcessElement((int Value, int Copy) value, KeyedProcessContext<int> context, ICollector<string> output)
        {
            if (value.Value == bad)
            {
                throw new InvalidOperationException($"bad {bad}");
            }
        }
    }

    /// <summary>Counts records, logging each one it adds as "add value.copy" (and each merge).</summary>
    private sealed class LoggingCount(List<string> log) : IAggregateFunction<(int Value, int Copy), long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, (int Value, int Copy) value)
        {
            log.Add($"add {value.Value}.{value.Copy}");
            return accumulator + 1;
        }

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b)
        {
            log.Add("merge");
            return a + b;
        }
    }

    /// <summary>A clock that moves on by one second every time it is read.</summary>
    private sealed class TickingClock : TimeProvider
    {
        private long _ms = 1_000_000;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Add(ref _ms, 1_000));
    }

    /// <summary>A non-parallel source handing slices of arrays to <see cref="ISourceOutput{T}.CollectBatch"/>.</summary>
    private sealed class SpanSource<T>(T[] values, long[] timestamps, int slice) : ISource<T>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 1;

        public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(values, timestamps, slice);

        private sealed class Reader(T[] values, long[] timestamps, int slice) : ISourceReader<T>
        {
            private int _next;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<T> output)
            {
                var n = Math.Min(slice, values.Length - _next);
                var times = timestamps.Length == 0 ? default
                    : timestamps.Length == values.Length ? timestamps.AsSpan(_next, n)
                    : timestamps.AsSpan();
                output.CollectBatch(0, values.AsSpan(_next, n), times);
                _next += n;
                return _next >= values.Length ? SourceStatus.Finished : SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }
    }
}
