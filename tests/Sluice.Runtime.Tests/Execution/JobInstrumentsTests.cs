using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// The instruments the server exports, as the runtime records them: task time (busy, backpressured, idle), restarts,
/// event-time latency at the sink's commit, and the checkpoint traces.
/// </summary>
public class JobInstrumentsTests
{
    [Fact]
    public async Task TaskTime_SinkBlocksInUserCode_SourceIsBackpressuredAndSinkBusy()
    {
        var job = "backpressure-" + Guid.NewGuid().ToString("N");
        using var release = new ManualResetEventSlim();
        using var blocked = new ManualResetEventSlim();
        var env = StreamEnvironment.Create(new JobOptions { JobName = job, BatchSize = 16, ChannelCapacity = 2 });
        // The map runs at parallelism 2, so it is a task of its own behind an exchange from the source.
        env.FromCollection(Enumerable.Range(0, 1_000_000))
            .Map(x => { release.Wait(); return x; }, "Stuck").SetParallelism(2)
            .ForEach(_ => { });
        var client = env.Start(c => c.ProducerBlocked += _ => blocked.Set());
        try
        {
            blocked.WaitOrFail("the source to block on the full channel to the sink");

            var time = MeasureTaskTime(job);

            time.ShouldContain(t => t.Instrument == "sluice.task.backpressured_time" && t.Task == "Collection" && t.Seconds > 0);
            time.ShouldContain(t => t.Instrument == "sluice.task.busy_time" && t.Task == "Stuck" && t.Seconds > 0, "time inside the sink's function is busy time");
            time.Where(t => t.Task == "Collection" && t.Instrument == "sluice.task.busy_time").ShouldAllBe(t => t.Seconds >= 0);
        }
        finally
        {
            release.Set();
            client.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        }
    }

    [Fact]
    public async Task GetTaskTimes_SinkBlocksInUserCode_SourceTaskIsBackpressured()
    {
        using var release = new ManualResetEventSlim();
        using var blocked = new ManualResetEventSlim();
        var env = StreamEnvironment.Create(new JobOptions { BatchSize = 16, ChannelCapacity = 2 });
        env.FromCollection(Enumerable.Range(0, 1_000_000))
            .Map(x => { release.Wait(); return x; }, "Stuck").SetParallelism(2)
            .ForEach(_ => { });
        var client = env.Start(c => c.ProducerBlocked += _ => blocked.Set());
        try
        {
            blocked.WaitOrFail("the source to block on the full channel to the map");

            var times = client.GetTaskTimes();

            times.Select(t => (t.Task, t.Subtask)).ShouldBe([("Collection", 0), ("Stuck", 0), ("Stuck", 1), ("ForEach", 0)], ignoreOrder: true);
            var source = times.Single(t => t.Task == "Collection");
            source.Backpressured.ShouldBeGreaterThan(TimeSpan.Zero);
            source.BackpressuredRatio.ShouldBeInRange(0, 1);
            source.BackpressuredRatio.ShouldBeGreaterThan(0);
            source.Operators.Count.ShouldBe(1);
            times.Single(t => t.Task == "ForEach").Operators.Count.ShouldBe(1);
            times.Where(t => t.Task == "Stuck").Select(t => t.Operators.Single()).Distinct().Count().ShouldBe(1, "both subtasks run the same operator");
            times.ShouldAllBe(t => t.Busy >= TimeSpan.Zero && t.Idle >= TimeSpan.Zero);
        }
        finally
        {
            release.Set();
            client.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        }
    }

    [Fact]
    public async Task Restarts_AttemptFailsOnce_CountsOneRestartOfTheJob()
    {
        var job = "restarts-" + Guid.NewGuid().ToString("N");
        var restarts = new List<long>();
        using var listener = Listen("sluice.job.restarts", (value, tags) =>
        {
            if (Tag(tags, "job") == job)
            {
                lock (restarts)
                {
                    restarts.Add(value);
                }
            }
        });
        var failed = 0;
        var env = StreamEnvironment.Create(new JobOptions { JobName = job, Restart = RestartStrategy.FixedDelay(3, TimeSpan.Zero) });
        env.FromCollection([1, 2, 3]).Map(x => Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("first attempt") : x).Collect();

        var result = await env.ExecuteAsync().OrTimeout();

        result.Restarts.ShouldBe(1);
        lock (restarts)
        {
            restarts.ShouldBe([1L]);
        }
    }

    [Fact]
    public async Task EventToCommitLatency_CheckpointCommitsRecords_RecordsNowMinusTheOldestTimestamp()
    {
        var job = "latency-" + Guid.NewGuid().ToString("N");
        var dir = Path.Combine(Path.GetTempPath(), job);
        // Records 0..99 carry timestamps 0..99 ms; the clock stands at 10 s, so the oldest committed record is 10 s old.
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(10_000));
        var recorded = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == SluiceMetrics.Meter && instrument.Name == "sluice.latency.event_to_commit")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (Tag(tags, "job") == job && Tag(tags, "operator") == "ForEach")
            {
                recorded.TrySetResult(value);
            }
        });
        listener.Start();
        try
        {
            var source = new PausableRangeSource(1_000) { PauseAt = 100 };
            var env = StreamEnvironment.Create(new JobOptions
            {
                JobName = job,
                TimeProvider = clock,
                Checkpoints = CheckpointOptions.InDirectory(dir, TimeSpan.FromHours(1)),
            });
            env.FromSource(source, WatermarkStrategy<long>.NoWatermarks(), "Range").Uid("range").ForEach(_ => { }).Uid("sink");

            var client = await source.StartAndCheckpointAtPauseAsync(env);
            var latency = await recorded.Task.WaitAsync(TimeSpan.FromSeconds(30));
            client.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());

            latency.ShouldBe(10.0);
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
    public async Task Tracing_Checkpoint_ActivityFromTriggerToCompletionUnderTheAttemptAndTheJob()
    {
        var job = "traced-" + Guid.NewGuid().ToString("N");
        var dir = Path.Combine(Path.GetTempPath(), job);
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Sluice",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("job") == job)
                {
                    lock (stopped)
                    {
                        stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        try
        {
            var source = new PausableRangeSource(1_000) { PauseAt = 100 };
            var env = StreamEnvironment.Create(new JobOptions { JobName = job, Checkpoints = CheckpointOptions.InDirectory(dir, TimeSpan.FromHours(1)) });
            env.FromSource(source, WatermarkStrategy<long>.NoWatermarks(), "Range").Uid("range").ForEach(_ => { }).Uid("sink");

            var client = await source.StartAndCheckpointAtPauseAsync(env);
            client.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());

            lock (stopped)
            {
                var checkpoint = stopped.Single(a => a.OperationName == SluiceTracing.CheckpointActivity && a.Status != ActivityStatusCode.Error);
                checkpoint.GetTagItem("checkpoint.id").ShouldBe(1L);
                ((long)checkpoint.GetTagItem("checkpoint.size")!).ShouldBeGreaterThan(0);
                checkpoint.GetTagItem("job.id").ShouldBe(client.Id.ToString());
                var attempt = stopped.Single(a => a.OperationName == SluiceTracing.AttemptActivity);
                checkpoint.ParentSpanId.ShouldBe(attempt.SpanId);
                attempt.GetTagItem("attempt").ShouldBe(0);
                var run = stopped.Single(a => a.OperationName == SluiceTracing.JobActivity);
                attempt.ParentSpanId.ShouldBe(run.SpanId);
                run.GetTagItem("job.status").ShouldBe("Cancelled");
                run.Events.Select(e => e.Name).ShouldBe(["Running", "Cancelling", "Cancelled"]);
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

    private static List<(string Instrument, string Task, double Seconds)> MeasureTaskTime(string job)
    {
        var measured = new List<(string, string, double)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == SluiceMetrics.Meter && instrument.Name.StartsWith("sluice.task.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "job") == job)
            {
                measured.Add((instrument.Name, Tag(tags, "task")!, value));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }

    private static MeterListener Listen(string name, Action<long, ReadOnlySpan<KeyValuePair<string, object?>>> record)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == SluiceMetrics.Meter && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => record(value, tags));
        listener.Start();
        return listener;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }
        return null;
    }
}
