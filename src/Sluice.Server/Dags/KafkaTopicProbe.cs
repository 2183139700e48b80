using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Sluice.Orchestration;

namespace Sluice.Server.Dags;

/// <summary>
/// <see cref="ITopicProbe"/> on a Kafka cluster: the topic's partitions from metadata (without creating the topic),
/// every partition's high watermark (one <c>ListOffsets</c> request for all of them) and, for an event time, whether one of the
/// partition's newest records (the last <see cref="NewestRecords"/> before the high watermark) has a timestamp at or
/// after it: the partition's newest record time ≥ the threshold. (Reading the tail instead of <c>OffsetsForTimes</c>
/// also works on librdkafka's mock cluster, which has no timestamp index.) A missing topic or partition is a <see cref="TopicProbeException"/>; a cluster that
/// does not answer is an ordinary error (the sensor pokes again). One short-lived client per poke; thread-safe.
/// </summary>
internal sealed class KafkaTopicProbe : ITopicProbe
{
    /// <summary>How many records before the high watermark are read for the newest timestamp (transaction markers take offsets too).</summary>
    private const int NewestRecords = 16;

    /// <summary>How long one metadata or offsets request may take.</summary>
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    public Task<IReadOnlyList<TopicPartitionPosition>> ProbeAsync(TopicProbeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The client calls block (each bounded by the request timeout); the sensor's timeout stops the wait.
        return Task.Run(() => Probe(request), cancellationToken).WaitAsync(cancellationToken);
    }

    private static IReadOnlyList<TopicPartitionPosition> Probe(TopicProbeRequest request)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = request.BootstrapServers,
            GroupId = "sluice-topic-sensor",
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
            EnablePartitionEof = true,
        };
        // Client errors (a broker down, a refused fetch) are kept: a poke that then cannot answer names them.
        var errors = new ConcurrentQueue<Error>();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, e) => errors.Enqueue(e)).Build();
        // An admin client on the consumer's handle: its metadata requests do not auto-create the topic (a producer's would).
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(request.Topic, s_requestTimeout);
        var topic = metadata.Topics.FirstOrDefault(t => t.Topic == request.Topic);
        if (topic is null || topic.Error.Code == ErrorCode.UnknownTopicOrPart || (!topic.Error.IsError && topic.Partitions.Count == 0))
        {
            throw new TopicProbeException($"There is no {request.Describe()}: create it or fix 'topic'.");
        }
        if (topic.Error.IsError)
        {
            throw new KafkaException(topic.Error);
        }
        var partitions = topic.Partitions.Select(p => p.PartitionId).Order().ToList();
        if (request.Partition is { } wanted && !partitions.Contains(wanted))
        {
            throw new TopicProbeException($"The {request.Describe()} has no partition {wanted} (it has {partitions.Count}: 0-{partitions.Count - 1}).");
        }
        var selected = partitions.Where(p => request.Partition is null || request.Partition == p).Select(p => new TopicPartition(request.Topic, p)).ToList();
        // Every partition's watermarks in one ListOffsets request each (latest, and earliest when the tail is read),
        // both in flight at once, rather than two requests per partition one after the other.
        var latest = Offsets(admin, selected, OffsetSpec.Latest());
        var earliest = request.EventTime is null ? null : Offsets(admin, selected, OffsetSpec.Earliest());
        var high = Wait(latest);
        var low = earliest is null ? null : Wait(earliest);
        var positions = new List<TopicPartitionPosition>(selected.Count);
        foreach (var topicPartition in selected)
        {
            var end = high[topicPartition.Partition.Value];
            var atEventTime = request.EventTime is { } eventTime && low![topicPartition.Partition.Value] is var start && end > start
                ? NewestAtOrAfter(consumer, topicPartition, Math.Max(start, end - NewestRecords), end, eventTime, errors)
                : null;
            positions.Add(new TopicPartitionPosition(topicPartition.Partition.Value, end, atEventTime));
        }
        return positions;
    }

    private static Task<ListOffsetsResult> Offsets(IAdminClient admin, List<TopicPartition> partitions, OffsetSpec spec) =>
        admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = s_requestTimeout });

    /// <summary>The offsets of a ListOffsets request by partition; a partition's error throws (naming it).</summary>
    private static Dictionary<int, long> Wait(Task<ListOffsetsResult> request)
    {
        ListOffsetsResult result;
        try
        {
            result = request.GetAwaiter().GetResult();
        }
        catch (ListOffsetsException e)
        {
            var failed = e.Result.ResultInfos.Select(i => i.TopicPartitionOffsetError).Where(t => t.Error.IsError)
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"partition {t.Partition.Value}: {t.Error.Reason}"));
            throw new KafkaException(new Error(e.Error.Code, $"The offsets of Kafka topic partitions could not be listed ({string.Join("; ", failed.DefaultIfEmpty(e.Error.Reason))})."));
        }
        var offsets = new Dictionary<int, long>(result.ResultInfos.Count);
        foreach (var info in result.ResultInfos)
        {
            offsets[info.TopicPartitionOffsetError.Partition.Value] = info.TopicPartitionOffsetError.Offset.Value;
        }
        return offsets;
    }

    /// <summary>The time left until <paramref name="deadline"/>, or null when it passed (never a negative wait).</summary>
    internal static TimeSpan? Remaining(DateTime deadline, DateTime now) => deadline > now ? deadline - now : null;

    private static string Errors(ConcurrentQueue<Error> errors) =>
        errors.IsEmpty ? "" : $" (client errors: {string.Join("; ", errors.Select(e => $"{e.Code}: {e.Reason}").Distinct(StringComparer.Ordinal))})";

    /// <summary>The offset of a record in [<paramref name="from"/>, <paramref name="high"/>) stamped at or after <paramref name="eventTime"/>, or null.</summary>
    /// <exception cref="TimeoutException">The records were not read within the request timeout (names the client's errors seen meanwhile).</exception>
    private static long? NewestAtOrAfter(IConsumer<Ignore, Ignore> consumer, TopicPartition partition, long from, long high, DateTimeOffset eventTime, ConcurrentQueue<Error> errors)
    {
        consumer.Assign(new TopicPartitionOffset(partition, from));
        try
        {
            var deadline = DateTime.UtcNow + s_requestTimeout;
            long? found = null;
            while (true)
            {
                // Computed once and checked: a remaining time that went negative between a check and the call would
                // reach librdkafka as -1 ms, which means "wait forever".
                var remaining = Remaining(deadline, DateTime.UtcNow);
                var result = remaining is { } wait ? consumer.Consume(wait) : null;
                if (result is null)
                {
                    // Not the end of the partition: the records could not be read in time. Saying "no record yet" here
                    // would hide a broken cluster behind a sensor that waits until its timeout.
                    throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                        $"The newest records of partition {partition.Partition.Value} of Kafka topic '{partition.Topic}' (offsets {from}-{high - 1}) could not be read within {s_requestTimeout.TotalSeconds:0} s{Errors(errors)}."));
                }
                if (result.IsPartitionEOF)
                {
                    break;
                }
                if (result.Message.Timestamp.UnixTimestampMs >= eventTime.ToUnixTimeMilliseconds())
                {
                    found = result.Offset.Value;
                }
                if (result.Offset.Value >= high - 1)
                {
                    break;
                }
            }
            return found;
        }
        finally
        {
            consumer.Unassign();
        }
    }
}
