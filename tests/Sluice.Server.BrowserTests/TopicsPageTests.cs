using System.Text;
using Sluice.Log;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Server.BrowserTests;

public sealed class TopicsPageTests(BrowserServer browser) : IClassFixture<BrowserServer>
{
    [Fact]
    public async Task TopicsPage_Appends_EndOffsetAndGroupLagChange()
    {
        var log = browser.Server.Context.Log;
        var topic = log.CreateTopic("payments", new TopicConfig { Partitions = 2 });
        Append(topic, partition: 1, count: 3);
        log.Groups.Commit("billing", [new TopicPartitionOffset("payments", 1, 1)]);
        var page = await browser.NewPageAsync("/topics");
        var partition = page.Locator("table.topics tr[data-topic='payments'][data-partition='1']");
        var lag = page.Locator("table.groups tr[data-group='billing'][data-topic='payments'][data-partition='1'] .lag");

        await Expect(partition.Locator(".end-offset")).ToHaveTextAsync("3");
        await Expect(lag).ToHaveTextAsync("2");
        Append(topic, partition: 1, count: 4);

        await Expect(partition.Locator(".end-offset")).ToHaveTextAsync("7");
        await Expect(lag).ToHaveTextAsync("6");
        await Expect(page.Locator("table.topics tr[data-topic='payments'][data-partition='0'] .end-offset")).ToHaveTextAsync("0");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TopicsPage_TopicWithDeadLetters_LinksToTheBrowser()
    {
        Sluice.Server.Tests.Dashboard.DeadLetterWriter.CreateTopics(browser.Server, "signups");
        var page = await browser.NewPageAsync("/topics");

        await page.ClickAsync("tr[data-topic='signups'] a.dlq-link");

        await Expect(page.Locator("section.dlq-browser h2")).ToContainTextAsync("signups.dlq");
        await page.Context.CloseAsync();
    }

    private static void Append(TopicLog topic, int partition, int count)
    {
        var records = new ProducerRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = ProducerRecord.FromArrays(null, Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
        }
        topic.GetPartition(partition).Append(records);
    }
}
