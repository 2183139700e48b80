using System.Net;
using Sluice.Log;
using static Sluice.Server.Tests.Ingest.IngestTestSupport;

namespace Sluice.Server.Tests.Ingest;

public sealed class IngestIdempotencyTests
{
    [Fact]
    public async Task Retry_SameKeySameBody_GetsTheFirstAnswerWithoutAppending()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        using (var warmup = await PostAsync(fixture.Authorized, "/ingest/events", "{\"w\":1}\n"))
        {
            warmup.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var first = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":1}\n{\"a\":2}\n", idempotencyKey: "order-17");
        using var retry = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":1}\n{\"a\":2}\n", idempotencyKey: "order-17");

        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await retry.Content.ReadAsStringAsync()).ShouldBe("""{"topic":"events","offsets":[{"partition":0,"first":1,"last":2}],"accepted":2,"deadLettered":0}""");
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        first.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(3);
    }

    [Fact]
    public async Task Retry_SameKeyOtherBody_Is422AndAppendsNothing()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        using var first = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":1}\n", idempotencyKey: "k1");

        using var other = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":2}\n", idempotencyKey: "k1");

        other.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await JsonAsync(other)).GetProperty("detail").GetString().ShouldBe("Idempotency-Key 'k1' was used for another body or format on topic 'events' within 24 h: use a new key for a new request.");
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(1);
    }

    [Fact]
    public async Task Retry_AfterARejectedRequest_IsProcessedAfresh()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        using var bad = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":\n", idempotencyKey: "k2");

        using var good = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":1}\n", idempotencyKey: "k2");

        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        good.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(1);
    }

    [Fact]
    public async Task Key_InvalidCharacters_Is400()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":1}\n", idempotencyKey: new string('k', 256));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Retry_AfterRestart_IsAnsweredFromTheRecordsHeaders()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-ingest-").FullName;
        try
        {
            string firstAnswer;
            await using (var fixture = await ServerFixture.StartAsync(directory))
            {
                LogOf(fixture).CreateTopic("events", new TopicConfig { Partitions = 3 });
                using var response = await PostAsync(fixture.Authorized, "/ingest/events?key=u", "{\"u\":\"a\"}\n{\"u\":\"b\"}\n{\"u\":\"c\"}\n{\"u\":\"d\"}\n", idempotencyKey: "batch-1");
                response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
                firstAnswer = await response.Content.ReadAsStringAsync();
            }

            await using (var restarted = await ServerFixture.StartAsync(directory))
            {
                var ends = Enumerable.Range(0, 3).Select(p => LogOf(restarted).GetPartition("events", p).EndOffset).ToArray();
                using var retry = await PostAsync(restarted.Authorized, "/ingest/events?key=u", "{\"u\":\"a\"}\n{\"u\":\"b\"}\n{\"u\":\"c\"}\n{\"u\":\"d\"}\n", idempotencyKey: "batch-1");
                using var changed = await PostAsync(restarted.Authorized, "/ingest/events?key=u", "{\"u\":\"e\"}\n", idempotencyKey: "batch-1");

                retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
                (await retry.Content.ReadAsStringAsync()).ShouldBe(firstAnswer);
                changed.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
                Enumerable.Range(0, 3).Select(p => LogOf(restarted).GetPartition("events", p).EndOffset).ShouldBe(ends);
                ends.Sum().ShouldBe(4);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
