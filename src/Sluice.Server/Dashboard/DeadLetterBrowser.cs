using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Sluice.Log;
using Sluice.Server.DeadLetters;

namespace Sluice.Server.Dashboard;

/// <summary>
/// Reads and replays the dead letters of the embedded log (layout: <see cref="DeadLetterTopics"/>): summaries with
/// counts by reason, filtered pages of records, and replay of chosen records into their origin topic. Stateless over
/// the <see cref="PartitionedLog"/>, whose reads and appends are thread-safe, so one instance serves concurrent
/// requests. Failures the caller can fix are <see cref="DeadLetterRequestException"/>s carrying an HTTP status and a
/// sentence naming the topic, partition, offset or parameter.
/// </summary>
internal sealed class DeadLetterBrowser(PartitionedLog log)
{
    /// <summary>The most records one summary or one page request reads, so a huge topic cannot stall the server.</summary>
    public const int MaxScannedRecords = 100_000;

    /// <summary>The default and the largest page size of <see cref="ReadPage"/>.</summary>
    public const int DefaultLimit = 100, MaxLimit = 1000;

    /// <summary>The most records one replay request may name.</summary>
    public const int MaxReplay = 1000;

    private static readonly byte[] s_reason = Encoding.UTF8.GetBytes(DeadLetterTopics.ReasonHeader);
    private static readonly byte[] s_originTopic = Encoding.UTF8.GetBytes(DeadLetterTopics.OriginTopicHeader);
    private static readonly byte[] s_origin = Encoding.UTF8.GetBytes(DeadLetterTopics.OriginHeader);
    private static readonly byte[] s_location = Encoding.UTF8.GetBytes(DeadLetterTopics.LocationHeader);

    /// <summary>Every dead-letter topic with its record count and counts by reason (at most <see cref="MaxScannedRecords"/> read per topic).</summary>
    public DeadLetterTopicList ListTopics()
    {
        var topics = new List<DeadLetterTopicSummary>();
        foreach (var topic in log.ListTopics())
        {
            if (DeadLetterTopics.IsDeadLetterTopic(topic.Name))
            {
                topics.Add(Summarize(topic));
            }
        }
        return new DeadLetterTopicList(topics);
    }

    /// <summary>
    /// A page of the dead letters of <paramref name="name"/> (the dead-letter topic, or the topic it serves): partitions
    /// in order, each from offset <paramref name="from"/> (or its log start, if later), keeping the records whose reason
    /// contains <paramref name="reason"/> (ordinal, ignoring case; a <paramref name="reason"/> with <c>#</c> is a pattern
    /// from the summary and is matched against the reasons' patterns, see <see cref="ReasonPattern"/>), until
    /// <paramref name="limit"/> records.
    /// </summary>
    /// <exception cref="DeadLetterRequestException">404: no such dead-letter topic; 400: a parameter is out of range.</exception>
    public DeadLetterPage ReadPage(string name, string? reason, long from, int limit, int? partition)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"The limit {limit} is out of range: give 1-{MaxLimit}.");
        }
        if (from < 0)
        {
            throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"The offset from={from} is negative: give 0 or more.");
        }
        var topic = Resolve(name);
        if (partition is { } p && (uint)p >= (uint)topic.PartitionCount)
        {
            throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"The dead-letter topic '{topic.Name}' has partitions 0-{topic.PartitionCount - 1}, not partition {p}.");
        }

        var byPattern = reason is not null && reason.Contains('#', StringComparison.Ordinal);
        var records = new List<DeadLetterRecord>(Math.Min(limit, 64));
        var more = false;
        var scanned = 0;
        using var fetch = new FetchResult();
        for (var index = partition ?? 0; index < (partition + 1 ?? topic.PartitionCount) && !more; index++)
        {
            var partitionLog = topic.GetPartition(index);
            var offset = Math.Max(from, partitionLog.LogStartOffset);
            while (offset < partitionLog.EndOffset && !more)
            {
                partitionLog.Fetch(offset, new FetchOptions(MaxRecords: 1000), fetch);
                if (fetch.NextOffset == offset)
                {
                    break;
                }
                foreach (var record in fetch)
                {
                    if (++scanned > MaxScannedRecords)
                    {
                        more = true;
                        break;
                    }
                    if (reason is { Length: > 0 } && !(byPattern ? ReasonPattern(Header(record, s_reason)) : Header(record, s_reason)).Contains(reason, StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }
                    if (records.Count == limit)
                    {
                        more = true;
                        break;
                    }
                    records.Add(Decode(topic.Name, index, record));
                }
                offset = fetch.NextOffset;
            }
        }
        return new DeadLetterPage(topic.Name, OriginOf(topic.Name), records, more);
    }

    /// <summary>
    /// Appends the original key and payload of each dead letter in <paramref name="request"/> to its origin topic (the
    /// partition the key hashes to; the log's clock stamps the new record) and waits until the appends are durable.
    /// Every position is checked before anything is appended; the dead letters stay where they are, so replaying one
    /// twice appends it twice.
    /// </summary>
    /// <exception cref="DeadLetterRequestException">404: no such topic or record; 400: an empty or too large request;
    /// 409: a record's origin topic no longer exists.</exception>
    public ReplayResult Replay(string name, ReplayRequest request)
    {
        var topic = Resolve(name);
        var positions = request.Records;
        if (positions is null || positions.Count == 0)
        {
            throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"The replay of '{topic.Name}' names no records: send {{\"records\":[{{\"partition\":0,\"offset\":17}}]}}.");
        }
        if (positions.Count > MaxReplay)
        {
            throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"The replay of '{topic.Name}' names {positions.Count} records; replay at most {MaxReplay} at a time.");
        }

        var letters = new ConsumedRecord[positions.Count];
        var targets = new (TopicLog Topic, int Partition)[positions.Count];
        using (var fetch = new FetchResult())
        {
            for (var i = 0; i < positions.Count; i++)
            {
                var position = positions[i] ?? throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"Record {i} of the replay of '{topic.Name}' is null: give {{\"partition\":p,\"offset\":o}}.");
                letters[i] = ReadOne(topic, position, fetch);
                var originName = HeaderText(letters[i].Headers, DeadLetterTopics.OriginTopicHeader) ?? OriginOf(topic.Name);
                if (!log.TryGetTopic(originName, out var origin))
                {
                    throw new DeadLetterRequestException(StatusCodes.Status409Conflict, $"The origin topic '{originName}' of dead letter partition {position.Partition} offset {position.Offset} in '{topic.Name}' does not exist: create it, then replay again.");
                }
                var key = letters[i].Key;
                targets[i] = (origin, origin.PartitionFor(key, keyIsNull: key is null));
            }
        }

        // One batch per target partition, in the order asked; the answer keeps that order.
        var replayed = new ReplayedRecord[positions.Count];
        var done = new bool[positions.Count];
        var touched = new List<PartitionLog>();
        for (var i = 0; i < positions.Count; i++)
        {
            if (done[i])
            {
                continue;
            }
            var batch = new List<int>();
            for (var j = i; j < positions.Count; j++)
            {
                if (!done[j] && targets[j].Topic == targets[i].Topic && targets[j].Partition == targets[i].Partition)
                {
                    batch.Add(j);
                    done[j] = true;
                }
            }
            var records = new ProducerRecord[batch.Count];
            for (var k = 0; k < batch.Count; k++)
            {
                records[k] = ProducerRecord.FromArrays(letters[batch[k]].Key, letters[batch[k]].Value);
            }
            var target = targets[i].Topic.GetPartition(targets[i].Partition);
            var appended = target.Append(records);
            touched.Add(target);
            for (var k = 0; k < batch.Count; k++)
            {
                var position = positions[batch[k]];
                replayed[batch[k]] = new ReplayedRecord(position.Partition, position.Offset, targets[i].Topic.Name, targets[i].Partition, appended.BaseOffset + k);
            }
        }
        foreach (var partitionLog in touched)
        {
            partitionLog.Flush();
        }
        return new ReplayResult(topic.Name, replayed);
    }

    /// <summary>The dead-letter topic <paramref name="name"/> names: itself when it ends in <c>.dlq</c>, else its dead-letter topic.</summary>
    private TopicLog Resolve(string name)
    {
        var dlq = DeadLetterTopics.IsDeadLetterTopic(name) ? name : DeadLetterTopics.For(name);
        return log.TryGetTopic(dlq, out var topic)
            ? topic
            : throw new DeadLetterRequestException(StatusCodes.Status404NotFound, $"There is no dead-letter topic '{dlq}': no record meant for '{OriginOf(dlq)}' has been dead-lettered.");
    }

    private static ConsumedRecord ReadOne(TopicLog topic, DeadLetterPosition position, FetchResult fetch)
    {
        if ((uint)position.Partition >= (uint)topic.PartitionCount)
        {
            throw new DeadLetterRequestException(StatusCodes.Status404NotFound, $"The dead-letter topic '{topic.Name}' has partitions 0-{topic.PartitionCount - 1}, not partition {position.Partition}.");
        }
        var partition = topic.GetPartition(position.Partition);
        if (position.Offset >= partition.LogStartOffset && position.Offset < partition.EndOffset)
        {
            partition.Fetch(position.Offset, new FetchOptions(MaxRecords: 1), fetch);
            foreach (var record in fetch)
            {
                if (record.Offset == position.Offset)
                {
                    return ConsumedRecord.From(record);
                }
            }
        }
        throw new DeadLetterRequestException(StatusCodes.Status404NotFound, $"The dead-letter topic '{topic.Name}' has no record at partition {position.Partition} offset {position.Offset} (it holds offsets {partition.LogStartOffset}-{partition.EndOffset - 1}).");
    }

    private static DeadLetterTopicSummary Summarize(TopicLog topic)
    {
        long total = 0;
        var scanned = 0;
        var complete = true;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var fetch = new FetchResult();
        foreach (var partition in topic.Partitions)
        {
            total += partition.EndOffset - partition.LogStartOffset;
            var offset = partition.LogStartOffset;
            while (complete && offset < partition.EndOffset)
            {
                partition.Fetch(offset, new FetchOptions(MaxRecords: 1000), fetch);
                if (fetch.NextOffset == offset)
                {
                    break;
                }
                foreach (var record in fetch)
                {
                    if (++scanned > MaxScannedRecords)
                    {
                        complete = false;
                        break;
                    }
                    var reason = ReasonPattern(Header(record, s_reason));
                    counts[reason] = counts.GetValueOrDefault(reason) + 1;
                }
                offset = fetch.NextOffset;
            }
        }
        var reasons = new List<DeadLetterReasonCount>(counts.Count);
        foreach (var (reason, count) in counts)
        {
            reasons.Add(new DeadLetterReasonCount(reason, count));
        }
        reasons.Sort((a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Reason, b.Reason));
        return new DeadLetterTopicSummary(topic.Name, OriginOf(topic.Name), total, reasons, complete);
    }

    private static DeadLetterRecord Decode(string topic, int partition, LogRecordView record)
    {
        var origin = record.TryGetHeader(s_originTopic, out var originTopic) ? Encoding.UTF8.GetString(originTopic) : OriginOf(topic);
        var (key, keyEncoding) = record.HasKey ? Text(record.Key) : (null, null);
        var (payload, payloadEncoding) = record.HasValue ? Text(record.Value) : (null, null);
        return new DeadLetterRecord(
            partition,
            record.Offset,
            record.TimestampMs,
            Header(record, s_reason),
            origin,
            record.TryGetHeader(s_origin, out var by) ? Encoding.UTF8.GetString(by) : null,
            record.TryGetHeader(s_location, out var location) ? Encoding.UTF8.GetString(location) : null,
            key,
            keyEncoding,
            payload,
            payloadEncoding);
    }

    /// <summary>
    /// A reason with every run of digits written <c>#</c> (<c>line 12: field 'id' is missing.</c> →
    /// <c>line #: field 'id' is missing.</c>), so reasons that differ only in a line number or offset count together.
    /// </summary>
    internal static string ReasonPattern(string reason)
    {
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

    private static (string Text, string Encoding) Text(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? (Encoding.UTF8.GetString(bytes), "utf8") : (Convert.ToBase64String(bytes), "base64");

    private static string Header(LogRecordView record, ReadOnlySpan<byte> name) =>
        record.TryGetHeader(name, out var value) ? Encoding.UTF8.GetString(value) : "";

    private static string? HeaderText(LogHeader[] headers, string name)
    {
        foreach (var header in headers)
        {
            if (header.Key == name && header.Value is { } value)
            {
                return Encoding.UTF8.GetString(value.Span);
            }
        }
        return null;
    }

    private static string OriginOf(string deadLetterTopic) => deadLetterTopic[..^DeadLetterTopics.Suffix.Length];
}

/// <summary>A dead-letter request the caller can fix: <see cref="StatusCode"/> and a one-sentence message.</summary>
internal sealed class DeadLetterRequestException(int statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer with.</summary>
    public int StatusCode { get; } = statusCode;
}
