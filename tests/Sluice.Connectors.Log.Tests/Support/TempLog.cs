using System.Text;
using System.Text.Json;
using Sluice.Log;

namespace Sluice.Connectors.Log.Tests.Support;

/// <summary>A log in a fresh temporary directory, deleted on dispose.</summary>
public sealed class TempLog : IDisposable
{
    private readonly TimeProvider _clock;

    public TempLog(TimeProvider? clock = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "sluice-logconn-" + Guid.NewGuid().ToString("N"));
        _clock = clock ?? TimeProvider.System;
        Log = Open();
    }

    public string Directory { get; }

    public PartitionedLog Log { get; private set; }

    /// <summary>Closes the log and opens it again from its files, as a process restarted after kill -9 would.</summary>
    public void Reopen()
    {
        Log.Dispose();
        Log = Open();
    }

    private PartitionedLog Open() =>
        PartitionedLog.Open(Directory, new LogOptions { FlushPolicy = FlushPolicy.OperatingSystem, MaintenanceInterval = null, TimeProvider = _clock });

    public TopicLog CreateTopic(string name, int partitions) => Log.CreateTopic(name, new TopicConfig { Partitions = partitions });

    /// <summary>Appends events keyed by <see cref="Ev.Key"/> to the partition Kafka's partitioner picks, one batch per partition.</summary>
    public void Produce(string topic, IEnumerable<Ev> events)
    {
        TopicLog t = Log.GetTopic(topic);
        var byPartition = events.GroupBy(e => t.PartitionFor(Encoding.UTF8.GetBytes(e.Key)));
        foreach (var group in byPartition)
        {
            AppendTo(topic, group.Key, group);
        }
    }

    /// <summary>Appends events to one partition (keys as given, partitioner ignored).</summary>
    public void AppendTo(string topic, int partition, IEnumerable<Ev> events)
    {
        using var batch = new RecordBatchBuilder();
        foreach (Ev e in events)
        {
            batch.Add(Encoding.UTF8.GetBytes(e.Key), JsonSerializer.SerializeToUtf8Bytes(e, JsonSerializerOptions.Web), e.Ts);
        }
        Log.GetPartition(topic, partition).Append(batch);
    }

    /// <summary>Appends raw values (no key) to one partition.</summary>
    public void AppendRaw(string topic, int partition, params string[] values)
    {
        using var batch = new RecordBatchBuilder();
        foreach (string v in values)
        {
            batch.AddWithoutKey(Encoding.UTF8.GetBytes(v), 1);
        }
        Log.GetPartition(topic, partition).Append(batch);
    }

    /// <summary>Everything stored in a topic (read-committed), per partition.</summary>
    public List<(int Partition, ConsumedRecord Record)> ReadAll(string topic) => ReadAll(Log, topic);

    /// <summary>Every read-committed record of <paramref name="topic"/> in <paramref name="log"/>, partition by partition.</summary>
    public static List<(int Partition, ConsumedRecord Record)> ReadAll(PartitionedLog log, string topic)
    {
        var all = new List<(int, ConsumedRecord)>();
        foreach (PartitionLog p in log.GetTopic(topic).Partitions)
        {
            long offset = p.LogStartOffset;
            using var result = new FetchResult();
            while (offset < p.LastStableOffset)
            {
                p.Fetch(offset, new FetchOptions(Isolation: IsolationLevel.ReadCommitted), result);
                all.AddRange(result.ToList().Select(r => (p.Partition, r)));
                offset = result.NextOffset;
            }
        }
        return all;
    }

    public void Dispose()
    {
        Log.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind does not affect results.
        }
    }
}
