using CsCheck;
using Sluice.Operators;
using Sluice.Runtime.Tests.Support;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// Watermarks cross an exchange inside the record batches, at their positions (not as messages of their own), and a
/// busy task still sends its partial batches every few milliseconds.
/// </summary>
public sealed class ExchangeWatermarkTests
{
    [Fact]
    public void Exchange_WatermarksBetweenTheRecordsOfOneBatch_ArriveBetweenTheSameRecords()
    {
        // Every operator its own task: the middle one gets 40 records as one batch and, in one step, emits a watermark
        // after each record — more watermarks than one outgoing batch carries. The second round reuses pooled batches;
        // the last watermark crosses both exchanges alone, in batches without records.
        using var driver = new JobTestDriver(new JobOptions { ChainingEnabled = false });
        var input = driver.CreateInput(WatermarkStrategy<long>.NoWatermarks());
        var events = new List<string>();
        input.Stream.Transform("WatermarkAfterEach", () => new WatermarkAfterEach())
            .Transform("Recorder", () => new Recorder(events))
            .SinkTo(new CollectSink<long>());

        var expected = new List<string>();
        foreach (var (from, to) in new[] { (1L, 40L), (41L, 80L) })
        {
            for (var v = from; v <= to; v++)
            {
                input.Push(v, v);
                expected.Add(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
                expected.Add($"wm {v}");
            }
            driver.RunUntilIdle();
            events.ShouldBe(expected);
        }
        input.PushWatermark(100);
        driver.RunUntilIdle();

        expected.Add("wm 100");
        events.ShouldBe(expected);
    }

    [Fact]
    public void Exchange_AnyMixOfRecordsAndWatermarksAnyBatching_ArrivesInTheOrderItWasEmitted()
    {
        // Batches of 1–5 records; after each record 0–20 watermarks (more than the 16 marks a batch carries); input
        // pushed in runs of 1–20 records, every task run until idle after each run. The script's watermarks cross two
        // exchanges before the recorder (script → relay → recorder), re-batched at the second.
        var cases = Gen.Select(Gen.Int[1, 5], Gen.Int[0, 20].Array[1, 60], Gen.Int[1, 20].Array[1, 12],
            static (batch, marksAfter, runs) => (Batch: batch, MarksAfter: marksAfter, Runs: runs));
        cases.Sample(c =>
        {
            using var driver = new JobTestDriver(new JobOptions { ChainingEnabled = false, BatchSize = c.Batch });
            var input = driver.CreateInput(WatermarkStrategy<long>.NoWatermarks());
            var events = new List<string>();
            input.Stream.Transform("Script", () => new WatermarksAfter(c.MarksAfter))
                .Transform("Relay", () => new Relay())
                .Transform("Recorder", () => new Recorder(events))
                .SinkTo(new CollectSink<long>());

            // What the script emits, written out independently: record v, then its watermarks, numbered 1, 2, 3, ….
            var expected = new List<string>();
            var watermark = 0L;
            var next = 0;
            var runs = 0;
            while (next < c.MarksAfter.Length)
            {
                var end = Math.Min(c.MarksAfter.Length, next + c.Runs[runs++ % c.Runs.Length]);
                for (; next < end; next++)
                {
                    input.Push(next, next);
                    expected.Add(next.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    for (var m = 0; m < c.MarksAfter[next]; m++)
                    {
                        expected.Add($"wm {++watermark}");
                    }
                }
                driver.RunUntilIdle();
                events.ShouldBe(expected);
            }
        }, iter: 200, threads: 1, print: c => $"batch {c.Batch}, marks after [{string.Join(',', c.MarksAfter)}], runs [{string.Join(',', c.Runs)}]");
    }

    [Fact]
    public async Task Exchange_ThinOutputOfATaskThatIsAlwaysBusy_ArrivesWithoutWaitingForAFullBatch()
    {
        // The filter task never runs out of input (the endless source outpaces it), so it never reaches the flush
        // before waiting; its one output record sits in a batch far from full (no watermarks either, which would
        // fill its marks), and only the busy task's periodic flush sends it.
        var env = StreamEnvironment.Create(new JobOptions { ChainingEnabled = false, Parallelism = 1 });
        var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        env.FromSource(new EndlessSource(), WatermarkStrategy<long>.NoWatermarks(), "Endless")
            .Filter(v =>
            {
                Thread.SpinWait(200); // work per record, so the source keeps the filter's input channel full
                return v == 1;
            }, "OnlyTheFirst")
            .ForEach(v => first.TrySetResult(v));
        var job = env.Start();

        (await first.Task.OrTimeout()).ShouldBe(1L);

        job.Cancel();
        // Cancelled while the source waits on the filter's full channel: a cancellation, not a failure of the source.
        await Should.ThrowAsync<OperationCanceledException>(() => job.Completion.OrTimeout());
    }

    /// <summary>Forwards each record and then emits its value as the watermark; forwards incoming watermarks too.</summary>
    private sealed class WatermarkAfterEach : OneInputStreamOperator<long, long>
    {
        public override void ProcessElement(long value, long timestamp)
        {
            Output.Collect(value, timestamp);
            Output.EmitWatermark(value);
        }
    }

    /// <summary>Forwards record v, then emits <c>marksAfter[v]</c> watermarks, numbered 1, 2, 3, … across the records.</summary>
    private sealed class WatermarksAfter(int[] marksAfter) : OneInputStreamOperator<long, long>
    {
        private long _watermark;

        public override void ProcessElement(long value, long timestamp)
        {
            Output.Collect(value, timestamp);
            for (var m = 0; m < marksAfter[value]; m++)
            {
                Output.EmitWatermark(++_watermark);
            }
        }
    }

    /// <summary>Forwards records; watermarks pass by the default.</summary>
    private sealed class Relay : OneInputStreamOperator<long, long>
    {
        public override void ProcessElement(long value, long timestamp) => Output.Collect(value, timestamp);
    }

    private sealed class Recorder(List<string> events) : OneInputStreamOperator<long, long>
    {
        public override void ProcessElement(long value, long timestamp)
        {
            events.Add(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Output.Collect(value, timestamp);
        }

        public override void ProcessWatermark(long watermark)
        {
            events.Add($"wm {watermark}");
            Output.EmitWatermark(watermark);
        }
    }

    /// <summary>An unbounded one-split source of 1, 2, 3, …, 1024 a poll.</summary>
    private sealed class EndlessSource : ISource<long>, ISourceReader<long>
    {
        private readonly long[] _block = new long[1024];
        private long _next = 1;

        public bool IsBounded => false;

        public int MaxParallelism => 1;

        public int SplitCount => 1;

        public ISourceReader<long> CreateReader(SourceReaderContext context) => this;

        public SourceStatus PollNext(ISourceOutput<long> output)
        {
            for (var i = 0; i < _block.Length; i++)
            {
                _block[i] = _next++;
            }
            output.CollectBatch(0, _block, []);
            return SourceStatus.MoreAvailable;
        }

        public void Dispose()
        {
        }
    }
}
