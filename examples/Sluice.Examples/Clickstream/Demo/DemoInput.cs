using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Log;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>What the demo generator produced, known independently of the pipeline (the e2e test's ground truth).</summary>
/// <param name="Lines">Every input line in log order per user, with its event time.</param>
/// <param name="Malformed">Lines that are not valid click events.</param>
/// <param name="Duplicates">Exact repeats of an earlier event (same event_id).</param>
/// <param name="Late">Events older than the watermark minus the allowed lateness when they arrive.</param>
public sealed record DemoInputTruth(IReadOnlyList<(string Line, long Ts)> Lines, IReadOnlyList<string> Malformed, IReadOnlyList<ClickEvent> Duplicates, IReadOnlyList<ClickEvent> Late)
{
    /// <summary>The valid, unique, on-time events: what reaches the gold tables.</summary>
    public IReadOnlyList<ClickEvent> OnTime { get; init; } = [];
}

/// <summary>
/// The demo's input: a deterministic click stream (same seed and count ⇒ same lines) with the anomalies real streams
/// have — events out of order within the 5 s bound, events far beyond the allowed lateness, repeated event ids, and
/// malformed lines — appended to the embedded-log topic <c>clicks</c>, keyed by user (or produced to the Kafka topic
/// <c>clicks</c>, see <see cref="DemoKafkaInput"/>).
/// </summary>
public static class DemoInput
{
    /// <summary>The input topic.</summary>
    public const string Topic = "clicks";

    /// <summary>
    /// Partitions of the input topic. One, so the demo is deterministic: with several source subtasks the watermark
    /// after them is the minimum of independently progressing threads, and whether a far-late event counts as late
    /// would depend on scheduling. Downstream operators still run in parallel.
    /// </summary>
    public const int Partitions = 1;

    private static readonly string[] s_pages = ["/home", "/search", "/product/1", "/product/2", "/product/3", "/cart", "/checkout", "/help"];
    private static readonly string[] s_actions = ["view", "view", "view", "view", "click", "click", "add_to_cart", "purchase"];
    private static readonly string[] s_devices = ["mobile", "desktop", "tablet"];

    /// <summary>Start of event time: 2026-11-21T00:00Z.</summary>
    public const long StartMs = 1_763_683_200_000;

    /// <summary>Generates the input lines and what they contain.</summary>
    public static DemoInputTruth Generate(int events, int seed)
    {
        var random = new Random(seed);
        var lines = new List<(string, long)>(events);
        var malformed = new List<string>();
        var duplicates = new List<ClickEvent>();
        var late = new List<ClickEvent>();
        var onTime = new List<ClickEvent>();
        var recent = new List<ClickEvent>();
        var clock = StartMs;
        for (var i = 0; lines.Count < events; i++)
        {
            clock += random.Next(50, 250);
            var roll = random.NextDouble();
            if (roll < 0.01)
            {
                var bad = random.Next(3) switch
                {
                    0 => "{\"event_id\": \"e" + i.ToString(CultureInfo.InvariantCulture) + "\", \"user_id\": ",
                    1 => "not json at all",
                    _ => "{\"event_id\": \"e" + i.ToString(CultureInfo.InvariantCulture) + "\", \"page\": \"/home\", \"action\": \"view\", \"ts\": \"yesterday\"}",
                };
                lines.Add((bad, clock));
                malformed.Add(bad);
                continue;
            }
            if (roll < 0.04 && recent.Count > 0)
            {
                var repeat = recent[random.Next(recent.Count)];
                lines.Add((Serialize(repeat), repeat.Ts));
                duplicates.Add(repeat);
                continue;
            }
            var user = "u" + random.Next(0, 40).ToString("D2", CultureInfo.InvariantCulture);
            var action = s_actions[random.Next(s_actions.Length)];
            var isLate = roll < 0.05 && clock - StartMs > 40 * 60_000;
            var ts = isLate ? clock - random.Next(30, 40) * 60_000L : clock - random.Next(0, 4_000);
            var click = new ClickEvent($"e{i:D7}", user, s_pages[random.Next(s_pages.Length)], action,
                action == "purchase" ? Math.Round(random.NextDouble() * 150, 2) : 0, s_devices[random.Next(s_devices.Length)], ts);
            lines.Add((Serialize(click), ts));
            (isLate ? late : onTime).Add(click);
            if (!isLate)
            {
                recent.Add(click);
                if (recent.Count > 50)
                {
                    recent.RemoveAt(0);
                }
            }
        }
        return new DemoInputTruth(lines, malformed, duplicates, late) { OnTime = onTime };
    }

    /// <summary>
    /// Appends the lines to the <see cref="Topic"/> topic (created if missing), keyed by user so a user's events stay in
    /// order; resumable: lines already in the topic (a run killed, or out of disk, while appending, or a complete
    /// earlier run) are not appended again, so a rerun with the same seed ends with exactly the lines of an
    /// uninterrupted run.
    /// </summary>
    /// <remarks>
    /// Why this is exact: the generator is deterministic and the lines of each partition are appended in generation
    /// order, in batches the log appends atomically (a batch torn by a kill or a full disk fails its checksum and is
    /// moved out of the segment to its quarantine file when the log opens, and its offsets were never visible). So after any interruption partition <c>p</c> holds a prefix of its expected lines,
    /// and its end offset is that prefix's length: the rerun appends from there. The last line already present is
    /// compared with the expected one, so a rerun with another <c>--seed</c> (whose lines would mix with the present
    /// ones) is refused instead.
    /// </remarks>
    /// <param name="log">The embedded log.</param>
    /// <param name="input">The generated input.</param>
    /// <param name="appended">Called after each appended batch is durable, with the number of input lines the topic
    /// holds then (all partitions); null for none. Lets a caller report progress (or a test crash the process there).</param>
    /// <returns>The number of input lines the topic already held before this call.</returns>
    /// <exception cref="InvalidOperationException">The topic holds lines this input does not start with.</exception>
    public static long Produce(PartitionedLog log, DemoInputTruth input, Action<long>? appended = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(input);
        var topic = log.TryGetTopic(Topic, out var existing) ? existing : log.CreateTopic(Topic, new TopicConfig { Partitions = Partitions });
        var expected = new List<(string Line, long Ts)>[topic.PartitionCount];
        for (var p = 0; p < expected.Length; p++)
        {
            expected[p] = [];
        }
        foreach (var line in input.Lines)
        {
            expected[topic.PartitionFor(Encoding.UTF8.GetBytes(KeyOf(line.Line)), keyIsNull: false)].Add(line);
        }
        long present = 0;
        var complete = true;
        for (var p = 0; p < expected.Length; p++)
        {
            var partition = topic.GetPartition(p);
            present += partition.EndOffset;
            complete &= partition.EndOffset >= expected[p].Count;
        }
        if (complete)
        {
            return present;
        }
        var total = present;
        using var batch = new RecordBatchBuilder();
        for (var p = 0; p < expected.Length; p++)
        {
            var partition = topic.GetPartition(p);
            var lines = expected[p];
            var from = partition.EndOffset;
            CheckPrefix(partition, lines, from);
            for (var i = (int)from; i < lines.Count; i++)
            {
                var (line, ts) = lines[i];
                batch.Add(Encoding.UTF8.GetBytes(KeyOf(line)), Encoding.UTF8.GetBytes(line), ts);
                if (batch.Count == BatchLines || i == lines.Count - 1)
                {
                    partition.Append(batch);
                    total += batch.Count;
                    batch.Clear();
                    appended?.Invoke(total);
                }
            }
        }
        return present;
    }

    /// <summary>Lines per appended batch (the unit the log makes durable atomically).</summary>
    private const int BatchLines = 1000;

    private static void CheckPrefix(PartitionLog partition, List<(string Line, long Ts)> lines, long present)
    {
        if (present == 0)
        {
            return;
        }
        if (partition.LogStartOffset != 0 || present > lines.Count)
        {
            throw new InvalidOperationException($"Topic '{Topic}' partition {partition.Partition} holds offsets {partition.LogStartOffset}..{present - 1}, "
                + $"which this run's {lines.Count} input lines of that partition cannot continue: rerun with the --events and --seed of the first run, or delete the data directory.");
        }
        using var fetched = partition.Fetch(present - 1, new FetchOptions(MaxRecords: 1));
        var (line, ts) = lines[(int)(present - 1)];
        foreach (var record in fetched)
        {
            if (record.Offset == present - 1)
            {
                if (record.TimestampMs == ts && record.Value.SequenceEqual(Encoding.UTF8.GetBytes(line)))
                {
                    return;
                }
                break;
            }
        }
        throw new InvalidOperationException($"Topic '{Topic}' holds {present} input lines that this run's generator does not produce (offset {present - 1} differs): "
            + "rerun with the --seed of the interrupted run, or delete the data directory.");
    }

    /// <summary>The partitioning key of a line: its user, or "malformed".</summary>
    internal static string KeyOf(string line)
    {
        var at = line.IndexOf("\"user_id\":\"", StringComparison.Ordinal);
        if (at < 0)
        {
            return "malformed";
        }
        var start = at + 11;
        var end = line.IndexOf('"', start);
        return end < 0 ? "malformed" : line[start..end];
    }

    /// <summary>The JSON form of an event (snake_case, as producers of the seeds write it).</summary>
    public static string Serialize(ClickEvent click) => JsonSerializer.Serialize(click, DemoJson.Options);
}

/// <summary>JSON settings of the demo's events.</summary>
public static class DemoJson
{
    /// <summary>snake_case names; unknown members ignored.</summary>
    public static JsonSerializerOptions Options { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
