using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Sluice.Orchestration;

namespace Sluice.Server.Dags;

/// <summary>
/// <see cref="ITopicProbe"/> on a Kafka cluster: the topic's partitions from metadata (without creating the topic),
/// every partition's high watermark (one <c>ListOffsets</c> call for all of them, a request per leader broker) and, for an event time, whether one of the
/// partition's newest committed records (the last <see cref="NewestRecords"/> before the last stable offset) has a timestamp at or
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
        // Every partition's offsets in one ListOffsets call each (the client sends a request per leader broker), all in
        // flight at once: the high watermark (read uncommitted) is the reported end. With an event time, the tail read
        // ends at the last stable offset (read committed): with an open transaction the high watermark lies past it, and
        // the read-committed consumer would never reach it (no end of partition, a timeout on every poke).
        var latest = Offsets(admin, selected, OffsetSpec.Latest(), IsolationLevel.ReadUncommitted);
        var stable = request.EventTime is null ? null : Offsets(admin, selected, OffsetSpec.Latest(), IsolationLevel.ReadCommitted);
        var earliest = request.EventTime is null ? null : Offsets(admin, selected, OffsetSpec.Earliest(), IsolationLevel.ReadCommitted);
        var all = new[] { latest, stable, earliest }.OfType<Task<ListOffsetsResult>>().ToList();
        try
        {
            // Every request awaited, so none's fault goes unobserved; each one's error is then thrown by Wait (naming it).
            Task.WhenAll(all).GetAwaiter().GetResult();
        }
        catch (ListOffsetsException)
        {
        }
        var high = Wait(latest, request.Topic);
        var lastStable = stable is null ? null : Wait(stable, request.Topic);
        var low = earliest is null ? null : Wait(earliest, request.Topic);
        var positions = new List<TopicPartitionPosition>(selected.Count);
        foreach (var topicPartition in selected)
        {
            var end = high[topicPartition.Partition.Value];
            var atEventTime = request.EventTime is { } eventTime && low![topicPartition.Partition.Value] is var start
                && Math.Min(lastStable![topicPartition.Partition.Value], end) is var readEnd && readEnd > start
                ? NewestAtOrAfter(consumer, topicPartition, Math.Max(start, readEnd - NewestRecords), readEnd, eventTime, errors)
                : null;
            positions.Add(new TopicPartitionPosition(topicPartition.Partition.Value, end, atEventTime));
        }
        return positions;
    }

    private static Task<ListOffsetsResult> Offsets(IAdminClient admin, List<TopicPartition> partitions, OffsetSpec spec, IsolationLevel isolation) =>
        admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = s_requestTimeout, IsolationLevel = isolation });

    /// <summary>The offsets of a (completed) ListOffsets call by partition; a partition's error throws (naming the topic and it).</summary>
    private static Dictionary<int, long> Wait(Task<ListOffsetsResult> request, string topic)
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
            throw new KafkaException(new Error(e.Error.Code, $"The offsets of Kafka topic '{topic}' could not be listed ({string.Join("; ", failed.DefaultIfEmpty(e.Error.Reason))})."), e);
        }
        var offsets = new Dictionary<int, long>(result.ResultInfos.Count);
        foreach (var info in result.ResultInfos)
        {
            offsets[info.TopicPartitionOffsetError.Partition.Value] = info.TopicPartitionOffsetError.Offset.Value;
        }
        return offsets;
    }

    /// <summary>
    /// The time left until <paramref name="deadline"/>, or null when it passed (never a negative wait); both in
    /// milliseconds of a monotonic clock (<see cref="Environment.TickCount64"/>), which a wall-clock step cannot move.
    /// </summary>
    internal static TimeSpan? Remaining(long deadline, long now) => deadline > now ? TimeSpan.FromMilliseconds(deadline - now) : null;

    private static string Errors(ConcurrentQueue<Error> errors) =>
        errors.IsEmpty ? "" : $" (client errors: {string.Join("; ", errors.Select(e => $"{e.Code}: {e.Reason}").Distinct(StringComparer.Ordinal))})";

    /// <summary>The offset of a record in [<paramref name="from"/>, <paramref name="high"/>) stamped at or after <paramref name="eventTime"/>, or null.</summary>
    /// <exception cref="TimeoutException">The records were not read within the request timeout (names the client's errors seen meanwhile).</exception>
    private static long? NewestAtOrAfter(IConsumer<Ignore, Ignore> consumer, TopicPartition partition, long from, long high, DateTimeOffset eventTime, ConcurrentQueue<Error> errors)
    {
        // Only this partition's read is reported with its errors, not an earlier partition's.
        errors.Clear();
        consumer.Assign(new TopicPartitionOffset(partition, from));
        try
        {
            var deadline = Environment.TickCount64 + (long)s_requestTimeout.TotalMilliseconds;
            long? found = null;
            while (true)
            {
                // Computed once and checked: a remaining time that went negative between a check and the call would
                // reach librdkafka as -1 ms, which means "wait forever".
                var remaining = Remaining(deadline, Environment.TickCount64);
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
