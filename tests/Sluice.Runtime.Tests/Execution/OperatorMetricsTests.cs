using System.Diagnostics.Metrics;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>Per-operator figures: records into every operator across chains and exchanges, and the meter's instruments.</summary>
public class OperatorMetricsTests
{
    public static TheoryData<ExecutionMode> Modes => [ExecutionMode.Parallel, ExecutionMode.Deterministic];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task GetOperatorMetrics_CountsRecordsInAndOutOfEachOperator_ChainedAcrossExchangesAndFannedOut(ExecutionMode mode)
    {
        var input = Enumerable.Range(0, 1_000).ToList();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Mode = mode, BatchSize = 16 });
        var doubled = env.FromCollection(input).Uid("numbers")
            .Map(x => x * 2, "Double").Uid("double");
        doubled.Filter(x => x % 4 == 0, "MultiplesOfFour").Uid("filter")
            .KeyBy(x => x % 10)
            .Reduce((a, b) => a + b, "AfterExchange").Uid("after")
            .ForEach(_ => { }).Uid("sink");
        doubled.Map(x => -x, "Negate").Uid("negate").ForEach(_ => { }).Uid("second-sink"); // "double" fans out to two consumers.
        var client = env.Start();
        await client.Completion.OrTimeout();

        var metrics = client.GetOperatorMetrics();
        long In(string uid) => metrics.Where(m => m.Uid == uid).Sum(m => m.RecordsIn);
        long Out(string uid) => metrics.Where(m => m.Uid == uid).Sum(m => m.RecordsOut);
        var kept = input.Count(x => x * 2 % 4 == 0);
        metrics.Where(m => m.IsSource).Select(m => m.Uid).Distinct().ShouldBe(["numbers"]);
        (In("numbers"), Out("numbers")).ShouldBe((0, input.Count));
        (In("double"), Out("double")).ShouldBe((input.Count, input.Count), "a record sent to two consumers is emitted once");
        (In("filter"), Out("filter")).ShouldBe((input.Count, kept));
        (In("after"), Out("after")).ShouldBe((kept, kept));
        (In("sink"), Out("sink")).ShouldBe((kept, 0));
        (In("negate"), In("second-sink")).ShouldBe((input.Count, input.Count));
        metrics.Where(m => m.Uid == "after").Select(m => m.Subtask).Order().ShouldBe([0, 1]);
        metrics.Where(m => m.Uid is "double" or "numbers").ShouldAllBe(m => m.Watermark == long.MaxValue, "bounded input ends with the final watermark");
    }

    [Fact]
    public async Task Meter_ReportsRecordsInAndOutAndWatermarks_OfARunningJob()
    {
        var job = "metrics-" + Guid.NewGuid().ToString("N");
        var source = new PausableRangeSource(1_000) { PauseAt = 100 };
        var env = StreamEnvironment.Create(new JobOptions { JobName = job });
        env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.Zero), "Range").Uid("range")
            .Map(x => x + 1, "Increment").Uid("inc")
            .ForEach(_ => { }).Uid("sink");
        var measured = new List<(string Instrument, string Operator, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == SluiceMetrics.Meter && instrument.Name is "sluice.operator.records_in" or "sluice.operator.records_out" or "sluice.operator.watermark")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var t = tags.ToArray();
            if (t.Any(x => x.Key == "job" && (string?)x.Value == job))
            {
                measured.Add((instrument.Name, (string)t.First(x => x.Key == "operator").Value!, value));
            }
        }
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        var client = env.Start();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        listener.RecordObservableInstruments();
        client.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());

        measured.ShouldContain(("sluice.operator.records_out", "Range", 100.0));
        measured.ShouldContain(("sluice.operator.records_out", "Increment", 100.0));
        measured.ShouldContain(("sluice.operator.records_in", "Increment", 100.0));
        // Watermarks are Unix seconds: records 0..99 carry timestamps 0..99 ms.
        measured.ShouldContain(m => m.Instrument == "sluice.operator.watermark" && m.Operator == "Increment" && m.Value >= 0 && m.Value < 0.1);
        measured.ShouldContain(m => m.Instrument == "sluice.operator.watermark" && m.Operator == "Range" && m.Value >= 0 && m.Value < 0.1, "a source reports the watermark it emitted");
        measured.ShouldNotContain(m => m.Instrument == "sluice.operator.records_in" && m.Operator == "Range", "a source has no input");
    }

    [Fact]
    public async Task Meter_EveryInstrumentOfAJob_IsTaggedWithTheJobNameAndId()
    {
        var job = "tagged-" + Guid.NewGuid().ToString("N");
        var dir = Path.Combine(Path.GetTempPath(), job);
        try
        {
            var source = new PausableRangeSource(1_000) { PauseAt = 100 };
            var env = StreamEnvironment.Create(new JobOptions { JobName = job, Parallelism = 2, Checkpoints = Checkpoints.CheckpointOptions.InDirectory(dir, TimeSpan.FromHours(1)) });
            env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.Zero), "Range").Uid("range")
                .Map(x => x % 50, "Mod").Uid("mod")
                .KeyBy(x => x).Deduplicate(TimeSpan.FromHours(1)).Uid("dedup") // records 50..99 repeat 0..49: dropped
                .ForEach(_ => { }).Uid("sink");
            var measured = new List<(string Instrument, string? JobId)>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == SluiceMetrics.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var t = tags.ToArray();
                if (t.Any(x => x.Key == "job" && (string?)x.Value == job))
                {
                    lock (measured)
                    {
                        measured.Add((instrument.Name, (string?)t.FirstOrDefault(x => x.Key == "job.id").Value));
                    }
                }
            }
            listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
            listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
            listener.Start();

            var client = await source.StartAndCheckpointAtPauseAsync(env);
            listener.RecordObservableInstruments();
            client.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());

            lock (measured)
            {
                // The sink's latency sample comes with its next step after the completion, so it may or may not be here yet.
                measured.Select(m => m.Instrument).Where(i => i != "sluice.latency.event_to_commit").Distinct().Order(StringComparer.Ordinal).ShouldBe([
                    "sluice.checkpoint.alignment", "sluice.checkpoint.duration", "sluice.checkpoint.last_completed_id", "sluice.checkpoint.size",
                    "sluice.operator.records_in", "sluice.operator.records_out", "sluice.operator.watermark", "sluice.records.dropped",
                    "sluice.source.watermark_lag", "sluice.task.backpressured_time", "sluice.task.busy_time", "sluice.task.idle_time",
                ]);
                measured.ShouldAllBe(m => m.JobId == client.Id.ToString(), "every measurement tagged with the job's name carries its id");
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Meter_SideOutputNobodyConsumes_DroppedRecordsNameTheJobAndTheOperator()
    {
        var job = "unrouted-" + Guid.NewGuid().ToString("N");
        var env = StreamEnvironment.Create(new JobOptions { JobName = job, Mode = ExecutionMode.Deterministic });
        env.FromCollection(Enumerable.Range(0, 5)).Process(new EmitToSide(), "Splitter").ForEach(_ => { });
        var dropped = new List<Dictionary<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == SluiceMetrics.Meter && instrument.Name == "sluice.records.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(x => x.Key, x => x.Value);
            if (t.TryGetValue("job", out var name) && (string?)name == job)
            {
                lock (dropped)
                {
                    dropped.Add(t);
                }
            }
        });
        listener.Start();

        var client = env.Start();
        await client.Completion.OrTimeout();

        dropped.Count.ShouldBe(5);
        dropped[0]["job.id"].ShouldBe(client.Id.ToString());
        dropped[0]["operator"].ShouldBe("Splitter");
        dropped[0]["reason"].ShouldBe("side output 'nobody-reads-this' has no consumer");
    }

    private sealed class EmitToSide : ProcessFunction<int, int>
    {
        private static readonly OutputTag<int> s_side = new("nobody-reads-this");

        public override void ProcessElement(int value, ProcessContext context, ICollector<int> output)
        {
            context.Output(s_side, value);
            output.Collect(value);
        }
    }
}
