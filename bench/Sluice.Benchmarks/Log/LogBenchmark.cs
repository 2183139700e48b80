using System.Diagnostics;
using Sluice.Log;

namespace Sluice.Benchmarks.Log;

/// <summary>Options of the embedded-log benchmark (<c>sluice bench log</c>).</summary>
public sealed record LogBenchmarkOptions
{
    /// <summary>Records appended per single-writer scenario.</summary>
    public int Records { get; init; } = 2_000_000;

    /// <summary>Value size in bytes.</summary>
    public int RecordBytes { get; init; } = 100;

    /// <summary>Records per appended batch in single-writer scenarios.</summary>
    public int BatchRecords { get; init; } = 1000;

    /// <summary>Concurrent writers in the group-commit scenario.</summary>
    public int GroupCommitWriters { get; init; } = 8;

    /// <summary>Records per batch in the group-commit scenario.</summary>
    public int GroupCommitBatchRecords { get; init; } = 100;

    /// <summary>Records appended in the group-commit scenario (fsync per batch is slow).</summary>
    public int GroupCommitRecords { get; init; } = 400_000;

    /// <summary>Scratch directory (deleted afterwards); a temp directory when null.</summary>
    public string? Directory { get; init; }
}

/// <summary>One measured scenario.</summary>
/// <param name="Scenario">What was measured.</param>
/// <param name="Records">Records processed.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="P99LatencyMicros">p99 latency of one append call, when measured.</param>
public sealed record LogBenchmarkResult(string Scenario, long Records, double Seconds, double? P99LatencyMicros)
{
    /// <summary>Records per second.</summary>
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>All results of a run.</summary>
/// <param name="Options">The options used.</param>
/// <param name="Results">One entry per scenario, in run order.</param>
public sealed record LogBenchmarkReport(LogBenchmarkOptions Options, IReadOnlyList<LogBenchmarkResult> Results);

/// <summary>
/// Measures append throughput of 100-byte records under each flush policy, group-commit fsync throughput and p99
/// latency with concurrent writers, read throughput, and a plain <see cref="FileStream"/> append of the same bytes
/// as a baseline in the same run.
/// </summary>
public static class LogBenchmark
{
    /// <summary>Runs all scenarios and returns the figures.</summary>
    public static LogBenchmarkReport Run(LogBenchmarkOptions o)
    {
        string root = o.Directory ?? Path.Combine(Path.GetTempPath(), "sluice-bench-log-" + Guid.NewGuid().ToString("N"));
        var results = new List<LogBenchmarkResult>();
        try
        {
            Directory.CreateDirectory(root);
            results.Add(PlainFileStream(root, o));
            results.Add(AppendSingleWriter(Path.Combine(root, "os"), o, FlushPolicy.OperatingSystem, "append, flush=os (batched)", out string readDir));
            results.Add(AppendSingleWriter(Path.Combine(root, "interval"), o, FlushPolicy.Every(TimeSpan.FromMilliseconds(100)), "append, flush=interval 100ms (batched)", out _));
            results.Add(AppendSingleWriter(Path.Combine(root, "every"), o, FlushPolicy.EveryBatch, "append, flush=every-batch, 1 writer", out _));
            results.Add(GroupCommit(Path.Combine(root, "group"), o));
            results.Add(Read(readDir, o));
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Scratch data; leaving it behind is harmless.
            }
        }

        return new LogBenchmarkReport(o, results);
    }

    private static byte[] Value(int size)
    {
        byte[] value = new byte[size];
        new Random(1).NextBytes(value);
        return value;
    }

    private static LogBenchmarkResult PlainFileStream(string root, LogBenchmarkOptions o)
    {
        byte[] chunk = new byte[o.RecordBytes * o.BatchRecords];
        new Random(1).NextBytes(chunk);
        string path = Path.Combine(root, "plain.bin");
        var clock = Stopwatch.StartNew();
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            for (long written = 0; written < o.Records; written += o.BatchRecords)
            {
                stream.Write(chunk);
            }
        }

        return new LogBenchmarkResult("plain FileStream append of the same value bytes (baseline)", o.Records, clock.Elapsed.TotalSeconds, null);
    }

    private static LogBenchmarkResult AppendSingleWriter(string dir, LogBenchmarkOptions o, FlushPolicy policy, string name, out string dataDir)
    {
        dataDir = dir;
        byte[] value = Value(o.RecordBytes);
        byte[] key = "key-0001"u8.ToArray();
        using var log = PartitionedLog.Open(dir, new LogOptions { FlushPolicy = policy, MaintenanceInterval = null });
        PartitionLog p = log.CreateTopic("bench", new TopicConfig { SegmentBytes = 512L * 1024 * 1024 }).GetPartition(0);
        using var builder = new RecordBatchBuilder(o.BatchRecords * (o.RecordBytes + 64));
        var clock = Stopwatch.StartNew();
        for (long written = 0; written < o.Records; written += o.BatchRecords)
        {
            builder.Clear();
            for (int i = 0; i < o.BatchRecords; i++)
            {
                builder.Add(key, value, 1_700_000_000_000);
            }

            p.Append(builder);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        return new LogBenchmarkResult(name, o.Records, seconds, null);
    }

    private static LogBenchmarkResult GroupCommit(string dir, LogBenchmarkOptions o)
    {
        byte[] value = Value(o.RecordBytes);
        using var log = PartitionedLog.Open(dir, new LogOptions { FlushPolicy = FlushPolicy.EveryBatch, MaintenanceInterval = null });
        PartitionLog p = log.CreateTopic("bench", new TopicConfig { SegmentBytes = 512L * 1024 * 1024 }).GetPartition(0);
        int perWriter = o.GroupCommitRecords / o.GroupCommitWriters / o.GroupCommitBatchRecords;
        var latencies = new double[o.GroupCommitWriters][];
        var clock = Stopwatch.StartNew();
        var threads = new Thread[o.GroupCommitWriters];
        for (int w = 0; w < threads.Length; w++)
        {
            int writer = w;
            latencies[writer] = new double[perWriter];
            threads[w] = new Thread(() =>
            {
                using var builder = new RecordBatchBuilder(o.GroupCommitBatchRecords * (o.RecordBytes + 64));
                for (int b = 0; b < perWriter; b++)
                {
                    builder.Clear();
                    for (int i = 0; i < o.GroupCommitBatchRecords; i++)
                    {
                        builder.Add("k"u8, value, 1_700_000_000_000);
                    }

                    long start = Stopwatch.GetTimestamp();
                    p.Append(builder);
                    latencies[writer][b] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            });
            threads[w].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        double[] all = latencies.SelectMany(l => l).Order().ToArray();
        double p99 = all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))];
        long records = (long)perWriter * o.GroupCommitBatchRecords * o.GroupCommitWriters;
        return new LogBenchmarkResult(
            $"append, flush=every-batch, group commit: {o.GroupCommitWriters} writers x {o.GroupCommitBatchRecords}-record batches",
            records,
            seconds,
            p99);
    }

    private static LogBenchmarkResult Read(string dir, LogBenchmarkOptions o)
    {
        using var log = PartitionedLog.Open(dir, new LogOptions { FlushPolicy = FlushPolicy.OperatingSystem, MaintenanceInterval = null });
        PartitionLog p = log.GetPartition("bench", 0);
        using var result = new FetchResult();
        long offset = 0, records = 0, checksum = 0;
        var clock = Stopwatch.StartNew();
        var options = new FetchOptions(10_000, 4 * 1024 * 1024, IsolationLevel.ReadCommitted);
        while (offset < p.EndOffset)
        {
            p.Fetch(offset, options, result);
            foreach (LogRecordView r in result)
            {
                checksum += r.Value.Length;
                records++;
            }

            offset = result.NextOffset;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        return checksum == (long)records * o.RecordBytes
            ? new LogBenchmarkResult("read (fetch + iterate, read-committed, CRC-checked)", records, seconds, null)
            : throw new InvalidOperationException("Read benchmark returned unexpected record sizes.");
    }
}
