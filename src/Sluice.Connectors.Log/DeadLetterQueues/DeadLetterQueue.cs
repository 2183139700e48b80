using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// The dead-letter queues of an embedded log: the one implementation behind <c>sluice dlq</c>, the server's REST API
/// (<c>/api/dlq</c>) and the dashboard's browser. Lists the dead-letter topics (<c>&lt;source&gt;.dlq</c>) with counts
/// by reason, kind and rule; reads filtered pages of dead letters; counts them; and replays chosen ones into their
/// origin topic (or another), idempotently (see <see cref="Replay"/>). Records are read as
/// <see cref="DeadLetterEnvelope"/>s (layouts 1 and 2).
/// </summary>
/// <remarks>
/// Thread-safety: stateless over the <see cref="PartitionedLog"/>, whose reads and appends are thread-safe; replays
/// into the same target topic are serialized per log (see <see cref="Replay"/>). Failures the caller can fix are
/// <see cref="DeadLetterQueueException"/>s naming the topic, partition, offset or parameter. The log stays the caller's.
/// </remarks>
/// <param name="log">The open log.</param>
public sealed partial class DeadLetterQueue(PartitionedLog log)
{
    /// <summary>The most records one summary, count or page request reads per topic, so a huge topic cannot stall a server.</summary>
    public const int MaxScannedRecords = 100_000;

    /// <summary>The default and the largest page size of <see cref="ReadPage"/>.</summary>
    public const int DefaultLimit = 100, MaxLimit = 1000;

    /// <summary>The kind a record that is no dead letter of a known layout is listed with.</summary>
    public const string UnreadableKind = "unreadable";

    /// <summary>Dead letters are read committed: a letter of an aborted transaction (a sink's attempt that failed) is not one.</summary>
    private static readonly FetchOptions s_committed = new(MaxRecords: 1000, Isolation: IsolationLevel.ReadCommitted);

    /// <summary>The log read and appended to.</summary>
    public PartitionedLog Log { get; } = log ?? throw new ArgumentNullException(nameof(log));

    /// <summary>Every dead-letter topic with its record count and counts by reason, kind and rule (at most <see cref="MaxScannedRecords"/> read per topic).</summary>
    public DeadLetterTopicList ListTopics()
    {
        var topics = new List<DeadLetterTopicSummary>();
        foreach (var topic in Log.ListTopics())
        {
            if (DeadLetters.IsDeadLetterTopic(topic.Name))
            {
                var stats = Count(topic, DeadLetterFilter.All);
                long retained = 0;
                foreach (var partition in topic.Partitions)
                {
                    retained += partition.EndOffset - partition.LogStartOffset;
                }
                topics.Add(new DeadLetterTopicSummary(topic.Name, OriginOf(topic.Name), stats.Complete ? stats.Records : retained, stats.Reasons, stats.Complete, stats.Kinds, stats.Rules));
            }
        }
        return new DeadLetterTopicList(topics);
    }

    /// <summary>Counts the dead letters of <paramref name="name"/> (the dead-letter topic, or the topic it serves) that <paramref name="filter"/> selects, by reason, kind, rule and hour.</summary>
    /// <exception cref="DeadLetterQueueException">No such dead-letter topic.</exception>
    public DeadLetterStats Stats(string name, DeadLetterFilter? filter = null) => Count(Resolve(name), filter ?? DeadLetterFilter.All);

    /// <summary>
    /// A page of the dead letters of <paramref name="name"/> (the dead-letter topic, or the topic it serves):
    /// partitions in order, each from offset <paramref name="from"/> (or its log start, if later), keeping the records
    /// <paramref name="filter"/> selects, until <paramref name="limit"/> records.
    /// </summary>
    /// <exception cref="DeadLetterQueueException">No such dead-letter topic or partition; a parameter is out of range.</exception>
    public DeadLetterPage ReadPage(string name, DeadLetterFilter? filter = null, long from = 0, int limit = DefaultLimit, int? partition = null)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The limit {limit} is out of range: give 1-{MaxLimit}.");
        }
        var records = Select(name, filter, from, limit, partition, MaxScannedRecords, out var more);
        var topic = Resolve(name).Name;
        return new DeadLetterPage(topic, OriginOf(topic), records, more);
    }

    /// <summary>
    /// The dead letters of <paramref name="name"/> that <paramref name="filter"/> selects, by partition then offset,
    /// each partition from offset <paramref name="from"/>, at most <paramref name="max"/> of them (no page-size cap:
    /// <c>sluice dlq</c> and replay use it). <paramref name="more"/> says whether more matched.
    /// </summary>
    /// <exception cref="DeadLetterQueueException">No such dead-letter topic or partition; a parameter is out of range.</exception>
    public IReadOnlyList<DeadLetterRecord> Select(string name, DeadLetterFilter? filter, long from, int max, int? partition, out bool more) =>
        Select(name, filter, from, max, partition, long.MaxValue, out more);

    private IReadOnlyList<DeadLetterRecord> Select(string name, DeadLetterFilter? filter, long from, int max, int? partition, long scanLimit, out bool more)
    {
        filter ??= DeadLetterFilter.All;
        if (max < 1)
        {
            throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The maximum {max} is out of range: give 1 or more.");
        }
        if (from < 0)
        {
            throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The offset from={from} is negative: give 0 or more.");
        }
        var topic = Resolve(name);
        if (partition is { } p && (uint)p >= (uint)topic.PartitionCount)
        {
            throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The dead-letter topic '{topic.Name}' has partitions 0-{topic.PartitionCount - 1}, not partition {p}.");
        }
        var records = new List<DeadLetterRecord>(Math.Min(max, 64));
        more = false;
        long scanned = 0;
        using var fetch = new FetchResult();
        for (var index = partition ?? 0; index < (partition + 1 ?? topic.PartitionCount) && !more; index++)
        {
            var partitionLog = topic.GetPartition(index);
            var offset = Math.Max(from, partitionLog.LogStartOffset);
            while (offset < partitionLog.EndOffset && !more)
            {
                partitionLog.Fetch(offset, s_committed, fetch);
                if (fetch.NextOffset == offset)
                {
                    break;
                }
                foreach (var record in fetch)
                {
                    if (++scanned > scanLimit)
                    {
                        more = true;
                        break;
                    }
                    var decoded = Decode(topic.Name, index, record);
                    if (!filter.Matches(decoded))
                    {
                        continue;
                    }
                    if (records.Count == max)
                    {
                        more = true;
                        break;
                    }
                    records.Add(decoded);
                }
                offset = fetch.NextOffset;
            }
        }
        return records;
    }

    /// <summary>
    /// A reason with every run of digits written <c>#</c> (<c>line 12: field 'id' is missing.</c> →
    /// <c>line #: field 'id' is missing.</c>), so reasons that differ only in a line number or offset count together.
    /// </summary>
    public static string ReasonPattern(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var digits = reason.AsSpan().IndexOfAnyInRange('0', '9');
        if (digits < 0)
        {
            return reason;
        }
        var pattern = new StringBuilder(reason.Length);
        pattern.Append(reason, 0, digits);
        for (var i = digits; i < reason.Length; i++)
        {
            if (char.IsAsciiDigit(reason[i]))
            {
                if (i == 0 || !char.IsAsciiDigit(reason[i - 1]))
                {
                    pattern.Append('#');
                }
            }
            else
            {
                pattern.Append(reason[i]);
            }
        }
        return pattern.ToString();
    }

    /// <summary>The topic <paramref name="deadLetterTopic"/> serves: its name without <c>.dlq</c>.</summary>
    public static string OriginOf(string deadLetterTopic)
    {
        ArgumentNullException.ThrowIfNull(deadLetterTopic);
        return DeadLetters.IsDeadLetterTopic(deadLetterTopic) ? deadLetterTopic[..^DeadLetters.TopicSuffix.Length] : deadLetterTopic;
    }

    /// <summary>The dead-letter topic <paramref name="name"/> names: itself when it ends in <c>.dlq</c>, else its dead-letter topic.</summary>
    private TopicLog Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var dlq = DeadLetters.IsDeadLetterTopic(name) ? name : DeadLetters.TopicFor(name);
        return Log.TryGetTopic(dlq, out var topic)
            ? topic
            : throw new DeadLetterQueueException(DeadLetterQueueError.NotFound, $"There is no dead-letter topic '{dlq}': no record meant for '{OriginOf(dlq)}' has been dead-lettered.");
    }

    private static DeadLetterStats Count(TopicLog topic, DeadLetterFilter filter)
    {
        long selected = 0;
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        var rules = new Dictionary<string, long>(StringComparer.Ordinal);
        var hours = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var complete = Scan(topic, filter, letter =>
        {
            selected++;
            Increment(reasons, ReasonPattern(letter.Reason));
            Increment(kinds, letter.Kind);
            if (letter.Rule is { } rule)
            {
                Increment(rules, rule);
            }
            var hour = DateTimeOffset.FromUnixTimeMilliseconds(letter.Time - (((letter.Time % 3_600_000) + 3_600_000) % 3_600_000));
            var hourKey = hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);
            hours[hourKey] = hours.GetValueOrDefault(hourKey) + 1;
        });
        var byReason = new List<DeadLetterReasonCount>(reasons.Count);
        foreach (var (reason, count) in reasons)
        {
            byReason.Add(new DeadLetterReasonCount(reason, count));
        }
        byReason.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Reason, b.Reason));
        var byHour = new List<DeadLetterCount>(hours.Count);
        foreach (var (hour, count) in hours)
        {
            byHour.Add(new DeadLetterCount(hour, count));
        }
        return new DeadLetterStats(topic.Name, selected, byReason, Sorted(kinds), Sorted(rules), byHour, complete);
    }

    private static void Increment(Dictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static List<DeadLetterCount> Sorted(Dictionary<string, long> counts)
    {
        var list = new List<DeadLetterCount>(counts.Count);
        foreach (var (name, count) in counts)
        {
            list.Add(new DeadLetterCount(name, count));
        }
        list.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>Decodes a record of a dead-letter topic; one that is no dead letter of a known layout becomes an <see cref="UnreadableKind"/> record whose reason says why.</summary>
    /// <summary>
    /// Reads <paramref name="topic"/>'s dead letters in partition and offset order, at most
    /// <see cref="MaxScannedRecords"/> records, and hands those <paramref name="filter"/> selects to
    /// <paramref name="visit"/>. Returns false when it stopped at the limit with records left unread.
    /// </summary>
    private static bool Scan(TopicLog topic, DeadLetterFilter filter, Action<DeadLetterRecord> visit)
    {
        var scanned = 0;
        using var fetch = new FetchResult();
        foreach (var partition in topic.Partitions)
        {
            var offset = partition.LogStartOffset;
            while (offset < partition.EndOffset)
            {
                partition.Fetch(offset, s_committed, fetch);
                if (fetch.NextOffset == offset)
                {
                    break;
                }
                foreach (var record in fetch)
                {
                    if (++scanned > MaxScannedRecords)
                    {
                        return false;
                    }
                    var letter = Decode(topic.Name, partition.Partition, record);
                    if (filter.Matches(letter))
                    {
                        visit(letter);
                    }
                }
                offset = fetch.NextOffset;
            }
        }
        return true;
    }

    internal static DeadLetterRecord Decode(string topic, int partition, LogRecordView record)
    {
        var (key, keyEncoding) = record.HasKey ? Text(record.Key) : (null, null);
        var (payload, payloadEncoding) = record.HasValue ? Text(record.Value) : (null, null);
        var message = new MessageView(topic, partition, record.Offset, record.TimestampMs, MessageTimestampType.LogAppendTime,
            record.Key, record.HasKey, record.Value, record.HasValue, LogHeaderAccessor.Instance, record.EncodedHeaders);
        if (!DeadLetterEnvelope.Read(message, out var letter, out var error))
        {
            return new DeadLetterRecord(partition, record.Offset, record.TimestampMs, error.Reason, OriginOf(topic), null, null,
                key, keyEncoding, payload, payloadEncoding, UnreadableKind, null, null, null, null, null, null, null, null, 1);
        }
        var origin = letter.Origin;
        return new DeadLetterRecord(
            partition,
            record.Offset,
            record.TimestampMs,
            letter.Reason,
            origin?.Topic ?? OriginOf(topic),
            letter.Job,
            letter.Position.Length == 0 ? null : letter.Position,
            key,
            keyEncoding,
            payload,
            payloadEncoding,
            DeadLetterEnvelope.KindName(letter.Kind),
            letter.Rule,
            letter.Operator,
            message.TryGetHeader(DeadLetterEnvelope.SourceHeader, out _) ? letter.Source : null,
            letter.FieldPath,
            origin is { HasPosition: true } o ? o.Partition : null,
            origin is { HasPosition: true } p ? p.Offset : null,
            letter.EventTime == EventTime.NoTimestamp ? null : letter.EventTime,
            message.TryGetHeader(DeadLetterEnvelope.IngestTimeHeader, out _) ? letter.IngestTime : null,
            letter.Attempt);
    }

    private static (string Text, string Encoding) Text(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? (Encoding.UTF8.GetString(bytes), "utf8") : (Convert.ToBase64String(bytes), "base64");
}
