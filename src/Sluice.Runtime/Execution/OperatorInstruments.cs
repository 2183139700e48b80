using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sluice.Runtime.Execution;

/// <summary>
/// The per-operator instruments on the <see cref="SluiceMetrics.Meter"/>, observed from every running job when a
/// listener collects (nothing is recorded on the hot path): <c>sluice.operator.records_in</c>,
/// <c>sluice.operator.records_out</c> (counters, reset by a restart) and <c>sluice.operator.watermark</c> (gauge, Unix
/// ms), tagged <c>job</c> (name), <c>job.id</c>, <c>operator</c> and <c>subtask</c>.
/// </summary>
internal static class OperatorInstruments
{
    private static readonly ConcurrentDictionary<JobClient, byte> s_live = new();

    static OperatorInstruments()
    {
        var meter = SluiceMetrics.Meter;
        meter.CreateObservableCounter("sluice.operator.records_in", () => Observe(static m => m.IsSource ? null : m.RecordsIn), "records",
            "Records handed to an operator subtask since its job's current attempt started.");
        meter.CreateObservableCounter("sluice.operator.records_out", () => Observe(static m => m.RecordsOut), "records",
            "Records an operator subtask emitted on its main output since its job's current attempt started.");
        meter.CreateObservableGauge("sluice.operator.watermark", () => Observe(static m => m.Watermark == long.MinValue ? null : m.Watermark), "ms",
            "An operator subtask's current event-time watermark (Unix ms).");
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
}
