using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sluice.Log;

namespace Sluice.Server.Metrics;

/// <summary>
/// <c>sluice.log.consumer_lag</c> on the <see cref="SluiceMetrics.Meter"/>: for every consumer group of every tracked
/// embedded log, per partition it committed on, the end offset − the committed offset (<see cref="PartitionedLog.DescribeGroup"/>),
/// read when a listener collects. Tagged <c>group</c>, <c>topic</c>, <c>partition</c>. A server tracks its log while it
/// runs. Thread-safe.
/// </summary>
internal static class LogConsumerLagInstruments
{
    private static readonly ConcurrentDictionary<PartitionedLog, byte> s_logs = new();

    static LogConsumerLagInstruments() =>
        SluiceMetrics.Meter.CreateObservableGauge("sluice.log.consumer_lag", Observe, "{record}",
            "Records between an embedded-log partition's end and a consumer group's committed offset.");

    /// <summary>Reports <paramref name="log"/>'s groups until <see cref="Untrack"/>.</summary>
    public static void Track(PartitionedLog log) => s_logs[log] = 0;

    /// <summary>Stops reporting <paramref name="log"/> (before it is disposed).</summary>
    public static void Untrack(PartitionedLog log) => s_logs.TryRemove(log, out _);

    private static List<Measurement<long>> Observe()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var log in s_logs.Keys)
        {
            try
            {
                foreach (var group in log.Groups.ListGroups())
                {
                    foreach (var lag in log.DescribeGroup(group))
                    {
                        measurements.Add(new Measurement<long>(lag.Lag, new("group", lag.Group), new("topic", lag.Topic), new("partition", lag.Partition)));
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                // The server stopped between the listing and the read: its log has no lag to report any more.
            }
        }
        return measurements;
    }
}
