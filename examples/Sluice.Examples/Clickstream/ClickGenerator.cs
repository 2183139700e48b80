namespace Sluice.Examples.Clickstream;

/// <summary>
/// Deterministic click-stream generator: the same seed and count give the same events. Timestamps advance by a mean
/// of <see cref="MeanGapMs"/> per event and are shuffled within <see cref="OutOfOrderMs"/>; a fraction of events
/// repeat an earlier event id (duplicates). Users go quiet for long stretches so sessions form.
/// </summary>
public sealed class ClickGenerator(int seed, long startMs = 1_763_700_000_000)
{
    private static readonly string[] s_pages = ["/home", "/search", "/product/1", "/product/2", "/product/3", "/cart", "/checkout", "/help"];
    private static readonly string[] s_actions = ["view", "view", "view", "click", "click", "add_to_cart", "purchase"];
    private static readonly string[] s_devices = ["mobile", "desktop", "tablet"];

    /// <summary>Average event-time distance between consecutive events, ms.</summary>
    public long MeanGapMs { get; init; } = 1_000;

    /// <summary>Largest distance an event's timestamp may lag the newest one, ms.</summary>
    public long OutOfOrderMs { get; init; } = 4_000;

    /// <summary>Number of distinct users.</summary>
    public int Users { get; init; } = 50;

    /// <summary>Fraction of events that repeat an earlier event id.</summary>
    public double DuplicateRate { get; init; } = 0.02;

    /// <summary>Generates <paramref name="count"/> events.</summary>
    public IEnumerable<ClickEvent> Generate(int count)
    {
        var random = new Random(seed);
        var clock = startMs;
        var recent = new List<ClickEvent>();
        var quietUntil = new long[Users];
        for (var i = 0; i < count; i++)
        {
            clock += random.NextInt64(1, (2 * MeanGapMs) + 1);
            if (recent.Count > 0 && random.NextDouble() < DuplicateRate)
            {
                var original = recent[random.Next(recent.Count)];
                yield return original with { Ts = Math.Max(original.Ts, clock - OutOfOrderMs) };
                continue;
            }
            var user = random.Next(Users);
            for (var attempt = 0; attempt < 64 && quietUntil[user] > clock; attempt++)
            {
                user = random.Next(Users);
            }
            if (random.NextDouble() < 0.05)
            {
                quietUntil[user] = clock + random.NextInt64(10 * 60_000, 40 * 60_000);
            }
            var action = s_actions[random.Next(s_actions.Length)];
            var ts = clock - random.NextInt64(0, OutOfOrderMs + 1);
            var click = new ClickEvent(
                $"e{i:D8}", $"u{user:D3}", s_pages[random.Next(s_pages.Length)], action,
                action == "purchase" ? Math.Round(random.NextDouble() * 200, 2) : 0, s_devices[random.Next(s_devices.Length)], ts);
            recent.Add(click);
            if (recent.Count > 100)
            {
                recent.RemoveAt(0);
            }
            yield return click;
        }
    }
}
