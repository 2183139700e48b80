using System.Text;
using Microsoft.Playwright;
using Sluice.Server.Tests.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

public sealed class DeadLetterPageTests(BrowserServer browser) : IClassFixture<BrowserServer>
{
    [Fact]
    public async Task DlqPage_FilterByReasonAndReplay_AppendsTheRecordToItsOriginTopic()
    {
        DeadLetterWriter.CreateTopics(browser.Server, "clicks");
        DeadLetterWriter.Write(browser.Server, "clicks", "line 1: field 'user' is missing.", "{\"page\":\"/a\"}", location: "line 1");
        DeadLetterWriter.Write(browser.Server, "clicks", "line 2: not JSON.", "{\"page\":", location: "line 2");
        DeadLetterWriter.Write(browser.Server, "clicks", "line 3: field 'user' is missing.", "{\"page\":\"/c\"}", key: "k3", location: "line 3");
        var page = await browser.NewPageAsync("/dlq");

        await Expect(page.Locator("tr[data-dlq='clicks.dlq'] .count").First).ToHaveTextAsync("3");
        await page.ClickAsync("tr[data-dlq='clicks.dlq'] a");
        await Expect(page.Locator("table.dead-letters tbody tr")).ToHaveCountAsync(3);
        await page.FillAsync("input[name=reason]", "not json");
        await page.ClickAsync("form.filters button[type=submit]");
        await Expect(page.Locator("table.dead-letters tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.dead-letters tbody tr pre.payload")).ToHaveTextAsync("{\"page\":");
        await page.SelectOptionAsync("select[name=reason-choice]", "line #: field 'user' is missing.");
        await Expect(page.Locator("table.dead-letters tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("table.dead-letters tbody tr[data-offset='2'] .key")).ToHaveTextAsync("key k3");

        await Expect(page.Locator("form.token")).ToBeHiddenAsync();
        await page.CheckAsync("tr[data-offset='2'] input[type=checkbox]");
        await page.ClickAsync("button.replay");
        await Expect(page.Locator("form.token")).ToBeVisibleAsync();
        await page.FillAsync("input[name=token]", browser.Server.Token);
        await page.ClickAsync("form.token button[type=submit]");

        await Expect(page.Locator(".message.success")).ToHaveTextAsync("Replayed 1 record: appended to clicks partition 0 offset 0.");
        await Expect(page.Locator("form.token")).ToBeHiddenAsync();
        var appended = DeadLetterWriter.ReadAll(browser.Server, "clicks");
        appended.Count.ShouldBe(1);
        Encoding.UTF8.GetString(appended[0].Record.Value!).ShouldBe("{\"page\":\"/c\"}");
        Encoding.UTF8.GetString(appended[0].Record.Key!).ShouldBe("k3");
        page.Url.ShouldEndWith("reason=line+%23%3A+field+%27user%27+is+missing.");

        // Replaying the same record again appends nothing: the page says it was replayed already, and where.
        await page.CheckAsync("tr[data-offset='2'] input[type=checkbox]");
        await page.ClickAsync("button.replay");
        await Expect(page.Locator(".message.success")).ToHaveTextAsync("Nothing appended: skipped 1 record already replayed (at clicks partition 0 offset 0).");
        DeadLetterWriter.ReadAll(browser.Server, "clicks").Count.ShouldBe(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DlqPage_NewDeadLetter_CountChangesWhileOpen()
    {
        DeadLetterWriter.CreateTopics(browser.Server, "views");
        DeadLetterWriter.Write(browser.Server, "views", "bad", "1");
        var page = await browser.NewPageAsync("/dlq");
        var count = page.Locator("tr[data-dlq='views.dlq'] td.count");
        await Expect(count).ToHaveTextAsync("1");

        DeadLetterWriter.Write(browser.Server, "views", "worse", "2");

        await Expect(count).ToHaveTextAsync("2");
        await Expect(page.Locator("tr[data-dlq='views.dlq'] .reasons")).ToContainTextAsync("worse");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DlqPage_WrongToken_SaysSoAndReplaysNothing()
    {
        DeadLetterWriter.CreateTopics(browser.Server, "taps");
        DeadLetterWriter.Write(browser.Server, "taps", "bad", "{}");
        var page = await browser.NewPageAsync("/dlq?topic=taps.dlq");
        await page.EvaluateAsync("() => sessionStorage.setItem('sluice.token', 'not-the-token')");

        await page.CheckAsync("tr[data-offset='0'] input[type=checkbox]");
        await page.ClickAsync("button.replay");

        await Expect(page.Locator(".message.error")).ToHaveTextAsync("Nothing was replayed: the API token is missing or wrong.");
        await Expect(page.Locator("form.token .token-prompt")).ToContainTextAsync("refused the API token");
        DeadLetterWriter.ReadAll(browser.Server, "taps").ShouldBeEmpty();
        await page.Context.CloseAsync();
    }
}
