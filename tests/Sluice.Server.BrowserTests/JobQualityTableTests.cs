using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

/// <summary>The job page's data-quality table with the quality report's columns (pass rate of the last minute).</summary>
public sealed class JobQualityTableTests(BrowserServer browser) : IClassFixture<BrowserServer>
{
    private const string Sql = """
        CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'seed' = '7');
        CREATE TABLE sink (id BIGINT, CONSTRAINT id_positive CHECK (id > 0) ON VIOLATION WARN) WITH ('connector' = 'blackhole');
        INSERT INTO sink SELECT id FROM gen;
        """;

    [Fact]
    public async Task JobPage_JobWithACheck_ShowsTheRuleWithItsLastMinutePassRate()
    {
        using var response = await browser.Fixture.Authorized.PostAsJsonAsync("/api/jobs", new { sql = Sql, name = "checked", checkpointIntervalMs = 200 });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        using var submitted = JsonDocument.Parse(text);
        var id = submitted.RootElement.GetProperty("id").GetString()!;

        var page = await browser.NewPageAsync($"/jobs/{id}");
        var row = page.Locator("table.rules tbody tr").First;

        await Expect(row).ToContainTextAsync("id_positive");
        // Columns: operator, rule, kind, action, passed, failed, pass rate, last minute, first failing record.
        await Expect(row.Locator("td").Nth(7)).ToHaveTextAsync(new Regex(@"^\d{1,3}\.\d{2} %$"));
        await page.Context.CloseAsync();
    }
}
