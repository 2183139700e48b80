using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sluice.Log;
using Sluice.Server.Tests.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

/// <summary>
/// Saves a PNG of every page with a live job, for docs/images/: set <c>SLUICE_SCREENSHOTS</c> to the directory
/// (<c>SLUICE_SCREENSHOTS=$PWD/docs/images dotnet test tests/Sluice.Server.BrowserTests -c Release --filter Screenshots</c>);
/// without it the PNGs go to a temporary directory, so the test still checks every page renders.
/// </summary>
public sealed partial class DashboardScreenshotTests(LiveJobServer live) : IClassFixture<LiveJobServer>
{
    [Fact]
    public async Task Screenshots_EveryPage_SavesAPngOfIt()
    {
        var target = Environment.GetEnvironmentVariable("SLUICE_SCREENSHOTS");
        var directory = target ?? Directory.CreateTempSubdirectory("sluice-screenshots-").FullName;
        try
        {
            var server = live.Browser.Server;
            DeadLetterWriter.CreateTopics(server, "clicks", partitions: 2);
            DeadLetterWriter.Write(server, "clicks", "line 2: field 'user' is missing.", "{\"page\":\"/pricing\",\"ts\":1765000000}", location: "line 2");
            DeadLetterWriter.Write(server, "clicks", "line 5: not JSON: unexpected end of input at byte 11.", "{\"page\":\"/do", location: "line 5");
            DeadLetterWriter.Write(server, "clicks", "line 9: field 'user' is missing.", "{\"page\":\"/docs\",\"ts\":1765000042}", key: "s-42", location: "line 9");
            var clicks = server.Context.Log.GetTopic("clicks");
            for (var i = 0; i < 8; i++)
            {
                clicks.GetPartition(i % 2).Append([ProducerRecord.FromArrays(null, Encoding.UTF8.GetBytes($"{{\"page\":\"/p{i}\",\"user\":\"u{i}\"}}"))]);
            }
            server.Context.Log.Groups.Commit("sessionizer", [new TopicPartitionOffset("clicks", 0, 3), new TopicPartitionOffset("clicks", 1, 4)]);

            var page = await live.Browser.NewPageAsync("/");
            await Expect(page.Locator($"tr[data-job='{live.JobId}'] .rate")).ToHaveTextAsync(Rate());
            await SaveAsync(page, directory, "dashboard-jobs.png");

            await page.ClickAsync($"tr[data-job='{live.JobId}'] a");
            await Expect(page.Locator("svg.chart polyline.series").First).ToHaveAttributeAsync("points", TenPoints());
            await Expect(page.Locator("table.checkpoints tbody tr").Nth(2)).ToBeVisibleAsync();
            await SaveAsync(page, directory, "dashboard-job.png");

            await page.ClickAsync("a[data-nav=topics]");
            await Expect(page.Locator("main table").First).ToBeVisibleAsync();
            await SaveAsync(page, directory, "dashboard-topics.png");

            await page.ClickAsync("a[data-nav=dlq]");
            await page.ClickAsync("tr[data-dlq='clicks.dlq'] a");
            await Expect(page.Locator("table.dead-letters tbody tr")).ToHaveCountAsync(3);
            await page.CheckAsync("tr[data-offset='2'] input[type=checkbox]");
            await SaveAsync(page, directory, "dashboard-dlq.png");
            await page.Context.CloseAsync();

            foreach (var name in (string[])["dashboard-jobs.png", "dashboard-job.png", "dashboard-topics.png", "dashboard-dlq.png"])
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, name));
                bytes[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, name);
            }
        }
        finally
        {
            if (target is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static Task SaveAsync(IPage page, string directory, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name), FullPage = true });

    [GeneratedRegex(@"^\d[\d.]*[kM]?/s$")]
    private static partial Regex Rate();

    [GeneratedRegex(@"^([\d.]+,[\d.]+ ){9}")]
    private static partial Regex TenPoints();
}
