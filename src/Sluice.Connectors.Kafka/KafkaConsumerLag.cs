using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// The consumer lag of one Kafka source reader, per assigned partition, from librdkafka's statistics
/// (<c>statistics.interval.ms</c>, 10 s unless the consumer properties set it; <c>topics.*.partitions.*.consumer_lag</c>:
/// the high watermark − the consumer's committed offset, or its position when nothing is committed). Reported as the
/// <c>sluice.kafka.consumer_lag</c> gauge, tagged <c>job</c>, <c>job.id</c>, <c>operator</c>, <c>subtask</c>,
/// <c>group</c>, <c>topic</c>, <c>partition</c>, while the reader is open. <see cref="OnStatistics"/> runs on the
/// consumer's poll thread; the gauge reads the last figures from any thread.
/// </summary>
internal sealed class KafkaConsumerLag
{
    /// <summary>The statistics interval used when the consumer properties do not set one (ms).</summary>
    public const string DefaultStatisticsIntervalMs = "10000";

    private static readonly ConcurrentDictionary<KafkaConsumerLag, byte> s_live = new();
    private readonly KeyValuePair<string, object?>[] _tags;
    private volatile PartitionLag[] _latest = [];

    static KafkaConsumerLag() =>
        SluiceMetrics.Meter.CreateObservableGauge("sluice.kafka.consumer_lag", Observe, "{message}",
            "Messages between a Kafka partition's high watermark and the source's committed offset (librdkafka's consumer_lag), per partition.");

    /// <param name="jobName">The job's name.</param>
    /// <param name="jobId">The job's id.</param>
    /// <param name="operatorName">The source's name.</param>
    /// <param name="subtask">The reader's subtask.</param>
    /// <param name="group">The consumer group.</param>
    public KafkaConsumerLag(string jobName, JobId jobId, string operatorName, int subtask, string group) =>
        _tags = [new("job", jobName), new("job.id", jobId.ToString()), new("operator", operatorName), new("subtask", subtask), new("group", group)];

    /// <summary>One partition's lag.</summary>
    public readonly record struct PartitionLag(string Topic, int Partition, long Lag);

    /// <summary>The figures of the last statistics (empty before the first).</summary>
    public IReadOnlyList<PartitionLag> Latest => _latest;

    /// <summary>Reports this reader's lag until <see cref="Untrack"/>.</summary>
    public void Track() => s_live[this] = 0;

    /// <summary>Stops reporting this reader's lag.</summary>
    public void Untrack() => s_live.TryRemove(this, out _);

    /// <summary>Takes the lag of every partition with a known lag (librdkafka reports −1 for unknown, and a partition −1 for internal use) from a statistics document.</summary>
    /// <param name="json">librdkafka's statistics JSON.</param>
    /// <remarks>A document that is not the expected shape leaves the last figures in place: statistics are diagnostics, never a reason to fail the job.</remarks>
    public void OnStatistics(string json)
    {
        if (Parse(json) is { } lags)
        {
            _latest = lags;
        }
    }

    /// <summary>The known lags in a statistics document, or null when it cannot be read.</summary>
    internal static PartitionLag[]? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var lags = new List<PartitionLag>();
            if (!document.RootElement.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Object)
            {
                return [];
            }
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions) || partitions.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                foreach (var partition in partitions.EnumerateObject())
                {
                    if (!int.TryParse(partition.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                        || !partition.Value.TryGetProperty("consumer_lag", out var lag) || !lag.TryGetInt64(out var value) || value < 0)
                    {
                        continue;
                    }
                    lags.Add(new PartitionLag(topic.Name, id, value));
                }
            }
            return [.. lags];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<Measurement<long>> Observe()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var reader in s_live.Keys)
        {
            var t = reader._tags;
            foreach (var lag in reader._latest)
            {
                measurements.Add(new Measurement<long>(lag.Lag, [t[0], t[1], t[2], t[3], t[4], new("topic", lag.Topic), new("partition", lag.Partition)]));
            }
        }
        return measurements;
    }
}
