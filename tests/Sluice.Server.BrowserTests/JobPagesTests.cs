using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

public sealed class JobPagesTests(LiveJobServer live) : IClassFixture<LiveJobServer>
{
    [Fact]
    public async Task JobsPage_LiveJob_RecordsReadKeepChanging()
    {
        var page = await live.Browser.NewPageAsync("/");
        var row = page.Locator($"tr[data-job='{live.JobId}']");

        await Expect(row.Locator("a")).ToHaveTextAsync(LiveJobServer.JobName);
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Running");
        var first = await ChangedTextAsync(row.Locator(".records"), "–");
        await ChangedTextAsync(row.Locator(".records"), first);
        await Expect(row.Locator(".rate")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d[\d.]*[kM]?/s$"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobsPage_ClickJob_OpensItsPage()
    {
        var page = await live.Browser.NewPageAsync("/");

        await page.ClickAsync($"tr[data-job='{live.JobId}'] a");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/jobs/{live.JobId}\\?interval=200$"));
        await Expect(page.Locator("h1 .job-name")).ToHaveTextAsync(LiveJobServer.JobName);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobPage_LiveJob_GraphFiguresChartsAndCheckpointsUpdate()
    {
        var page = await live.Browser.NewPageAsync($"/jobs/{live.JobId}");

        await Expect(page.Locator("svg.dag .dag-node")).ToHaveCountAsync(live.PlanNodes);
        await Expect(page.Locator("svg.dag path.edge")).ToHaveCountAsync(live.PlanNodes - 1);
        var source = page.Locator("svg.dag .dag-node").First;
        var rates = await ChangedTextAsync(source.Locator(".node-rates"), "in – · out –");
        await ChangedTextAsync(source.Locator(".node-rates"), rates);
        var sinkWatermark = page.Locator("svg.dag .dag-node").Last.Locator(".node-watermark");
        var watermark = await ChangedTextAsync(sinkWatermark, "watermark –");
        await ChangedTextAsync(sinkWatermark, watermark);
        // Each node shows its task's backpressure (the share of the last poll interval blocked on a full channel).
        await Expect(sinkWatermark).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^wm .+ · bp \d{1,3}%$"));
        var records = await ChangedTextAsync(page.Locator("[data-tile=records] .value"), "0");
        await ChangedTextAsync(page.Locator("[data-tile=records] .value"), records);
        await Expect(page.Locator("svg.chart polyline.series").First).ToHaveAttributeAsync("points", new System.Text.RegularExpressions.Regex(@"^[\d.]+,[\d.]+ [\d.]+,[\d.]+"));
        await Expect(page.Locator("table.checkpoints tbody tr").First).ToBeVisibleAsync();
        var checkpoints = await page.Locator("[data-tile=checkpoints] .value").TextContentAsync();
        await ChangedTextAsync(page.Locator("[data-tile=checkpoints] .value"), checkpoints!);
        await Expect(page.Locator("table.exceptions tbody tr").Last).ToContainTextAsync("Created → Running");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobPage_SavepointThenStop_AsksForTheTokenOnceAndReportsEach()
    {
        using var response = await live.Browser.Fixture.Authorized.PostAsJsonAsync("/api/jobs", new { sql = LiveJobServer.Script(), name = "to-stop", checkpointIntervalMs = 300 });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var page = await live.Browser.NewPageAsync($"/jobs/{id}");
        await Expect(page.Locator(".tile .badge").First).ToHaveTextAsync("Running");
        await Expect(page.Locator("button.savepoint")).ToBeEnabledAsync();

        await page.ClickAsync("button.savepoint");
        await Expect(page.Locator("form.token")).ToBeVisibleAsync();
        await page.FillAsync("input[name=token]", live.Browser.Server.Token);
        await page.ClickAsync("form.token button[type=submit]");

        await Expect(page.Locator(".message.success")).ToHaveTextAsync(new Regex($@"^Savepoint {id}-\d+ taken \(checkpoint \d+\) at .+\.$"));
        await Expect(page.Locator("form.token")).ToBeHiddenAsync();

        await page.ClickAsync("button.stop");

        await Expect(page.Locator(".message.success")).ToHaveTextAsync(new Regex(@"^Job stopped \(\w+\)\.$"));
        await Expect(page.Locator("form.token")).ToBeHiddenAsync();
        await Expect(page.Locator(".tile .badge").First).Not.ToHaveTextAsync("Running");
        await Expect(page.Locator("button.stop")).ToBeDisabledAsync();
        using var job = JsonDocument.Parse(await live.Browser.Fixture.Anonymous.GetStringAsync($"/api/jobs/{id}"));
        job.RootElement.GetProperty("status").GetString().ShouldNotBe("Running");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobPage_UnknownJob_ShowsTheServersSentence()
    {
        var page = await live.Browser.NewPageAsync("/jobs/0123456789abcdef0123456789abcdef");

        await Expect(page.Locator("p.error")).ToContainTextAsync("0123456789abcdef0123456789abcdef");
        await page.Context.CloseAsync();
    }

    /// <summary>Waits until <paramref name="locator"/> shows something other than <paramref name="before"/>, and returns it.</summary>
    private static async Task<string> ChangedTextAsync(ILocator locator, string before)
    {
        await Expect(locator).Not.ToHaveTextAsync(before);
        return (await locator.TextContentAsync())!;
    }
}
