using System.Net;
using System.Text.Json;
using Sluice.Log;

namespace Sluice.Server.Tests.Log;

public sealed class LogApiTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-server-log-").FullName;

    /// <summary>Before the server starts: topic 'clicks' (2 partitions: 3 and 1 records), topic 'empty', group 'g' at offset 1 of clicks/0.</summary>
    private void Seed()
    {
        using var log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        var clicks = log.CreateTopic("clicks", new TopicConfig { Partitions = 2, RetentionBytes = 1_000_000 });
        clicks.GetPartition(0).Append([new ProducerRecord(null, "a"u8.ToArray()), new ProducerRecord(null, "b"u8.ToArray()), new ProducerRecord(null, "c"u8.ToArray())]);
        clicks.GetPartition(1).Append([new ProducerRecord(null, "d"u8.ToArray())]);
        log.CreateTopic("empty");
        log.Groups.Commit("g", [new TopicPartitionOffset("clicks", 0, 1)]);
        log.Flush();
    }

    [Fact]
    public async Task Topics_SeededLog_ListsPartitionsOffsetsAndSizes()
    {
        Seed();
        await using var fixture = await ServerFixture.StartAsync(_directory);

        using var json = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/api/topics"));

        var topics = json.RootElement.EnumerateArray().ToList();
        topics.Select(t => t.GetProperty("name").GetString()).ShouldBe(["clicks", "empty"]);
        var clicks = topics[0];
        clicks.GetProperty("partitionCount").GetInt32().ShouldBe(2);
        clicks.GetProperty("records").GetInt64().ShouldBe(4);
        var partitions = clicks.GetProperty("partitions").EnumerateArray().ToList();
        partitions[0].GetProperty("startOffset").GetInt64().ShouldBe(0);
        partitions[0].GetProperty("endOffset").GetInt64().ShouldBe(3);
        partitions[1].GetProperty("endOffset").GetInt64().ShouldBe(1);
        partitions[0].GetProperty("sizeBytes").GetInt64().ShouldBeGreaterThan(0);
        clicks.GetProperty("sizeBytes").GetInt64().ShouldBe(partitions[0].GetProperty("sizeBytes").GetInt64() + partitions[1].GetProperty("sizeBytes").GetInt64());
        topics[1].GetProperty("records").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Topic_ByName_ShowsItsConfig()
    {
        Seed();
        await using var fixture = await ServerFixture.StartAsync(_directory);

        using var json = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/api/topics/clicks"));

        json.RootElement.GetProperty("name").GetString().ShouldBe("clicks");
        json.RootElement.GetProperty("config").GetProperty("retentionBytes").GetInt64().ShouldBe(1_000_000);
        json.RootElement.GetProperty("config").GetProperty("cleanupPolicy").GetString().ShouldBe("Delete");
    }

    [Fact]
    public async Task Topic_Unknown_Is404NamingIt()
    {
        await using var fixture = await ServerFixture.StartAsync(_directory);

        using var response = await fixture.Anonymous.GetAsync("/api/topics/nope");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString().ShouldBe("The log has no topic 'nope': list the topics with GET /api/topics.");
    }

    [Fact]
    public async Task Groups_SeededGroup_ListsItWithItsTotalLag()
    {
        Seed();
        await using var fixture = await ServerFixture.StartAsync(_directory);

        using var json = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/api/groups"));

        var groups = json.RootElement.EnumerateArray().ToList();
        groups.Count.ShouldBe(1);
        groups[0].GetProperty("group").GetString().ShouldBe("g");
        groups[0].GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ShouldBe(["clicks"]);
        groups[0].GetProperty("totalLag").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Group_ByName_ShowsLagPerPartition()
    {
        Seed();
        await using var fixture = await ServerFixture.StartAsync(_directory);

        using var json = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/api/groups/g"));

        var partitions = json.RootElement.GetProperty("partitions").EnumerateArray().ToList();
        partitions.Count.ShouldBe(1);
        partitions[0].GetProperty("topic").GetString().ShouldBe("clicks");
        partitions[0].GetProperty("partition").GetInt32().ShouldBe(0);
        partitions[0].GetProperty("committed").GetInt64().ShouldBe(1);
        partitions[0].GetProperty("endOffset").GetInt64().ShouldBe(3);
        partitions[0].GetProperty("lag").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Group_Unknown_Is404NamingIt()
    {
        await using var fixture = await ServerFixture.StartAsync(_directory);

        using var response = await fixture.Anonymous.GetAsync("/api/groups/nobody");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString()!.ShouldStartWith("The log has no consumer group 'nobody'");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
