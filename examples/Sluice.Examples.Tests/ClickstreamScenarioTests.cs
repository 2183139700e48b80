using Sluice.Examples.Clickstream;

namespace Sluice.Examples.Tests;

/// <summary>
/// The seeds' click-stream scenarios, each checked against an independent LINQ computation over the generated
/// input (never against the engine's own output).
/// </summary>
public class ClickstreamScenarioTests
{
    private static readonly List<ClickEvent> s_clicks = new ClickGenerator(seed: 7).Generate(20_000).ToList();

    private static StreamEnvironment Env(int parallelism) => StreamEnvironment.Create(new JobOptions { Parallelism = parallelism, BatchSize = 128 });

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task PageViewsPerMinute_OutOfOrderWithinBound_CountsEveryViewOnce(int parallelism)
    {
        var env = Env(parallelism);
        var sink = ClickPipelines.PageViewsPerMinute(env.FromCollection(s_clicks, ClickPipelines.Watermarks)).Collect();
        await env.ExecuteAsync();

        var expected = s_clicks.Where(c => c.Action == "view")
            .GroupBy(c => (c.Page, Start: c.Ts - (c.Ts % 60_000)))
            .Select(g => new PageCount(g.Key.Page, g.Key.Start, g.Key.Start + 60_000, g.Count()));
        sink.Items.OrderBy(p => p.Page, StringComparer.Ordinal).ThenBy(p => p.WindowStart)
            .ShouldBe(expected.OrderBy(p => p.Page, StringComparer.Ordinal).ThenBy(p => p.WindowStart));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Sessions_ProcessFunctionAndSessionWindows_GiveIdenticalSessions(int parallelism)
    {
        var gap = TimeSpan.FromMinutes(15);
        var env = Env(parallelism);
        var clicks = env.FromCollection(s_clicks, ClickPipelines.Watermarks);
        var byWindows = ClickPipelines.SessionsWithWindows(clicks, gap).Collect();
        var byProcess = ClickPipelines.SessionsWithProcessFunction(clicks, gap).Collect();
        await env.ExecuteAsync();

        var expected = ExpectedSessions(s_clicks, (long)gap.TotalMilliseconds);
        expected.Count.ShouldBeGreaterThan(50, "the generator must produce many sessions for the test to mean something");
        Sorted(byWindows.Items).ShouldBe(expected);
        Sorted(byProcess.Items).ShouldBe(expected);
    }

    [Fact]
    public async Task HourlyActivity_SlidingHourEveryTenMinutes_CountsEachClickInSixWindows()
    {
        var env = Env(2);
        var sink = ClickPipelines.HourlyActivity(env.FromCollection(s_clicks, ClickPipelines.Watermarks)).Collect();
        await env.ExecuteAsync();

        const long Slide = 600_000, Size = 3_600_000;
        var expected = s_clicks
            .SelectMany(c => Enumerable.Range(0, (int)(Size / Slide)).Select(k => (c.UserId, Start: c.Ts - (c.Ts % Slide) - (k * Slide))))
            .GroupBy(x => x)
            .Select(g => new UserActivity(g.Key.UserId, g.Key.Start, g.Key.Start + Size, g.Count()))
            .OrderBy(a => a.UserId, StringComparer.Ordinal).ThenBy(a => a.WindowStart).ToList();
        sink.Items.OrderBy(a => a.UserId, StringComparer.Ordinal).ThenBy(a => a.WindowStart).ToList().ShouldBe(expected);
        sink.Items.Sum(a => a.Clicks).ShouldBe(s_clicks.Count * 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Deduplicate_ByEventId_KeepsFirstOccurrenceAndRoutesRepeats(int parallelism)
    {
        var env = Env(parallelism);
        var duplicatesTag = new OutputTag<ClickEvent>("duplicates");
        var unique = ClickPipelines.Deduplicate(env.FromCollection(s_clicks, ClickPipelines.Watermarks), duplicatesTag);
        var uniqueSink = unique.Collect();
        var duplicateSink = unique.GetSideOutput(duplicatesTag).Collect();
        await env.ExecuteAsync();

        var firsts = s_clicks.GroupBy(c => c.EventId).Select(g => g.First()).ToList();
        (s_clicks.Count - firsts.Count).ShouldBeGreaterThan(100, "the generator must produce duplicates");
        uniqueSink.Items.OrderBy(c => c.EventId, StringComparer.Ordinal).ShouldBe(firsts.OrderBy(c => c.EventId, StringComparer.Ordinal));
        duplicateSink.Count.ShouldBe(s_clicks.Count - firsts.Count);
    }

    private static List<UserSession> ExpectedSessions(IEnumerable<ClickEvent> clicks, long gap)
    {
        var sessions = new List<UserSession>();
        foreach (var user in clicks.GroupBy(c => c.UserId))
        {
            var times = user.Select(c => c.Ts).Order().ToList();
            var start = times[0];
            var last = times[0];
            var count = 1L;
            foreach (var t in times.Skip(1))
            {
                if (t > last + gap)
                {
                    sessions.Add(new UserSession(user.Key, start, last + gap, count));
                    start = t;
                    count = 0;
                }
                last = t;
                count++;
            }
            sessions.Add(new UserSession(user.Key, start, last + gap, count));
        }
        return Sorted(sessions);
    }

    private static List<UserSession> Sorted(IEnumerable<UserSession> sessions) =>
        sessions.OrderBy(s => s.UserId, StringComparer.Ordinal).ThenBy(s => s.Start).ToList();
}
