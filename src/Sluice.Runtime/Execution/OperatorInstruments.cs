using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sluice.Runtime.Tasks;

namespace Sluice.Runtime.Execution;

/// <summary>
/// The observable instruments of running jobs on the <see cref="SluiceMetrics.Meter"/>, read from every tracked job
/// when a listener collects (nothing is recorded on the hot path; the tasks keep plain counts):
/// <list type="bullet">
/// <item>per operator subtask (tags <c>job</c>, <c>job.id</c>, <c>operator</c>, <c>subtask</c>):
/// <c>sluice.operator.records_in</c>, <c>sluice.operator.records_out</c>, <c>sluice.operator.late_records</c>
/// (counters, reset by a restart) and <c>sluice.operator.watermark</c> (gauge, Unix seconds);</item>
/// <item>per task, that is per chain subtask (tags <c>job</c>, <c>job.id</c>, <c>task</c>, <c>subtask</c>):
/// <c>sluice.task.busy_time</c>, <c>sluice.task.backpressured_time</c>, <c>sluice.task.idle_time</c> (counters,
/// seconds; parallel mode only);</item>
/// <item>per source split (tags <c>job</c>, <c>job.id</c>, <c>operator</c>, <c>subtask</c>, <c>split</c>):
/// <c>sluice.source.watermark_lag</c> (gauge, seconds: the job clock's now − the split's watermark; not reported for
/// a split without a watermark, idle or ended).</item>
/// </list>
/// </summary>
internal static class OperatorInstruments
{
    private static readonly ConcurrentDictionary<JobClient, byte> s_live = new();

    static OperatorInstruments()
    {
        var meter = SluiceMetrics.Meter;
        meter.CreateObservableCounter("sluice.operator.records_in", () => Observe(static m => m.IsSource ? null : m.RecordsIn), "{record}",
            "Records handed to an operator subtask since its job's current attempt started.");
        meter.CreateObservableCounter("sluice.operator.records_out", () => Observe(static m => m.RecordsOut), "{record}",
            "Records an operator subtask emitted on its main output since its job's current attempt started.");
        meter.CreateObservableCounter("sluice.operator.late_records", () => Observe(static m => m.LateRecords > 0 ? m.LateRecords : null), "{record}",
            "Records an operator subtask classified as late (behind its watermark) since its job's current attempt started.");
        meter.CreateObservableGauge("sluice.operator.watermark", ObserveWatermarks, "s",
            "An operator subtask's current event-time watermark (Unix seconds).");
        meter.CreateObservableCounter("sluice.task.busy_time", () => ObserveTaskTime(0), "s",
            "Time a task (an operator chain's subtask) spent working since its job's current attempt started.");
        meter.CreateObservableCounter("sluice.task.backpressured_time", () => ObserveTaskTime(1), "s",
            "Time a task spent blocked on a full output channel (backpressure) since its job's current attempt started.");
        meter.CreateObservableCounter("sluice.task.idle_time", () => ObserveTaskTime(2), "s",
            "Time a task spent waiting for input, timers or a trigger since its job's current attempt started.");
        meter.CreateObservableGauge("sluice.source.watermark_lag", ObserveWatermarkLag, "s",
            "How far a source split's watermark is behind the job's clock (now − watermark).");
    }

    /// <summary>Reports <paramref name="client"/>'s operators until its job ends.</summary>
    public static void Track(JobClient client)
    {
        s_live[client] = 0;
        client.Completion.ContinueWith(static (_, state) => s_live.TryRemove((JobClient)state!, out byte _), client, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>One measurement per operator subtask of every running job for which <paramref name="value"/> is not null.</summary>
    private static List<Measurement<long>> Observe(Func<OperatorMetrics, long?> value)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var client in s_live.Keys)
        {
            KeyValuePair<string, object?> job = new("job", client.JobName), jobId = new("job.id", client.Id.ToString());
            foreach (var m in client.GetOperatorMetrics())
            {
                if (value(m) is { } v)
                {
                    measurements.Add(new Measurement<long>(v, job, jobId, new("operator", m.Operator), new("subtask", m.Subtask)));
                }
            }
        }
        return measurements;
    }

    private static List<Measurement<double>> ObserveWatermarks()
    {
        var measurements = new List<Measurement<double>>();
        foreach (var client in s_live.Keys)
        {
            KeyValuePair<string, object?> job = new("job", client.JobName), jobId = new("job.id", client.Id.ToString());
            foreach (var m in client.GetOperatorMetrics())
            {
                // Before the first watermark, and after the final one (+∞), there is no time to report.
                if (m.Watermark != EventTime.MinWatermark && m.Watermark != EventTime.MaxWatermark)
                {
                    measurements.Add(new Measurement<double>(m.Watermark / 1000.0, job, jobId, new("operator", m.Operator), new("subtask", m.Subtask)));
                }
            }
        }
        return measurements;
    }

    /// <summary>Busy (0), backpressured (1) or idle (2) seconds of every task of every running job (parallel mode).</summary>
    private static List<Measurement<double>> ObserveTaskTime(int part)
    {
        var measurements = new List<Measurement<double>>();
        foreach (var client in s_live.Keys)
        {
            KeyValuePair<string, object?> job = new("job", client.JobName), jobId = new("job.id", client.Id.ToString());
            foreach (var task in client.CurrentTasks)
            {
                var (busy, backpressured, idle) = task.TimeTicks();
                if (busy + backpressured + idle == 0)
                {
                    continue; // Not measured: deterministic mode, or not started yet.
                }
                var ticks = part switch { 0 => busy, 1 => backpressured, _ => idle };
                measurements.Add(new Measurement<double>((double)ticks / Stopwatch.Frequency, job, jobId, new("task", task.Name), new("subtask", task.Subtask)));
            }
        }
        return measurements;
    }

    private static List<Measurement<double>> ObserveWatermarkLag()
    {
        var measurements = new List<Measurement<double>>();
        foreach (var client in s_live.Keys)
        {
            KeyValuePair<string, object?> job = new("job", client.JobName), jobId = new("job.id", client.Id.ToString());
            foreach (var task in client.CurrentTasks)
            {
                if (task.Head is not ISourceHead source)
                {
                    continue;
                }
                var context = task.Head.Context;
                var now = context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                for (var i = 0; i < source.SplitCount; i++)
                {
                    var watermark = source.SplitWatermark(i);
                    if (watermark == EventTime.MinWatermark || watermark == EventTime.MaxWatermark)
                    {
                        continue;
                    }
                    measurements.Add(new Measurement<double>(Math.Max(0, now - watermark) / 1000.0, job, jobId,
                        new("operator", context.OperatorName), new("subtask", task.Subtask), new("split", source.SplitName(i))));
                }
            }
        }
        return measurements;
    }
}
