using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

public sealed class DagPageTests(DagServer dags) : IClassFixture<DagServer>
{
    private BrowserServer Browser => dags.Browser;

    [Fact]
    public async Task DagsPage_RetriedTask_ShowsTheGraphTheGridAndTheFailedAttemptsLog()
    {
        var page = await Browser.NewPageAsync("/dags");
        var row = page.Locator("table.dags tr[data-dag='etl']");
        await Expect(row.Locator("td.state")).ToHaveTextAsync("success");
        await page.ClickAsync("table.dags tr[data-dag='etl'] a");
        await Expect(page.Locator("h1")).ToHaveTextAsync("DAGs / etl");

        // The run of the history selected (a triggered run may be newer): the graph shows its tasks' states.
        await page.ClickAsync($"table.dag-grid button.run-head[data-run='{DagServer.RunId}']");
        await Expect(page.Locator("table.dag-grid th.selected button.run-head")).ToHaveAttributeAsync("data-run", DagServer.RunId);

        // The graph: four tasks in longest-path layers (extract; load and notify; report), coloured by the run's states.
        var nodes = page.Locator("svg.dag-tasks g.task-node");
        await Expect(nodes).ToHaveCountAsync(4);
        await Expect(page.Locator("svg.dag-tasks g.task-node[data-state='success']")).ToHaveCountAsync(4);
        await Expect(page.Locator("svg.dag-tasks line.task-edge")).ToHaveCountAsync(3);
        await Expect(page.Locator("svg.dag-tasks line.task-edge[data-from='load'][data-to='report']")).ToHaveCountAsync(1);
        var x = new Dictionary<string, float>();
        foreach (var task in (string[])["extract", "load", "notify", "report"])
        {
            x[task] = (await page.Locator($"svg.dag-tasks g.task-node[data-task='{task}'] rect").BoundingBoxAsync())!.X;
        }
        x["load"].ShouldBeGreaterThan(x["extract"]);
        x["notify"].ShouldBe(x["load"]);
        x["report"].ShouldBeGreaterThan(x["load"]);

        // The grid: the run's column, one cell per task, each in its state.
        await Expect(page.Locator($"table.dag-grid button.run-head[data-run='{DagServer.RunId}']")).ToHaveAttributeAsync("data-state", "success");
        await Expect(page.Locator($"table.dag-grid button.cell[data-run='{DagServer.RunId}']")).ToHaveCountAsync(4);
        await Expect(page.Locator($"table.dag-grid button.cell[data-run='{DagServer.RunId}'][data-state='success']")).ToHaveCountAsync(4);
        var load = page.Locator($"table.dag-grid tr[data-task='load'] button.cell[data-run='{DagServer.RunId}']");
        await Expect(load).ToHaveAttributeAsync("data-state", "success");

        // The attempts of load: the failure with its error and log (markup shown as text), then the success.
        await load.ClickAsync();
        var attempts = page.Locator("table.attempts-table tbody tr");
        await Expect(attempts).ToHaveCountAsync(2);
        await Expect(page.Locator("table.attempts-table tr[data-attempt='1'] td.state")).ToHaveTextAsync("failed");
        await Expect(page.Locator("table.attempts-table tr[data-attempt='1'] td.error")).ToHaveTextAsync("the command exited with code 1");
        await Expect(page.Locator("table.attempts-table tr[data-attempt='2'] td.state")).ToHaveTextAsync("success");
        // The newest attempt's log is open and loaded; an older one loads only when it is opened.
        await Expect(page.Locator("pre.attempt-log[data-attempt='2']")).ToContainTextAsync("loaded");
        await Expect(page.Locator("details.attempt[data-attempt='1']")).Not.ToHaveAttributeAsync("open", "");
        await Expect(page.Locator("pre.attempt-log[data-attempt='1']")).ToHaveTextAsync("");
        await page.ClickAsync("details.attempt[data-attempt='1'] summary");
        await Expect(page.Locator("pre.attempt-log[data-attempt='1']")).ToContainTextAsync(DagServer.FailedLogLine);
        await Expect(page.Locator("pre.attempt-log b")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DagPage_UnknownDag_SaysSoInsteadOfLoading()
    {
        var page = await Browser.NewPageAsync("/dags/no-such-dag");

        await Expect(page.Locator(".graph-box p.no-dag")).ToHaveTextAsync("There is no DAG 'no-such-dag' on this server: see the list of DAGs.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DagPage_Graph_FollowsTheNewestRunUntilAColumnIsClicked()
    {
        var page = await Browser.NewPageAsync($"/dags/{DagServer.DagId}");
        var selected = page.Locator("table.dag-grid th.selected button.run-head");
        // Unpinned: the newest run (the API lists newest first).
        await Expect(selected).ToHaveAttributeAsync("data-run", (await RunIdsAsync())[0]);

        // Pinned to the history's run: a run created meanwhile (newer than it) shows up, the selection stays.
        await page.ClickAsync($"table.dag-grid button.run-head[data-run='{DagServer.RunId}']");
        await Expect(selected).ToHaveAttributeAsync("data-run", DagServer.RunId);
        using var response = await Browser.Fixture.Authorized.PostAsync($"/api/dags/{DagServer.DagId}/runs",
            new StringContent("{\"logical_date\": \"2024-06-01T00:00:00Z\"}", System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var created = body.RootElement.GetProperty("run").GetProperty("run_id").GetString()!;
        await Expect(page.Locator($"table.dag-grid button.run-head[data-run='{created}']")).ToHaveCountAsync(1);
        await Expect(selected).ToHaveAttributeAsync("data-run", DagServer.RunId);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DagPage_TriggerWithTheToken_CreatesARunThatShowsUpInTheGrid()
    {
        var page = await Browser.NewPageAsync($"/dags/{DagServer.DagId}");
        await Expect(page.Locator("table.dag-grid button.cell")).Not.ToHaveCountAsync(0);
        var before = await RunIdsAsync();

        await Expect(page.Locator("form.token")).ToBeHiddenAsync();
        await page.ClickAsync("button.trigger");
        await Expect(page.Locator("form.token")).ToBeVisibleAsync();
        await page.FillAsync("input[name=token]", Browser.Server.Token);
        await page.ClickAsync("form.token button[type=submit]");

        await Expect(page.Locator(".message.success")).ToContainTextAsync("Triggered run manual__");
        var after = await RunIdsAsync();
        after.Count.ShouldBe(before.Count + 1);
        var created = after.Except(before).Single();
        (await page.Locator(".message.success").TextContentAsync()).ShouldBe($"Triggered run {created}.");
        // The new run is the newest column, selected, and its tasks run to success on the server's scheduler.
        await Expect(page.Locator("table.dag-grid button.run-head").Last).ToHaveAttributeAsync("data-run", created);
        await Expect(page.Locator("table.dag-grid th.selected button.run-head")).ToHaveAttributeAsync("data-run", created);
        await Expect(page.Locator($"table.dag-grid button.run-head[data-run='{created}']")).ToHaveAttributeAsync("data-state", "success");
        await Expect(page.Locator("svg.dag-tasks g.task-node[data-state='success']")).ToHaveCountAsync(4);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Saves a PNG of a DAG's page with the retried task's attempts open, for docs/images/ (<c>SLUICE_SCREENSHOTS</c>, as
    /// <see cref="DashboardScreenshotTests"/>; without it the PNG goes to a temporary directory).
    /// </summary>
    [Fact]
    public async Task Screenshots_DagPage_SavesAPngOfIt()
    {
        var target = Environment.GetEnvironmentVariable("SLUICE_SCREENSHOTS");
        var directory = target ?? Directory.CreateTempSubdirectory("sluice-screenshots-").FullName;
        try
        {
            var page = await Browser.NewPageAsync($"/dags/{DagServer.DagId}");
            await page.ClickAsync($"table.dag-grid tr[data-task='load'] button.cell[data-run='{DagServer.RunId}']");
            await Expect(page.Locator("pre.attempt-log[data-attempt='2']")).ToContainTextAsync("loaded");
            var path = Path.Combine(directory, "dashboard-dag.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            await page.Context.CloseAsync();

            (await File.ReadAllBytesAsync(path))[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        }
        finally
        {
            if (target is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private async Task<List<string>> RunIdsAsync()
    {
        using var json = JsonDocument.Parse(await Browser.Fixture.Anonymous.GetStringAsync($"/api/dags/{DagServer.DagId}/runs"));
        return [.. json.RootElement.EnumerateArray().Select(r => r.GetProperty("run").GetProperty("run_id").GetString()!)];
    }
}
