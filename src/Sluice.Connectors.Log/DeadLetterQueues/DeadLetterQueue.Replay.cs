using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Connectors.Log;

public sealed partial class DeadLetterQueue
{
    private static readonly ConditionalWeakTable<TopicLog, Lock> s_replayLocks = [];
    private static readonly byte[] s_replayOf = Encoding.UTF8.GetBytes(DeadLetterEnvelope.ReplayOfHeader);

    /// <summary>
    /// Appends the dead letters at <paramref name="positions"/> of <paramref name="name"/> (the dead-letter topic, or the
    /// topic it serves) back to their origin topic, or to <paramref name="target"/>: the original key and value bytes,
    /// to the partition the key hashes to, stamped by the log's clock, with two headers —
    /// <see cref="DeadLetterEnvelope.ReplayOfHeader"/> (<c>&lt;dead-letter topic&gt;/&lt;partition&gt;/&lt;offset&gt;</c>)
    /// and <see cref="DeadLetterEnvelope.ReplayAttemptHeader"/> (the letter's attempt + 1) — then flushes (durable when
    /// it returns). The dead letters stay where they are.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Idempotent: before appending, it scans the target topic for records whose <see cref="DeadLetterEnvelope.ReplayOfHeader"/>
    /// names a requested position, and skips those (reported with <see cref="ReplayedRecord.AlreadyReplayed"/>). The
    /// marker travels inside the appended record itself, so there is no second write to lose: after a crash at any
    /// point, a record is either in the target with its marker (and a new replay skips it) or not at all (and a new
    /// replay appends it). Replays into the same topic of one log are serialized in this process, and the embedded
    /// log is opened by one process at a time, so two replays cannot both miss each other's copies. A copy removed by
    /// the target's retention is no longer found, and is appended again.
    /// </para>
    /// <para>Every position is read and checked before anything is appended. A position asked twice is replayed once.</para>
    /// </remarks>
    /// <param name="name">The dead-letter topic, or the topic it serves.</param>
    /// <param name="positions">The dead letters to replay, by position in the dead-letter topic.</param>
    /// <param name="target">The topic to append to instead of each letter's origin topic; null = the origin.</param>
    /// <param name="dryRun">True: find what would be appended and where, append nothing.</param>
    /// <exception cref="DeadLetterQueueException">No such dead-letter topic or record; an empty request; a target topic
    /// that does not exist or is the dead-letter topic itself; a record that is no dead letter.</exception>
    public ReplayResult Replay(string name, IReadOnlyList<DeadLetterPosition> positions, string? target = null, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var topic = Resolve(name);
        if (positions.Count == 0)
        {
            throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The replay of '{topic.Name}' names no records: give positions (partition and offset) or a filter that selects some.");
        }

        // Read and check every letter first: nothing is appended unless all of them can be.
        var letters = new List<(DeadLetterPosition Position, DeadLetter Letter, TopicLog Target)>(positions.Count);
        var asked = new HashSet<DeadLetterPosition>();
        using (var fetch = new FetchResult())
        {
            for (var i = 0; i < positions.Count; i++)
            {
                var position = positions[i] ?? throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"Record {i} of the replay of '{topic.Name}' is null: give a partition and an offset.");
                if (!asked.Add(position))
                {
                    continue;
                }
                var letter = ReadLetter(topic, position, fetch);
                var targetName = target ?? letter.Origin?.Topic ?? OriginOf(topic.Name);
                if (targetName == topic.Name)
                {
                    throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The dead letter at partition {position.Partition} offset {position.Offset} of '{topic.Name}' would be replayed into '{topic.Name}' itself: give another target topic.");
                }
                if (!Log.TryGetTopic(targetName, out var targetTopic))
                {
                    throw new DeadLetterQueueException(DeadLetterQueueError.Conflict, $"The target topic '{targetName}' of dead letter partition {position.Partition} offset {position.Offset} in '{topic.Name}' does not exist: create it, then replay again.");
                }
                letters.Add((position, letter, targetTopic));
            }
        }

        var results = new ReplayedRecord[letters.Count];
        var appended = 0;
        var skipped = 0;
        foreach (var targetTopic in DistinctTargets(letters))
        {
            lock (s_replayLocks.GetOrCreateValue(targetTopic))
            {
                var copies = FindCopies(targetTopic, topic.Name);
                var batches = new Dictionary<int, List<int>>();
                for (var i = 0; i < letters.Count; i++)
                {
                    var (position, letter, letterTarget) = letters[i];
                    if (letterTarget != targetTopic)
                    {
                        continue;
                    }
                    if (copies.TryGetValue(position, out var copy))
                    {
                        results[i] = new ReplayedRecord(position.Partition, position.Offset, targetTopic.Name, copy.Partition, copy.Offset, true, letter.Attempt + 1);
                        skipped++;
                        continue;
                    }
                    var key = letter.OriginalKey;
                    var partition = dryRun && key is null ? -1 : targetTopic.PartitionFor(key, keyIsNull: key is null);
                    results[i] = new ReplayedRecord(position.Partition, position.Offset, targetTopic.Name, partition, -1, false, letter.Attempt + 1);
                    appended++;
                    if (!dryRun)
                    {
                        (batches.TryGetValue(partition, out var batch) ? batch : batches[partition] = []).Add(i);
                    }
                }
                foreach (var (partition, batch) in batches)
                {
                    var records = new ProducerRecord[batch.Count];
                    for (var k = 0; k < batch.Count; k++)
                    {
                        var (position, letter, _) = letters[batch[k]];
                        records[k] = ProducerRecord.FromArrays(letter.OriginalKey, letter.Original ?? Encoding.UTF8.GetBytes(letter.Payload), headers:
                        [
                            new LogHeader(DeadLetterEnvelope.ReplayOfHeader, Encoding.UTF8.GetBytes(ReplayMarker(topic.Name, position))),
                            new LogHeader(DeadLetterEnvelope.ReplayAttemptHeader, Encoding.UTF8.GetBytes((letter.Attempt + 1).ToString(CultureInfo.InvariantCulture))),
                        ]);
                    }
                    var log = targetTopic.GetPartition(partition);
                    var result = log.Append(records);
                    for (var k = 0; k < batch.Count; k++)
                    {
                        results[batch[k]] = results[batch[k]] with { OriginOffset = result.BaseOffset + k };
                    }
                }
                foreach (var partition in batches.Keys)
                {
                    targetTopic.GetPartition(partition).Flush();
                }
            }
        }
        return new ReplayResult(topic.Name, results, dryRun, appended, skipped);
    }

    /// <summary>The value of <see cref="DeadLetterEnvelope.ReplayOfHeader"/> for the dead letter at <paramref name="position"/> of <paramref name="deadLetterTopic"/>.</summary>
    public static string ReplayMarker(string deadLetterTopic, DeadLetterPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        return string.Create(CultureInfo.InvariantCulture, $"{deadLetterTopic}/{position.Partition}/{position.Offset}");
    }

    private static List<TopicLog> DistinctTargets(List<(DeadLetterPosition Position, DeadLetter Letter, TopicLog Target)> letters)
    {
        var targets = new List<TopicLog>();
        foreach (var (_, _, target) in letters)
        {
            if (!targets.Contains(target))
            {
                targets.Add(target);
            }
        }
        return targets;
    }

    /// <summary>The copies of <paramref name="deadLetterTopic"/>'s letters that replays appended to <paramref name="target"/>: dead-letter position → position of the copy.</summary>
    private static Dictionary<DeadLetterPosition, (int Partition, long Offset)> FindCopies(TopicLog target, string deadLetterTopic)
    {
        var copies = new Dictionary<DeadLetterPosition, (int, long)>();
        var prefix = deadLetterTopic + "/";
        using var fetch = new FetchResult();
        foreach (var partition in target.Partitions)
        {
            var offset = partition.LogStartOffset;
            while (offset < partition.EndOffset)
            {
                partition.Fetch(offset, new FetchOptions(MaxRecords: 1000), fetch);
                if (fetch.NextOffset == offset)
                {
                    break;
                }
                foreach (var record in fetch)
                {
                    if (record.TryGetHeader(s_replayOf, out var marker) && TryParseMarker(Encoding.UTF8.GetString(marker), prefix, out var position))
                    {
                        copies.TryAdd(position, (partition.Partition, record.Offset));
                    }
                }
                offset = fetch.NextOffset;
            }
        }
        return copies;
    }

    private static bool TryParseMarker(string marker, string prefix, out DeadLetterPosition position)
    {
        position = null!;
        if (!marker.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = marker.AsSpan(prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0
            || !int.TryParse(rest[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(rest[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }
        position = new DeadLetterPosition(partition, offset);
        return true;
    }

    private static DeadLetter ReadLetter(TopicLog topic, DeadLetterPosition position, FetchResult fetch)
    {
        if ((uint)position.Partition >= (uint)topic.PartitionCount)
        {
            throw new DeadLetterQueueException(DeadLetterQueueError.NotFound, $"The dead-letter topic '{topic.Name}' has partitions 0-{topic.PartitionCount - 1}, not partition {position.Partition}.");
        }
        var partition = topic.GetPartition(position.Partition);
        if (position.Offset >= partition.LogStartOffset && position.Offset < partition.EndOffset)
        {
            partition.Fetch(position.Offset, new FetchOptions(MaxRecords: 1, Isolation: IsolationLevel.ReadCommitted), fetch);
            foreach (var record in fetch)
            {
                if (record.Offset == position.Offset)
                {
                    var message = new MessageView(topic.Name, position.Partition, record.Offset, record.TimestampMs, MessageTimestampType.LogAppendTime,
                        record.Key, record.HasKey, record.Value, record.HasValue, LogHeaderAccessor.Instance, record.EncodedHeaders);
                    return DeadLetterEnvelope.Read(message, out var letter, out var error)
                        ? letter
                        : throw new DeadLetterQueueException(DeadLetterQueueError.Conflict, $"The record at partition {position.Partition} offset {position.Offset} of '{topic.Name}' cannot be replayed: {error.Reason}");
                }
            }
        }
        throw new DeadLetterQueueException(DeadLetterQueueError.NotFound, $"The dead-letter topic '{topic.Name}' has no record at partition {position.Partition} offset {position.Offset} (it holds offsets {partition.LogStartOffset}-{partition.EndOffset - 1}).");
    }
}
