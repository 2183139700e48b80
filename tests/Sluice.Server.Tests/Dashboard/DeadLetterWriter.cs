using System.Text;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Server.Tests.Dashboard;

/// <summary>Writes dead letters in the layout of <see cref="DeadLetterEnvelope"/> version 1 into a running server's log, as ingest does.</summary>
internal static class DeadLetterWriter
{
    /// <summary>Creates <paramref name="topic"/> and its dead-letter topic (when missing).</summary>
    public static void CreateTopics(SluiceServer server, string topic, int partitions = 1)
    {
        var log = server.Context.Log;
        if (!log.TryGetTopic(topic, out _))
        {
            log.CreateTopic(topic, new TopicConfig { Partitions = partitions });
        }
        if (!log.TryGetTopic(DeadLetters.TopicFor(topic), out _))
        {
            log.CreateTopic(DeadLetters.TopicFor(topic));
        }
    }

    /// <summary>Appends one dead letter of <paramref name="topic"/> and returns its offset in the dead-letter topic's partition 0.</summary>
    public static long Write(SluiceServer server, string topic, string reason, byte[] payload, string? key = null, string location = "line 1", string origin = "ingest")
    {
        var headers = new LogHeader[]
        {
            new(DeadLetterEnvelope.VersionHeader, Encoding.UTF8.GetBytes("1")),
            new(DeadLetterEnvelope.ReasonHeader, Encoding.UTF8.GetBytes(reason)),
            new(DeadLetterEnvelope.OriginTopicHeader, Encoding.UTF8.GetBytes(topic)),
            new(DeadLetterEnvelope.OriginHeader, Encoding.UTF8.GetBytes(origin)),
            new(DeadLetterEnvelope.LocationHeader, Encoding.UTF8.GetBytes(location)),
        };
        var record = ProducerRecord.FromArrays(key is null ? null : Encoding.UTF8.GetBytes(key), payload, headers: headers);
        return server.Context.Log.GetPartition(DeadLetters.TopicFor(topic), 0).Append([record]).BaseOffset;
    }

    /// <summary>Appends one dead letter with a UTF-8 payload.</summary>
    public static long Write(SluiceServer server, string topic, string reason, string payload, string? key = null, string location = "line 1") =>
        Write(server, topic, reason, Encoding.UTF8.GetBytes(payload), key, location);

    /// <summary>Every record of <paramref name="topic"/>, all partitions, as (partition, record).</summary>
    public static List<(int Partition, ConsumedRecord Record)> ReadAll(SluiceServer server, string topic)
    {
        var all = new List<(int, ConsumedRecord)>();
        foreach (var partition in server.Context.Log.GetTopic(topic).Partitions)
        {
            if (partition.EndOffset == partition.LogStartOffset)
            {
                continue;
            }
            using var fetch = partition.Fetch(partition.LogStartOffset, new FetchOptions());
            foreach (var record in fetch.ToList())
            {
                all.Add((partition.Partition, record));
            }
        }
        return all;
    }
}
