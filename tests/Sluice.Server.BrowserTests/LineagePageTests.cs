using Microsoft.Extensions.DependencyInjection;
using Sluice.Lineage;
using Sluice.Server.Lineage;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

public sealed class LineagePageTests(BrowserServer browser) : IClassFixture<BrowserServer>
{
    [Fact]
    public async Task LineagePage_JobRuns_DrawsDatasetsAndShowsTheLastState()
    {
        var lineage = browser.Server.Services.GetRequiredService<ServerLineage>();
        var input = DatasetNames.Kafka("broker:9092", "clicks");
        var output = DatasetNames.File("/lake/clicks_per_user").WithSchema([new SchemaField("user_id", "BIGINT")]);
        var run = LineageRunScope.Start(lineage, LineageJobNames.Job("default", "clicks-per-user", ProcessingType.Streaming, LineageJobTypes.Job), [input], [output]);
        var page = await browser.NewPageAsync("/lineage");
        var row = page.Locator("table.lineage-jobs tr[data-job='clicks-per-user']");

        await Expect(row.Locator(".state")).ToContainTextAsync("START");
        await Expect(page.Locator("svg.lineage-graph g.lineage-node.dataset[data-id='dataset:kafka://broker:9092/clicks']")).ToHaveCountAsync(1);
        await Expect(page.Locator("svg.lineage-graph line.lineage-edge[data-from='job:default/clicks-per-user'][data-to='dataset:file//lake/clicks_per_user']")).ToHaveCountAsync(1);
        run.Fail(new InvalidOperationException("sink full"));

        await Expect(row.Locator(".state")).ToContainTextAsync("FAIL sink full");
        await Expect(page.Locator("svg.lineage-graph g.lineage-node.job.fail")).ToHaveCountAsync(1);
        await page.ClickAsync("a[data-nav=topics]");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Topics");
        await page.Context.CloseAsync();
    }
}
