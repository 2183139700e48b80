using System.Net;
using System.Text.Json;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Server.Ingest;
using static Sluice.Server.Tests.Ingest.IngestTestSupport;

namespace Sluice.Server.Tests.Ingest;

public sealed class IngestEndpointTests
{
    [Fact]
    public async Task Post_WithoutToken_Is401AndAppendsNothing()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Anonymous, "/ingest/events", """{"a":1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_SingleObject_Is202WithItsOffsetAndStoresItsBytes()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", "{ \"user\": \"ann\",\n  \"n\": 1 }\n", "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = await JsonAsync(response);
        answer.GetProperty("topic").GetString().ShouldBe("events");
        answer.GetProperty("accepted").GetInt64().ShouldBe(1);
        answer.GetProperty("deadLettered").GetInt32().ShouldBe(0);
        var offsets = answer.GetProperty("offsets");
        offsets.GetArrayLength().ShouldBe(1);
        offsets[0].GetProperty("partition").GetInt32().ShouldBe(0);
        offsets[0].GetProperty("first").GetInt64().ShouldBe(0);
        offsets[0].GetProperty("last").GetInt64().ShouldBe(0);
        var records = Read(LogOf(fixture), "events");
        records.Count.ShouldBe(1);
        Utf8(records[0].Value).ShouldBe("{ \"user\": \"ann\",\n  \"n\": 1 }");
        records[0].Key.ShouldBeNull();
    }

    [Fact]
    public async Task Post_SingleObject_AnswerIsTheDocumentedJson()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        using (var first = await PostAsync(fixture.Authorized, "/ingest/events", """{"n":1}""", "application/json"))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", """{"n":2}""", "application/json");

        const string expected = """{"topic":"events","offsets":[{"partition":0,"first":1,"last":1}],"accepted":1,"deadLettered":0}""";
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        response.Content.Headers.ContentType!.ToString().ShouldBe("application/json; charset=utf-8");
        (await response.Content.ReadAsStringAsync()).ShouldBe(expected);
    }

    [Fact]
    public async Task Post_RecordsOverTwoPartitions_AnswerListsEachPartitionInOrder()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events", new TopicConfig { Partitions = 2 });
        // Key "a" and a second key that Kafka's default partitioner (murmur2) puts in the other partition.
        var partitionOfA = KafkaPartitioner.PartitionForKey("a"u8, 2);
        var other = "bcdefghijk".Select(c => c.ToString()).First(k => KafkaPartitioner.PartitionForKey(System.Text.Encoding.UTF8.GetBytes(k), 2) != partitionOfA);

        using var response = await PostAsync(fixture.Authorized, "/ingest/events?key=k", $"{{\"k\":\"a\"}}\n{{\"k\":\"{other}\"}}\n{{\"k\":\"a\"}}\n");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var (aLast, otherLast) = (1, 0);
        var expected = partitionOfA == 0
            ? $$"""{"topic":"events","offsets":[{"partition":0,"first":0,"last":{{aLast}}},{"partition":1,"first":0,"last":{{otherLast}}}],"accepted":3,"deadLettered":0}"""
            : $$"""{"topic":"events","offsets":[{"partition":0,"first":0,"last":{{otherLast}}},{"partition":1,"first":0,"last":{{aLast}}}],"accepted":3,"deadLettered":0}""";
        (await response.Content.ReadAsStringAsync()).ShouldBe(expected);
    }

    [Fact]
    public async Task Post_Array_StoresEachElementAsSent()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", """[{"a":1}, {"b" : [2,3]},{"c":"x"}]""", "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await JsonAsync(response)).GetProperty("accepted").GetInt64().ShouldBe(3);
        Read(LogOf(fixture), "events").Select(r => Utf8(r.Value)).ShouldBe(["""{"a":1}""", """{"b" : [2,3]}""", """{"c":"x"}"""]);
    }

    [Fact]
    public async Task Post_NdjsonWithKeyField_KeysRecordsAndPartitionsByKey()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events", new TopicConfig { Partitions = 4 });
        var body = "{\"user\":\"ann\",\"n\":1}\r\n\n{\"user\":\"bob\",\"n\":2}\n{\"user\":\"ann\",\"n\":3}\n{\"n\":4}\n";

        using var response = await PostAsync(fixture.Authorized, "/ingest/events?key=user", body);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = await JsonAsync(response);
        answer.GetProperty("accepted").GetInt64().ShouldBe(4);
        var all = Enumerable.Range(0, 4).SelectMany(p => Read(LogOf(fixture), "events", p).Select(r => (Partition: p, Record: r))).ToList();
        all.Count.ShouldBe(4);
        var ann = all.Where(x => Utf8(x.Record.Key) == "ann").ToList();
        ann.Select(x => Utf8(x.Record.Value)).ShouldBe(["""{"user":"ann","n":1}""", """{"user":"ann","n":3}"""]);
        ann.Select(x => x.Partition).Distinct().Single().ShouldBe(KafkaPartitioner.PartitionForKey("ann"u8, 4));
        all.Single(x => Utf8(x.Record.Key) == "bob").Partition.ShouldBe(KafkaPartitioner.PartitionForKey("bob"u8, 4));
        all.Single(x => x.Record.Key is null).Record.Value.ShouldBe("""{"n":4}"""u8.ToArray());
        answer.GetProperty("offsets").EnumerateArray().Sum(o => o.GetProperty("last").GetInt64() - o.GetProperty("first").GetInt64() + 1).ShouldBe(4);
    }

    [Fact]
    public async Task Post_TimestampField_SetsRecordTimestamps()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events?timestamp=ts", "{\"ts\":1700000000123}\n{\"ts\":\"2026-12-06T01:02:03.004Z\"}\n");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        Read(LogOf(fixture), "events").Select(r => r.TimestampMs).ShouldBe([1_700_000_000_123L, 1_796_518_923_004L]);
    }

    [Fact]
    public async Task Post_UnknownTopic_Is404NamingIt()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await PostAsync(fixture.Authorized, "/ingest/nowhere", """{"a":1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await JsonAsync(response)).GetProperty("detail").GetString()!.ShouldContain("Topic 'nowhere' does not exist");
        LogOf(fixture).TryGetTopic("nowhere", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Post_CreateTrue_CreatesTheTopicWithThePartitionsAsked()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await PostAsync(fixture.Authorized, "/ingest/fresh?create=true&partitions=3", """{"a":1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        LogOf(fixture).GetTopic("fresh").PartitionCount.ShouldBe(3);
    }

    [Fact]
    public async Task Post_MalformedLine_Is400NamingLineAndAppendsNothing()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", "{\"a\":1}\n{\"a\":2}\n{\"a\":}\n{\"a\":4}\n");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await JsonAsync(response);
        problem.GetProperty("detail").GetString()!.ShouldStartWith("Line 3: is not valid JSON");
        problem.GetProperty("line").GetInt32().ShouldBe(3);
        problem.ToString().ShouldNotContain("   at ");
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_MissingTimestampField_Is400NamingLineAndField()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events?timestamp=ts", "[{\"ts\":1},{\"ts\":2},{\"tz\":3}]", "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await JsonAsync(response);
        problem.GetProperty("detail").GetString().ShouldBe("Array element 3: field 'ts' (the timestamp) is missing.");
        problem.GetProperty("line").GetInt32().ShouldBe(3);
        problem.GetProperty("field").GetString().ShouldBe("ts");
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_TopicValidatorRejects_Is400NamingTheField()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        IngestOf(fixture).Validators.Set("events", new RequiredFieldsValidator("user", "n"));

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", "{\"user\":\"a\",\"n\":1}\n{\"user\":\"b\",\"n\":null}\n");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await JsonAsync(response);
        problem.GetProperty("detail").GetString().ShouldBe("Line 2: required field 'n' is missing or null.");
        problem.GetProperty("field").GetString().ShouldBe("n");
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_DlqTrue_SendsBadRecordsToTheDeadLetterTopicAndAcceptsTheRest()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        using var response = await PostAsync(fixture.Authorized, "/ingest/events?dlq=true", "{\"a\":1}\nnot json\n{\"a\":3}\n[1]\n");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = await JsonAsync(response);
        answer.GetProperty("accepted").GetInt64().ShouldBe(2);
        answer.GetProperty("deadLettered").GetInt32().ShouldBe(2);
        Read(LogOf(fixture), "events").Select(r => Utf8(r.Value)).ShouldBe(["""{"a":1}""", """{"a":3}"""]);
        var dead = Read(LogOf(fixture), "events.dlq");
        dead.Select(r => Utf8(r.Value)).ShouldBe(["not json", "[1]"]);
        Header(dead[0], DeadLetterEnvelope.OriginTopicHeader).ShouldBe("events");
        Header(dead[0], DeadLetterEnvelope.OriginHeader).ShouldBe("ingest");
        Header(dead[0], DeadLetterEnvelope.LocationHeader).ShouldBe("line 2");
        Header(dead[0], DeadLetterEnvelope.VersionHeader).ShouldBe("2");
        Header(dead[0], DeadLetterEnvelope.KindHeader).ShouldBe("parse");
        Header(dead[0], DeadLetterEnvelope.SourceHeader).ShouldBe("http:events");
        Header(dead[0], DeadLetterEnvelope.AttemptHeader).ShouldBe("1");
        Header(dead[0], DeadLetterEnvelope.ReasonHeader)!.ShouldStartWith("Line 2: is not valid JSON");
        Header(dead[1], DeadLetterEnvelope.LocationHeader).ShouldBe("line 4");
        Header(dead[1], DeadLetterEnvelope.ReasonHeader).ShouldBe("Line 4: is a JSON array, not an object.");
    }

    [Fact]
    public async Task Post_BodyLargerThanTheLimit_Is413ProblemDocument()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { MaxRequestBodyBytes = 1024 });
        LogOf(fixture).CreateTopic("events");
        var body = string.Concat(Enumerable.Repeat("{\"pad\":\"0123456789012345678901234567890123456789\"}\n", 40));

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", body);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await JsonAsync(response)).GetProperty("detail").GetString().ShouldBe("The body for topic 'events' is larger than the server's limit of 1024 bytes: split it into smaller requests.");
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_ChunkedBodyLargerThanTheLimit_Is413()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { MaxRequestBodyBytes = 1024 });
        LogOf(fixture).CreateTopic("events");
        var body = string.Concat(Enumerable.Repeat("{\"pad\":\"0123456789012345678901234567890123456789\"}\n", 40));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/events") { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body))) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await fixture.Authorized.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_WhenIngestIsSaturated_Is429WithRetryAfter()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        IngestOf(fixture).Gate.MaxRequests = 0;

        using var response = await PostAsync(fixture.Authorized, "/ingest/events", """{"a":1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        (await JsonAsync(response)).GetProperty("detail").GetString()!.ShouldContain("topic 'events'");
        LogOf(fixture).GetPartition("events", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task Post_ManyConcurrentRequests_GetDisjointContiguousOffsets()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var r = await PostAsync(fixture.Authorized, "/ingest/events", $"{{\"r\":{i},\"i\":0}}\n{{\"r\":{i},\"i\":1}}\n{{\"r\":{i},\"i\":2}}\n");
            r.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            var o = (await JsonAsync(r)).GetProperty("offsets")[0];
            return (Request: i, First: o.GetProperty("first").GetInt64(), Last: o.GetProperty("last").GetInt64());
        }));

        var records = Read(LogOf(fixture), "events");
        records.Count.ShouldBe(120);
        foreach (var (request, first, last) in responses)
        {
            (last - first).ShouldBe(2);
            for (var k = 0; k < 3; k++)
            {
                Utf8(records[(int)(first + k)].Value).ShouldBe($"{{\"r\":{request},\"i\":{k}}}");
            }
        }
    }

    [Fact]
    public async Task OpenApi_ListsTheIngestEndpoint()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var document = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/openapi/v1.json"));

        document.RootElement.GetProperty("paths").GetProperty("/ingest/{topic}").GetProperty("post").GetProperty("tags")[0].GetString().ShouldBe("Ingest");
    }
}
