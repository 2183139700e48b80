using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sluice.Server.Tests.Dashboard;

public sealed class DeadLetterApiTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private ServerFixture Fixture => server.Fixture;

    [Fact]
    public async Task List_TwoReasons_CountsByReasonMostFrequentFirst()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "list-orders");
        DeadLetterWriter.Write(Fixture.Server, "list-orders", "line 1: field 'id' is missing.", "{}");
        DeadLetterWriter.Write(Fixture.Server, "list-orders", "line 2: not JSON.", "{{");
        DeadLetterWriter.Write(Fixture.Server, "list-orders", "line 2: not JSON.", "}}");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq"));

        var topic = FindTopic(document, "list-orders.dlq");
        topic.GetProperty("originTopic").GetString().ShouldBe("list-orders");
        topic.GetProperty("records").GetInt64().ShouldBe(3);
        topic.GetProperty("reasonsComplete").GetBoolean().ShouldBeTrue();
        var reasons = topic.GetProperty("reasons").EnumerateArray().Select(r => (r.GetProperty("reason").GetString(), r.GetProperty("count").GetInt64())).ToList();
        reasons.ShouldBe([("line #: not JSON.", 2L), ("line #: field 'id' is missing.", 1L)]);
    }

    [Fact]
    public async Task List_PlainTopic_IsNotListed()
    {
        Fixture.Server.Context.Log.CreateTopic("list-plain");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq"));

        document.RootElement.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("topic").GetString()).ShouldNotContain("list-plain");
    }

    [Fact]
    public async Task Read_ReasonFilter_KeepsMatchingIgnoringCase()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "filter-orders");
        DeadLetterWriter.Write(Fixture.Server, "filter-orders", "line 1: field 'id' is missing.", "{\"a\":1}", location: "line 1");
        DeadLetterWriter.Write(Fixture.Server, "filter-orders", "line 2: not JSON.", "nope", location: "line 2");
        DeadLetterWriter.Write(Fixture.Server, "filter-orders", "line 3: field 'price' is MISSING.", "{\"b\":2}", location: "line 3");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/filter-orders.dlq?reason=missing"));

        var records = document.RootElement.GetProperty("records").EnumerateArray().ToList();
        records.Select(r => r.GetProperty("offset").GetInt64()).ShouldBe([0L, 2L]);
        records.Select(r => r.GetProperty("payload").GetString()).ShouldBe(["{\"a\":1}", "{\"b\":2}"]);
        records[1].GetProperty("location").GetString().ShouldBe("line 3");
        records[1].GetProperty("origin").GetString().ShouldBe("ingest");
        records[1].GetProperty("originTopic").GetString().ShouldBe("filter-orders");
        records[1].GetProperty("payloadEncoding").GetString().ShouldBe("utf8");
        document.RootElement.GetProperty("more").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Read_ReasonPattern_KeepsReasonsDifferingOnlyInNumbers()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "pattern-orders");
        DeadLetterWriter.Write(Fixture.Server, "pattern-orders", "line 7: field 'id' is missing.", "a");
        DeadLetterWriter.Write(Fixture.Server, "pattern-orders", "line 12: field 'price' is missing.", "b");
        DeadLetterWriter.Write(Fixture.Server, "pattern-orders", "line 130: field 'id' is missing.", "c");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/pattern-orders.dlq?reason=" + Uri.EscapeDataString("line #: field 'id' is missing.")));

        document.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("payload").GetString()).ShouldBe(["a", "c"]);
    }

    [Theory]
    [InlineData("line 12: field 'id' is missing.", "line #: field 'id' is missing.")]
    [InlineData("no digits", "no digits")]
    [InlineData("7 at start, 2024-12-06 and 42", "# at start, #-#-# and #")]
    [InlineData("", "")]
    public void ReasonPattern_Numbers_BecomeHashes(string reason, string expected) =>
        Sluice.Connectors.Log.DeadLetterQueue.ReasonPattern(reason).ShouldBe(expected);

    [Fact]
    public async Task Read_OriginTopicName_ReadsItsDeadLetterTopic()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "alias-orders");
        DeadLetterWriter.Write(Fixture.Server, "alias-orders", "bad", "x");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/alias-orders"));

        document.RootElement.GetProperty("topic").GetString().ShouldBe("alias-orders.dlq");
        document.RootElement.GetProperty("records").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Read_FromAndLimit_PagesAndSaysMore()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "page-orders");
        for (var i = 0; i < 5; i++)
        {
            DeadLetterWriter.Write(Fixture.Server, "page-orders", "bad", $"r{i}");
        }

        using var first = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/page-orders.dlq?from=1&limit=2"));
        using var last = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/page-orders.dlq?from=3&limit=2"));

        first.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("payload").GetString()).ShouldBe(["r1", "r2"]);
        first.RootElement.GetProperty("more").GetBoolean().ShouldBeTrue();
        last.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("payload").GetString()).ShouldBe(["r3", "r4"]);
        last.RootElement.GetProperty("more").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Read_BinaryPayloadAndKey_Base64AndText()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "binary-orders");
        DeadLetterWriter.Write(Fixture.Server, "binary-orders", "not UTF-8", [0xFF, 0xFE, 0x00, 0x41], key: "k-7");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/binary-orders.dlq"));

        var record = document.RootElement.GetProperty("records")[0];
        record.GetProperty("payload").GetString().ShouldBe("//4AQQ==");
        record.GetProperty("payloadEncoding").GetString().ShouldBe("base64");
        record.GetProperty("key").GetString().ShouldBe("k-7");
        record.GetProperty("keyEncoding").GetString().ShouldBe("utf8");
    }

    [Fact]
    public async Task Read_UnknownTopic_Is404NamingIt()
    {
        using var response = await Fixture.Anonymous.GetAsync("/api/dlq/no-such-topic.dlq");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await ProblemDetail(response)).ShouldContain("'no-such-topic.dlq'");
    }

    [Theory]
    [InlineData("limit=0", "limit 0")]
    [InlineData("limit=5000", "limit 5000")]
    [InlineData("from=-1", "from=-1")]
    [InlineData("from=abc", "from='abc'")]
    [InlineData("partition=3", "not partition 3")]
    public async Task Read_BadParameter_Is400NamingIt(string query, string named)
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "param-orders");

        using var response = await Fixture.Anonymous.GetAsync($"/api/dlq/param-orders.dlq?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemDetail(response)).ShouldContain(named);
    }

    [Fact]
    public async Task Replay_WithoutToken_Is401AndAppendsNothing()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "auth-orders");
        DeadLetterWriter.Write(Fixture.Server, "auth-orders", "bad", "{\"id\":1}");

        using var response = await Fixture.Anonymous.PostAsJsonAsync("/api/dlq/auth-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 } } });

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        DeadLetterWriter.ReadAll(Fixture.Server, "auth-orders").ShouldBeEmpty();
    }

    [Fact]
    public async Task Replay_TwoRecords_AppendsPayloadAndKeyToOriginTopic()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "replay-orders");
        DeadLetterWriter.Write(Fixture.Server, "replay-orders", "bad", "{\"id\":1}");
        DeadLetterWriter.Write(Fixture.Server, "replay-orders", "bad", "{\"id\":2}", key: "k2");
        DeadLetterWriter.Write(Fixture.Server, "replay-orders", "bad", "{\"id\":3}");

        using var response = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/replay-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 2 }, new { partition = 0, offset = 1 } } });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var replayed = document.RootElement.GetProperty("replayed").EnumerateArray().ToList();
        replayed.Select(r => (r.GetProperty("offset").GetInt64(), r.GetProperty("originTopic").GetString(), r.GetProperty("originPartition").GetInt32(), r.GetProperty("originOffset").GetInt64()))
            .ShouldBe([(2L, "replay-orders", 0, 0L), (1L, "replay-orders", 0, 1L)]);
        var appended = DeadLetterWriter.ReadAll(Fixture.Server, "replay-orders");
        appended.Select(a => Encoding.UTF8.GetString(a.Record.Value!)).ShouldBe(["{\"id\":3}", "{\"id\":2}"]);
        appended[0].Record.Key.ShouldBeNull();
        Encoding.UTF8.GetString(appended[1].Record.Key!).ShouldBe("k2");
        appended[1].Record.Headers.Select(h => (h.Key, Encoding.UTF8.GetString(h.Value!.Value.Span)))
            .ShouldBe([("sluice.replay.of", "replay-orders.dlq/0/1"), ("sluice.replay.attempt", "2")]);
    }

    [Fact]
    public async Task Replay_Twice_AppendsEachRecordOnceAndReportsTheEarlierCopy()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "twice-orders");
        DeadLetterWriter.Write(Fixture.Server, "twice-orders", "bad", "{\"id\":1}");
        DeadLetterWriter.Write(Fixture.Server, "twice-orders", "bad", "{\"id\":2}");
        using var first = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/twice-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 } } });
        first.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var second = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/twice-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 }, new { partition = 0, offset = 1 } } });

        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("appended").GetInt32().ShouldBe(1);
        document.RootElement.GetProperty("alreadyReplayed").GetInt32().ShouldBe(1);
        var replayed = document.RootElement.GetProperty("replayed").EnumerateArray().ToList();
        replayed.Select(r => (r.GetProperty("offset").GetInt64(), r.GetProperty("alreadyReplayed").GetBoolean(), r.GetProperty("originOffset").GetInt64()))
            .ShouldBe([(0L, true, 0L), (1L, false, 1L)]);
        DeadLetterWriter.ReadAll(Fixture.Server, "twice-orders").Select(a => Encoding.UTF8.GetString(a.Record.Value!)).ShouldBe(["{\"id\":1}", "{\"id\":2}"]);
    }

    [Fact]
    public async Task Replay_DryRun_AppendsNothingAndSaysWhatWould()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "dry-orders");
        DeadLetterWriter.Write(Fixture.Server, "dry-orders", "bad", "{}", key: "k");

        using var response = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/dry-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 } }, dryRun = true });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("dryRun").GetBoolean().ShouldBeTrue();
        document.RootElement.GetProperty("appended").GetInt32().ShouldBe(1);
        DeadLetterWriter.ReadAll(Fixture.Server, "dry-orders").ShouldBeEmpty();
    }

    [Fact]
    public async Task Stats_KindFilter_CountsByKindAndHour()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "stats-orders");
        DeadLetterWriter.Write(Fixture.Server, "stats-orders", "line 1: bad", "{}");
        DeadLetterWriter.Write(Fixture.Server, "stats-orders", "line 2: bad", "{}");

        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/stats-orders/stats?kind=parse"));

        document.RootElement.GetProperty("records").GetInt64().ShouldBe(2);
        document.RootElement.GetProperty("kinds").EnumerateArray().Select(k => (k.GetProperty("name").GetString(), k.GetProperty("count").GetInt64())).ShouldBe([("parse", 2L)]);
        document.RootElement.GetProperty("hours").EnumerateArray().Sum(h => h.GetProperty("count").GetInt64()).ShouldBe(2);
        using var none = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dlq/stats-orders/stats?kind=rule"));
        none.RootElement.GetProperty("records").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Replay_UnknownOffset_Is404NamingItAndAppendsNothing()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "missing-orders");
        DeadLetterWriter.Write(Fixture.Server, "missing-orders", "bad", "{}");

        using var response = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/missing-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 }, new { partition = 0, offset = 9 } } });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ProblemDetail(response)).ShouldContain("partition 0 offset 9");
        DeadLetterWriter.ReadAll(Fixture.Server, "missing-orders").ShouldBeEmpty();
    }

    [Fact]
    public async Task Replay_UnknownTopic_Is404()
    {
        using var response = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/nowhere.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 } } });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ProblemDetail(response)).ShouldContain("'nowhere.dlq'");
    }

    [Fact]
    public async Task Replay_OriginTopicDeleted_Is409NamingIt()
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "gone-orders");
        DeadLetterWriter.Write(Fixture.Server, "gone-orders", "bad", "{}");
        Fixture.Server.Context.Log.DeleteTopic("gone-orders").ShouldBeTrue();

        using var response = await Fixture.Authorized.PostAsJsonAsync("/api/dlq/gone-orders.dlq/replay", new { records = new[] { new { partition = 0, offset = 0 } } });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ProblemDetail(response)).ShouldContain("'gone-orders'");
    }

    [Theory]
    [InlineData("{\"records\":[]}", "names no records")]
    [InlineData("{\"records\":[{\"partition\":\"x\"}]}", "not valid JSON at $.records[0].partition")]
    [InlineData("{", "not valid JSON")]
    public async Task Replay_BadBody_Is400(string body, string expected)
    {
        DeadLetterWriter.CreateTopics(Fixture.Server, "body-orders");
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await Fixture.Authorized.PostAsync("/api/dlq/body-orders.dlq/replay", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var detail = await ProblemDetail(response);
        detail.ShouldContain(expected);
        detail.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheDeadLetterEndpoints()
    {
        using var document = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        paths.TryGetProperty("/api/dlq", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/dlq/{topic}", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/dlq/{topic}/replay", out _).ShouldBeTrue();
    }

    private static JsonElement FindTopic(JsonDocument document, string name)
    {
        foreach (var topic in document.RootElement.GetProperty("topics").EnumerateArray())
        {
            if (topic.GetProperty("topic").GetString() == name)
            {
                return topic;
            }
        }
        throw new ShouldAssertException($"/api/dlq does not list {name}.");
    }

    private static async Task<string> ProblemDetail(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("detail").GetString() ?? "";
    }
}
