using System.Buffers.Binary;
using System.Net;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sluice.Formats;
using static Sluice.Server.Tests.Ingest.IngestTestSupport;

namespace Sluice.Server.Tests.Ingest;

/// <summary>
/// <c>POST /ingest/{topic}?format=avro-confluent|json-registry</c> over a real server: schemas registered through the
/// server's registry with Confluent's client, records read back from the log and decoded with Confluent's official
/// deserializers.
/// </summary>
public sealed class IngestRegistryFormatTests
{
    private const string OrderV1 = """
        {"type":"record","name":"Order","namespace":"shop","fields":[
          {"name":"id","type":"long"},
          {"name":"customer","type":"string"},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]},"default":"NEW"},
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}},"default":[]}]}
        """;

    private const string OrderV2 = """
        {"type":"record","name":"Order","namespace":"shop","fields":[
          {"name":"id","type":"long"},
          {"name":"customer","type":"string"},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]},"default":"NEW"},
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}},"default":[]},
          {"name":"coupon","type":["null","string"],"default":null}]}
        """;

    private const string PersonJsonSchema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
         "properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0},"tags":{"type":"array","items":{"type":"string"}}},
         "required":["name"]}
        """;

    private static CachedSchemaRegistryClient RegistryClient(ServerFixture fixture) => new(new SchemaRegistryConfig
    {
        Url = new Uri(fixture.Server.Address, "/registry").ToString(),
        BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo,
        BasicAuthUserInfo = "sluice:" + fixture.Server.Token,
        MaxRetries = 1,
    });

    private static int SchemaIdOf(byte[] value)
    {
        value[0].ShouldBe((byte)0, "Confluent's magic byte");
        return BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1, 4));
    }

    /// <summary>A started server whose registry holds one schema under <c>&lt;topic&gt;-value</c>, and the topic, created.</summary>
    private sealed class RegisteredTopic : IAsyncDisposable
    {
        private RegisteredTopic(ServerFixture fixture, CachedSchemaRegistryClient client, int schemaId) => (Fixture, Client, SchemaId) = (fixture, client, schemaId);

        public ServerFixture Fixture { get; }

        public CachedSchemaRegistryClient Client { get; }

        public int SchemaId { get; }

        public static async Task<RegisteredTopic> StartAsync(string topic, string schema, SchemaType type)
        {
            var fixture = await ServerFixture.StartAsync();
            var client = RegistryClient(fixture);
            var id = await client.RegisterSchemaAsync(topic + "-value", new Schema(schema, type));
            LogOf(fixture).CreateTopic(topic);
            return new RegisteredTopic(fixture, client, id);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Fixture.DisposeAsync();
        }
    }

    private static async Task<GenericRecord> DecodeAvroAsync(ISchemaRegistryClient client, string topic, byte[] value) =>
        await new AvroDeserializer<GenericRecord>(client).DeserializeAsync(value, isNull: false, new SerializationContext(MessageComponentType.Value, topic));

    [Fact]
    public async Task AvroConfluent_RecordsOfTheLatestSchema_AreReadByConfluentsAvroDeserializer()
    {
        await using var setup = await RegisteredTopic.StartAsync("orders", OrderV1, SchemaType.Avro);
        var (fixture, client) = (setup.Fixture, setup.Client);
        var id = setup.SchemaId;
        var body = """
            {"id":1,"customer":"ann","amount":12.5,"ts":"2026-12-06T01:02:03.004Z","lines":[{"sku":"a","qty":2}]}
            {"ts":1700000000000,"note":"gift","status":"PAID","customer":"bob","amount":"0.99","id":2}
            """;

        using var response = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent&key=customer", body);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        (await JsonAsync(response)).GetProperty("accepted").GetInt64().ShouldBe(2);
        var records = Read(LogOf(fixture), "orders");
        records.Select(r => SchemaIdOf(r.Value!)).ShouldBe([id, id]);
        records.Select(r => Utf8(r.Key)).ShouldBe(["ann", "bob"]);
        var first = await DecodeAvroAsync(client, "orders", records[0].Value!);
        first["id"].ShouldBe(1L);
        first["customer"].ShouldBe("ann");
        first["amount"].ShouldBe(new global::Avro.AvroDecimal(12.50m));
        ((GenericEnum)first["status"]).Value.ShouldBe("NEW");
        first["ts"].ShouldBe(new DateTime(2026, 12, 6, 1, 2, 3, 4, DateTimeKind.Utc));
        first["note"].ShouldBeNull();
        var line = (GenericRecord)((object[])first["lines"]).Single();
        (line["sku"], line["qty"]).ShouldBe(("a", 2));
        var second = await DecodeAvroAsync(client, "orders", records[1].Value!);
        ((GenericEnum)second["status"]).Value.ShouldBe("PAID");
        second["note"].ShouldBe("gift");
        second["ts"].ShouldBe(DateTime.UnixEpoch.AddMilliseconds(1_700_000_000_000));
        ((object[])second["lines"]).ShouldBeEmpty();
    }

    [Fact]
    public async Task AvroConfluent_ARecordThatDoesNotFit_Is400NamingLineAndFieldAndAppendsNothing()
    {
        await using var setup = await RegisteredTopic.StartAsync("orders", OrderV1, SchemaType.Avro);
        var fixture = setup.Fixture;
        var body = """
            {"id":1,"customer":"ann","amount":1,"ts":0}
            {"id":2,"customer":"bob","amount":1,"ts":0,"status":"SHIPPED"}
            """;

        using var response = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await JsonAsync(response);
        problem.GetProperty("line").GetInt32().ShouldBe(2);
        problem.GetProperty("field").GetString().ShouldBe("status");
        problem.GetProperty("detail").GetString().ShouldBe("Line 2: field 'status' is \"SHIPPED\", which is not a symbol of enum shop.Status (NEW, PAID).");
        LogOf(fixture).GetPartition("orders", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task AvroConfluent_DlqTrue_DeadLettersBadRecordsWithTheirJsonAndReason()
    {
        await using var setup = await RegisteredTopic.StartAsync("orders", OrderV1, SchemaType.Avro);
        var (fixture, client) = (setup.Fixture, setup.Client);
        var body = """
            {"id":1,"customer":"ann","amount":1,"ts":0}
            {"id":2,"amount":1,"ts":0}
            {"id":3,"customer":"cy","amount":1,"ts":0,"lines":[{"sku":"a","qty":"two"}]}
            {"id":4,"customer":"di","amount":1,"ts":0}
            """;

        using var response = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent&dlq=true", body);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = await JsonAsync(response);
        (answer.GetProperty("accepted").GetInt64(), answer.GetProperty("deadLettered").GetInt32()).ShouldBe((2, 2));
        var accepted = Read(LogOf(fixture), "orders");
        var ids = new List<object>();
        foreach (var record in accepted)
        {
            ids.Add((await DecodeAvroAsync(client, "orders", record.Value!))["id"]);
        }
        ids.ShouldBe([1L, 4L]);
        var dead = Read(LogOf(fixture), DeadLetters.TopicFor("orders"));
        dead.Select(d => Utf8(d.Value)).ShouldBe(["""{"id":2,"amount":1,"ts":0}""", """{"id":3,"customer":"cy","amount":1,"ts":0,"lines":[{"sku":"a","qty":"two"}]}"""]);
        dead.Select(d => Header(d, DeadLetterEnvelope.LocationHeader)).ShouldBe(["line 2", "line 3"]);
        Header(dead[0], DeadLetterEnvelope.ReasonHeader).ShouldBe("Line 2: field 'customer' is missing: record shop.Order requires it (string, no default, not nullable).");
        Header(dead[1], DeadLetterEnvelope.ReasonHeader).ShouldBe("Line 3: field 'lines[0].qty' is a string, but the schema's type is int.");
    }

    [Fact]
    public async Task AvroConfluent_VersionRegisteredWhileRunning_IsUsedByTheNextRequest()
    {
        await using var setup = await RegisteredTopic.StartAsync("orders", OrderV1, SchemaType.Avro);
        var (fixture, client) = (setup.Fixture, setup.Client);
        var v1 = setup.SchemaId;
        const string withCoupon = """{"id":2,"customer":"bob","amount":1,"ts":0,"coupon":"XMAS"}""";
        using (var before = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent", """{"id":1,"customer":"ann","amount":1,"ts":0}"""))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
        using (var refused = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent", withCoupon))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await JsonAsync(refused)).GetProperty("field").GetString().ShouldBe("coupon");
        }

        var v2 = await client.RegisterSchemaAsync("orders-value", new Schema(OrderV2, SchemaType.Avro));
        using var after = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent", withCoupon);

        after.StatusCode.ShouldBe(HttpStatusCode.Accepted, await after.Content.ReadAsStringAsync());
        v2.ShouldNotBe(v1);
        var records = Read(LogOf(fixture), "orders");
        records.Select(r => SchemaIdOf(r.Value!)).ShouldBe([v1, v2]);
        (await DecodeAvroAsync(client, "orders", records[1].Value!))["coupon"].ShouldBe("XMAS");
        (await DecodeAvroAsync(client, "orders", records[0].Value!)).Schema.Fields.Count.ShouldBe(7, "the v1 record keeps its writer schema");
    }

    [Fact]
    public async Task RegistryFormat_WithoutASubject_Is404NamingTheSubjectAndHowToRegisterIt()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("orders");

        using var response = await PostAsync(fixture.Authorized, "/ingest/orders?format=avro-confluent", """{"id":1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var detail = (await JsonAsync(response)).GetProperty("detail").GetString()!;
        detail.ShouldContain("Subject 'orders-value' has no schema");
        detail.ShouldContain("POST /registry/subjects/orders-value/versions");
        LogOf(fixture).GetPartition("orders", 0).EndOffset.ShouldBe(0);
    }

    [Fact]
    public async Task RegistryFormat_OfTheOtherSchemaType_Is422SayingWhichFormatFits()
    {
        await using var setup = await RegisteredTopic.StartAsync("people", PersonJsonSchema, SchemaType.Json);
        var fixture = setup.Fixture;

        using var response = await PostAsync(fixture.Authorized, "/ingest/people?format=avro-confluent", """{"name":"ann"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await JsonAsync(response)).GetProperty("detail").GetString()!.ShouldContain("is a JSON schema, not AVRO: ingest with ?format=json-registry");
    }

    [Fact]
    public async Task NoFormat_WithARegisteredSubject_StillStoresTheJsonAsSent()
    {
        await using var setup = await RegisteredTopic.StartAsync("orders", OrderV1, SchemaType.Avro);
        var fixture = setup.Fixture;

        using var response = await PostAsync(fixture.Authorized, "/ingest/orders", """{"anything": true}""");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        Utf8(Read(LogOf(fixture), "orders").Single().Value).ShouldBe("""{"anything": true}""");
    }

    [Fact]
    public async Task IdempotencyKey_SameBodyWithAnotherFormat_Is422AndAppendsNothing()
    {
        await using var setup = await RegisteredTopic.StartAsync("people", PersonJsonSchema, SchemaType.Json);
        var fixture = setup.Fixture;
        const string body = """{"name":"ann","age":31}""";
        using var plain = await PostAsync(fixture.Authorized, "/ingest/people", body, idempotencyKey: "person-1");

        using var registry = await PostAsync(fixture.Authorized, "/ingest/people?format=json-registry", body, idempotencyKey: "person-1");
        using var retry = await PostAsync(fixture.Authorized, "/ingest/people", body, idempotencyKey: "person-1");

        plain.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        registry.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await JsonAsync(registry)).GetProperty("detail").GetString().ShouldBe("Idempotency-Key 'person-1' was used for another body or format on topic 'people' within 24 h: use a new key for a new request.");
        retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        Read(LogOf(fixture), "people").Select(r => Utf8(r.Value)).ShouldBe([body], "only the plain JSON request appended, once");
    }

    [Fact]
    public async Task IdempotencyKey_RetryWithTheSameFormat_IsReplayedWithoutAppending()
    {
        await using var setup = await RegisteredTopic.StartAsync("people", PersonJsonSchema, SchemaType.Json);
        var fixture = setup.Fixture;
        const string body = """{"name":"ann","age":31}""";
        using var first = await PostAsync(fixture.Authorized, "/ingest/people?format=json-registry", body, idempotencyKey: "person-2");

        using var retry = await PostAsync(fixture.Authorized, "/ingest/people?format=json-registry", body, idempotencyKey: "person-2");

        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        Read(LogOf(fixture), "people").Count.ShouldBe(1);
    }

    [Fact]
    public async Task JsonRegistry_ValidRecords_AreStoredInConfluentsJsonWireFormat()
    {
        await using var setup = await RegisteredTopic.StartAsync("people", PersonJsonSchema, SchemaType.Json);
        var fixture = setup.Fixture;
        var id = setup.SchemaId;

        using var response = await PostAsync(fixture.Authorized, "/ingest/people?format=json-registry", """[{"name":"ann","age":31},{"name":"bob","tags":["x"]}]""", "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var records = Read(LogOf(fixture), "people");
        records.Select(r => SchemaIdOf(r.Value!)).ShouldBe([id, id]);
        records.Select(r => Utf8(r.Value![5..])).ShouldBe(["""{"name":"ann","age":31}""", """{"name":"bob","tags":["x"]}"""]);
        var deserializer = new JsonDeserializer<Person>();
        var ann = await deserializer.DeserializeAsync(records[0].Value!, isNull: false, new SerializationContext(MessageComponentType.Value, "people"));
        (ann.Name, ann.Age).ShouldBe(("ann", 31));
    }

    [Fact]
    public async Task JsonRegistry_ARecordThatDoesNotMatch_Is400NamingLineLocationAndKeyword_OrIsDeadLettered()
    {
        await using var setup = await RegisteredTopic.StartAsync("people", PersonJsonSchema, SchemaType.Json);
        var fixture = setup.Fixture;
        var id = setup.SchemaId;
        const string body = "{\"name\":\"ann\"}\n{\"name\":\"bob\",\"age\":-4}\n{\"age\":3}\n";

        using var refused = await PostAsync(fixture.Authorized, "/ingest/people?format=json-registry", body);
        using var dlq = await PostAsync(fixture.Authorized, "/ingest/people?format=json-registry&dlq=true", body);

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await JsonAsync(refused);
        problem.GetProperty("line").GetInt32().ShouldBe(2);
        problem.GetProperty("field").GetString().ShouldBe("age");
        problem.GetProperty("detail").GetString().ShouldBe($"Line 2: does not match the JSON Schema of subject 'people-value' (version 1, id {id}) at '/age': minimum: -4 should be at least 0.");
        dlq.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        Read(LogOf(fixture), "people").Select(r => Utf8(r.Value![5..])).ShouldBe(["""{"name":"ann"}"""]);
        var dead = Read(LogOf(fixture), DeadLetters.TopicFor("people"));
        dead.Select(d => Utf8(d.Value)).ShouldBe(["""{"name":"bob","age":-4}""", """{"age":3}"""]);
        Header(dead[1], DeadLetterEnvelope.ReasonHeader)!.ShouldStartWith($"Line 3: does not match the JSON Schema of subject 'people-value' (version 1, id {id}) at '/': required: ");
    }

    [Fact]
    public async Task UnknownFormat_Is400ListingTheFormats()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("orders");

        using var response = await PostAsync(fixture.Authorized, "/ingest/orders?format=protobuf", """{"id":1}""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JsonAsync(response)).GetProperty("detail").GetString().ShouldBe("Option 'format' for topic 'orders' must be avro-confluent, json-registry or json (the default: the JSON as sent); got 'protobuf'.");
    }

    /// <summary>The record type Confluent's JSON deserializer reads people into.</summary>
    public sealed class Person
    {
        [Newtonsoft.Json.JsonProperty("name")]
        public string? Name { get; set; }

        [Newtonsoft.Json.JsonProperty("age")]
        public int? Age { get; set; }

        [Newtonsoft.Json.JsonProperty("tags")]
        public string[]? Tags { get; set; }
    }
}
