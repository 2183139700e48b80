namespace Sluice.Log.Tests.Crash;

/// <summary>Child process for the kill test: appends forever and prints "ack {lastOffset}" after each acknowledged append.</summary>
public static class AppendChild
{
    public static int Run(string[] args)
    {
        string dir = args[0];
        FlushPolicy policy = args[1] switch
        {
            "every-batch" => FlushPolicy.EveryBatch,
            "interval" => FlushPolicy.Every(TimeSpan.FromMilliseconds(50)),
            _ => FlushPolicy.OperatingSystem,
        };
        using var log = PartitionedLog.Open(dir, new LogOptions { FlushPolicy = policy, MaintenanceInterval = null });
        TopicLog topic = log.TryGetTopic("crash", out TopicLog? t) ? t : log.CreateTopic("crash", new TopicConfig { SegmentBytes = 64 * 1024 });
        PartitionLog partition = topic.GetPartition(0);
        using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        using var builder = new RecordBatchBuilder();
        long next = partition.EndOffset;
        while (true)
        {
            builder.Clear();
            int count = 1 + (int)(next % 7);
            for (int i = 0; i < count; i++)
            {
                builder.Add(Support.TestData.Bytes($"k{next + i}"), Support.TestData.Bytes(Support.TestData.ValueFor(next + i)));
            }

            AppendResult result = partition.Append(builder);
            next = result.LastOffset + 1;
            stdout.WriteLine($"ack {result.LastOffset}");
        }
    }
}
