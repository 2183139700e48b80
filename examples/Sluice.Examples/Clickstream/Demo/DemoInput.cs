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
    /// order; lines already in the topic (a restarted run) are not appended again.
    /// </summary>
    public static void Produce(PartitionedLog log, DemoInputTruth input)
    {
        var topic = log.TryGetTopic(Topic, out var existing) ? existing : log.CreateTopic(Topic, new TopicConfig { Partitions = Partitions });
        long present = 0;
        for (var p = 0; p < topic.PartitionCount; p++)
        {
            present += topic.GetPartition(p).EndOffset;
        }
        if (present >= input.Lines.Count)
        {
            return;
        }
        if (present > 0)
        {
            throw new InvalidOperationException($"Topic '{Topic}' holds {present} of {input.Lines.Count} input lines: the input was cut short. Delete the data directory and run again.");
        }
        using var batch = new RecordBatchBuilder();
        foreach (var group in input.Lines.GroupBy(l => topic.PartitionFor(Encoding.UTF8.GetBytes(KeyOf(l.Line)), keyIsNull: false)))
        {
            foreach (var (line, ts) in group)
            {
                batch.Add(Encoding.UTF8.GetBytes(KeyOf(line)), Encoding.UTF8.GetBytes(line), ts);
                if (batch.Count == 1000)
                {
                    topic.GetPartition(group.Key).Append(batch);
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
            {
                topic.GetPartition(group.Key).Append(batch);
                batch.Clear();
            }
        }
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
