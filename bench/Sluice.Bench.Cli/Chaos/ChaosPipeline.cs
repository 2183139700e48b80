using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sluice.Checkpoints;
using Sluice.Connectors.Log;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;
using Sluice.Windowing;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>One input event of the chaos pipeline (JSON in the input topic).</summary>
/// <param name="Id">Unique per event; a duplicate repeats the whole event.</param>
/// <param name="User">The key of the windows.</param>
/// <param name="Ts">Event time, Unix ms.</param>
/// <param name="Amount">Summed per tumbling window.</param>
internal sealed record ChaosEvent(long Id, string User, long Ts, long Amount);

/// <summary>One generated input line: its key, text, event time (Unix ms) and the input partition its key hashes to.</summary>
internal sealed record ChaosInputLine(string Key, string Value, long Ts, int Partition);

/// <summary>
/// The kill harness's job, shared by the reference run and the child that gets killed: embedded log (or Kafka, see
/// <see cref="ChaosKafkaInput"/>) → parse (malformed
/// lines dropped) → dedup by id → per user a 1-minute tumbling sum and a 30-second-gap session count → an exactly-once
/// log sink and an exactly-once JSON-lines directory sink. A data directory holds <c>log/</c> (input and output
/// topics), <c>checkpoints/</c>, <c>out/</c> (the file sink) and, with the RocksDB state backend, <c>rocksdb/</c>
/// (the working copies of the keyed state of the dedup, window and session operators).
/// </summary>
internal static class ChaosPipeline
{
    public const string InputTopic = "chaos-input";
    public const string OutputTopic = "chaos-output";
    public const string TransactionalIdPrefix = "chaos/log-sink";

    /// <summary>Partitions of the input topic (embedded log or Kafka).</summary>
    public const int InputPartitions = 2;
    private const long BaseTime = 1_700_000_000_000;
    private static readonly TimeSpan s_outOfOrderness = TimeSpan.FromSeconds(10);

    public static string LogDirectory(string dataDir) => Path.Combine(dataDir, "log");

    public static string CheckpointDirectory(string dataDir) => Path.Combine(dataDir, "checkpoints");

    public static string FileOutputDirectory(string dataDir) => Path.Combine(dataDir, "out");

    /// <summary>The RocksDB state backend's root in <paramref name="dataDir"/> (the job's databases are in <c>chaos/</c> under it).</summary>
    public static string RocksDbDirectory(string dataDir) => Path.Combine(dataDir, "rocksdb");

    public static PartitionedLog OpenLog(string dataDir, ILoggerFactory loggerFactory) =>
        PartitionedLog.Open(LogDirectory(dataDir), new LogOptions { MaintenanceInterval = null, Logger = loggerFactory.CreateLogger("Sluice.Log") });

    /// <summary>
    /// Creates the topics and appends <paramref name="events"/> input lines (<see cref="GenerateInput"/>) to the
    /// input topic, each in the partition its key hashes to.
    /// </summary>
    public static void PrepareInput(PartitionedLog log, int events, int seed)
    {
        var input = log.CreateTopic(InputTopic, new TopicConfig { Partitions = InputPartitions });
        PrepareOutput(log);
        using var batch = new RecordBatchBuilder();
        foreach (var group in GenerateInput(events, seed).GroupBy(l => l.Partition))
        {
            foreach (var line in group)
            {
                batch.Add(Encoding.UTF8.GetBytes(line.Key), Encoding.UTF8.GetBytes(line.Value), line.Ts);
                if (batch.Count == 500)
                {
                    input.GetPartition(group.Key).Append(batch);
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
            {
                input.GetPartition(group.Key).Append(batch);
                batch.Clear();
            }
        }
    }

    /// <summary>Creates the output topic (the input comes from elsewhere, e.g. Kafka).</summary>
    public static void PrepareOutput(PartitionedLog log) => log.CreateTopic(OutputTopic, new TopicConfig { Partitions = 3 });

    /// <summary>
    /// The input lines, deterministic for a seed: ~5% exact duplicates (same key, hence same partition, shortly
    /// after), ~2% malformed lines, timestamps increasing per user key with jitter below the watermark bound. Each
    /// line's partition is Kafka's murmur2 hash of its key over <see cref="InputPartitions"/> — what the embedded
    /// log and a Kafka producer both compute — so both inputs hold the same lines in the same partitions and order.
    /// </summary>
    public static List<ChaosInputLine> GenerateInput(int events, int seed)
    {
        var random = new Random(seed);
        var lines = new List<ChaosInputLine>(events);
        var recent = new List<ChaosInputLine>();
        for (long i = 0; lines.Count < events; i++)
        {
            var ts = BaseTime + (i * 250) + random.Next(0, 8_000);
            var roll = random.NextDouble();
            if (roll < 0.02)
            {
                lines.Add(Line("bad", roll < 0.01 ? "{\"id\": " : "not json at all", ts));
                continue;
            }
            if (roll < 0.07 && recent.Count > 0)
            {
                lines.Add(recent[random.Next(recent.Count)]);
                continue;
            }
            var e = new ChaosEvent(i, "u" + random.Next(0, 12).ToString(CultureInfo.InvariantCulture), ts, random.Next(1, 100));
            var line = Line(e.Id.ToString(CultureInfo.InvariantCulture), JsonSerializer.Serialize(e, JsonSerializerOptions.Web), ts);
            lines.Add(line);
            recent.Add(line);
            if (recent.Count > 20)
            {
                recent.RemoveAt(0);
            }
        }
        return lines;

        static ChaosInputLine Line(string key, string value, long ts) =>
            new(key, value, ts, KafkaPartitioner.PartitionForKey(Encoding.UTF8.GetBytes(key), InputPartitions));
    }

    /// <summary>
    /// Builds the job into <paramref name="env"/>; <paramref name="throttle"/> (child runs) slows the records down and
    /// reports progress. The input is the log's <see cref="InputTopic"/>, or <paramref name="kafka"/>'s topic when
    /// given — the only difference between the two modes.
    /// </summary>
    public static void Build(StreamEnvironment env, PartitionedLog log, string dataDir, ChaosThrottle? throttle, ChaosKafkaInput? kafka = null)
    {
        var watermarks = WatermarkStrategy<string>.ForBoundedOutOfOrderness(s_outOfOrderness);
        var lines = kafka is null
            ? env.FromLog(log, InputTopic, MessageDeserializers.Utf8String(), new LogSourceOptions { Bounded = true }, watermarks).Uid("input")
            : kafka.Read(env, watermarks).Uid("input");
        var events = lines.FlatMap<ChaosEvent>(static (line, output) =>
        {
            if (TryParse(line) is { } e)
            {
                output.Collect(e);
            }
        }, "Parse").Uid("parse");
        if (throttle is not null)
        {
            events = events.Map(throttle.Pass, "Throttle").Uid("throttle");
        }
        var unique = events.KeyBy(static e => e.Id).Deduplicate(TimeSpan.FromHours(1)).Uid("dedup");
        var tumbling = unique.KeyBy(static e => e.User)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new AmountSum(), static (user, w, sum) => string.Create(CultureInfo.InvariantCulture, $"tumble|{user}|{w.Start}|{sum}"))
            .Uid("tumbling");
        var sessions = unique.KeyBy(static e => e.User)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromSeconds(30)))
            .Aggregate(new EventCount(), static (user, w, count) => string.Create(CultureInfo.InvariantCulture, $"session|{user}|{w.Start}|{w.End}|{count}"))
            .Uid("sessions");
        var results = tumbling.Union(sessions);
        results.ToLog(log, OutputTopic, MessageSerializers.Utf8String(static s => s.Split('|')[1]),
            new LogSinkOptions { ExactlyOnce = true, TransactionalIdPrefix = TransactionalIdPrefix }).Uid("log-sink");
        results.WriteJsonLinesDirectory(FileOutputDirectory(dataDir)).Uid("file-sink");
    }

    /// <summary>
    /// Job options of a run in <paramref name="dataDir"/>: checkpoints every <paramref name="interval"/> (or none), no
    /// restarts, keyed state on the heap or (<paramref name="stateBackend"/> <c>rocksdb</c>) in
    /// <see cref="RocksDbDirectory"/>, where a restarted run finds the working copies a killed one left; logging to
    /// <paramref name="loggerFactory"/>.
    /// </summary>
    public static JobOptions Options(string dataDir, int parallelism, TimeSpan? interval, ILoggerFactory loggerFactory, string stateBackend = "heap") => new()
    {
        LoggerFactory = loggerFactory,
        JobName = "chaos",
        Parallelism = parallelism,
        Checkpoints = interval is { } every ? CheckpointOptions.InDirectory(CheckpointDirectory(dataDir), every) : null,
        Restart = RestartStrategy.None,
        BatchSize = 16,
        StateBackend = stateBackend == "rocksdb" ? new State.RocksDbStateBackend { Directory = RocksDbDirectory(dataDir) } : State.HeapStateBackend.Instance,
    };

    /// <summary>
    /// RocksDB working copies (database directories, not their <c>.snapshot-n</c>/<c>.restore-n</c> scratch directories)
    /// present under <paramref name="dataDir"/>'s <see cref="RocksDbDirectory"/>.
    /// </summary>
    public static int RocksDbWorkingCopies(string dataDir)
    {
        var jobDirectory = Path.Combine(RocksDbDirectory(dataDir), "chaos");
        return Directory.Exists(jobDirectory) ? Directory.GetDirectories(jobDirectory).Count(d => !Path.GetFileName(d).Contains('.', StringComparison.Ordinal)) : 0;
    }

    /// <summary>The committed output: read-committed values of the output topic and lines of committed part files.</summary>
    public static (List<string> Topic, List<string> Files) ReadCommitted(PartitionedLog log, string dataDir)
    {
        var topic = new List<string>();
        foreach (var partition in log.GetTopic(OutputTopic).Partitions)
        {
            var offset = partition.LogStartOffset;
            using var result = new FetchResult();
            while (offset < partition.LastStableOffset)
            {
                partition.Fetch(offset, new FetchOptions(Isolation: IsolationLevel.ReadCommitted), result);
                foreach (var record in result.ToList())
                {
                    topic.Add(Encoding.UTF8.GetString(record.Value!));
                }
                offset = result.NextOffset;
            }
        }
        var files = new List<string>();
        foreach (var file in JsonLinesDirectorySink<string>.CommittedFiles(FileOutputDirectory(dataDir)))
        {
            foreach (var line in File.ReadLines(file))
            {
                files.Add(JsonSerializer.Deserialize<string>(line)!);
            }
        }
        topic.Sort(StringComparer.Ordinal);
        files.Sort(StringComparer.Ordinal);
        return (topic, files);
    }

    private static ChaosEvent? TryParse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<ChaosEvent>(line, JsonSerializerOptions.Web) is { User: not null } e ? e : null;
        }
        catch (JsonException)
        {
            return null; // Malformed input is part of the test data: dropped, as a parse step would dead-letter it.
        }
    }

    private sealed class AmountSum : IAggregateFunction<ChaosEvent, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, ChaosEvent value) => accumulator + value.Amount;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    private sealed class EventCount : IAggregateFunction<ChaosEvent, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, ChaosEvent value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }
}

/// <summary>
/// Slows a child run down to a record rate (shared by all subtasks) so that kills land mid-job, and prints
/// <c>records &lt;n&gt;</c> every <see cref="ReportEvery"/> records — the driver's kill points. Thread-safe.
/// </summary>
internal sealed class ChaosThrottle(double recordsPerSecond)
{
    public const int ReportEvery = 25;
    private readonly Examples.RecordPacer? _pacer = recordsPerSecond > 0 ? new Examples.RecordPacer(recordsPerSecond) : null;
    private long _count;

    public ChaosEvent Pass(ChaosEvent e)
    {
        _pacer?.Wait();
        var count = Interlocked.Increment(ref _count);
        if (count % ReportEvery == 0)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"records {count}"));
        }
        return e;
    }
}
