using Sluice.SchemaRegistry.Tests.Support;

namespace Sluice.SchemaRegistry.Tests;

/// <summary>The REST API at the HTTP level: Confluent's paths, bodies, content type and every error code.</summary>
public sealed class RestApiTests : IAsyncLifetime
{
    private RegistryHarness _registry = null!;

    public async Task InitializeAsync() => _registry = await RegistryHarness.StartAsync();

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    private static void ShouldBeError((int Status, System.Text.Json.Nodes.JsonNode? Body) answer, int status, int code, string? message = null)
    {
        answer.Status.ShouldBe(status, answer.Body?.ToJsonString());
        RegistryHarness.ErrorCode(answer.Body).ShouldBe(code);
        if (message is not null)
        {
            RegistryHarness.Message(answer.Body).ShouldBe(message);
        }
    }

    [Fact]
    public async Task Root_AnswersEmptyObject_WithConfluentsContentType()
    {
        using var response = await _registry.Http.GetAsync("");

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.schemaregistry.v1+json");
        (await response.Content.ReadAsStringAsync()).ShouldBe("{}");
    }

    [Fact]
    public async Task Register_WithPlainJsonContentType_IsAccepted()
    {
        var answer = await _registry.PostAsync("/subjects/a/versions", RegistryHarness.SchemaBody(TestSchemas.OrderV1), "application/json");

        answer.Status.ShouldBe(200);
        answer.Body!.ToJsonString().ShouldBe("""{"id":1}""");
    }

    [Fact]
    public async Task SchemaEndpoints_AnswerConfluentsShapes()
    {
        await _registry.RegisterAsync("a", TestSchemas.OrderV1);
        await _registry.RegisterAsync("people", TestSchemas.JsonPerson, "JSON");

        (await _registry.GetAsync("/schemas/ids/1")).Body!.ToJsonString().ShouldBe($$"""{"schema":{{Quote(TestSchemas.OrderV1)}}}""");
        (await _registry.GetAsync("/schemas/ids/2")).Body!.ToJsonString().ShouldBe($$"""{"schemaType":"JSON","schema":{{Quote(TestSchemas.JsonPerson)}}}""");
        (await _registry.GetAsync("/schemas/ids/1/schema")).Body!.ToJsonString().ShouldBe(TestSchemas.OrderV1);
        (await _registry.GetAsync("/schemas/ids/1/versions")).Body!.ToJsonString().ShouldBe("""[{"subject":"a","version":1}]""");
        (await _registry.GetAsync("/schemas/ids/1/subjects")).Body!.ToJsonString().ShouldBe("""["a"]""");
        (await _registry.GetAsync("/schemas/types")).Body!.ToJsonString().ShouldBe("""["AVRO","JSON"]""");
        (await _registry.GetAsync("/subjects/a/versions/1")).Body!.ToJsonString().ShouldBe($$"""{"subject":"a","version":1,"id":1,"schema":{{Quote(TestSchemas.OrderV1)}}}""");
        (await _registry.GetAsync("/subjects/a/versions/latest/schema")).Body!.ToJsonString().ShouldBe(TestSchemas.OrderV1);
        ShouldBeError(await _registry.GetAsync("/schemas/ids/1?subject=people"), 404, 40403);
    }

    [Fact]
    public async Task SameSchemaUnderTwoSubjects_SharesOneId()
    {
        (await _registry.RegisterAsync("a", TestSchemas.OrderV1)).ShouldBe(1);
        (await _registry.RegisterAsync("b", TestSchemas.OrderV1.Replace(",", ", ", StringComparison.Ordinal))).ShouldBe(1);

        (await _registry.GetAsync("/schemas/ids/1/subjects")).Body!.ToJsonString().ShouldBe("""["a","b"]""");
    }

    [Fact]
    public async Task Errors_404Family()
    {
        await _registry.RegisterAsync("a", TestSchemas.OrderV1);

        ShouldBeError(await _registry.GetAsync("/subjects/nope/versions"), 404, 40401, "Subject 'nope' not found.");
        ShouldBeError(await _registry.GetAsync("/subjects/a/versions/7"), 404, 40402, "Version 7 not found for subject 'a'.");
        ShouldBeError(await _registry.GetAsync("/schemas/ids/99"), 404, 40403, "Schema 99 not found.");
        ShouldBeError(await _registry.PostAsync("/subjects/a", RegistryHarness.SchemaBody(TestSchemas.Customer)), 404, 40403);
        ShouldBeError(await _registry.GetAsync("/config/a"), 404, 40408, "Subject 'a' does not have subject-level compatibility configured.");
        ShouldBeError(await _registry.GetAsync("/mode/a"), 404, 40409);
        (await _registry.GetAsync("/config/a?defaultToGlobal=true")).Body!["compatibilityLevel"]!.GetValue<string>().ShouldBe("BACKWARD");
    }

    [Fact]
    public async Task SoftAndHardDelete_FollowConfluentsOrder()
    {
        await _registry.PutAsync("/config", """{"compatibility":"NONE"}""");
        await _registry.RegisterAsync("a", TestSchemas.OrderV1);
        await _registry.RegisterAsync("a", TestSchemas.OrderV2);

        ShouldBeError(await _registry.DeleteAsync("/subjects/a/versions/1?permanent=true"), 404, 40407, "Subject 'a' Version 1 was not deleted first before being permanently deleted.");
        (await _registry.DeleteAsync("/subjects/a/versions/1")).Body!.ToJsonString().ShouldBe("1");
        ShouldBeError(await _registry.DeleteAsync("/subjects/a/versions/1"), 404, 40406);
        ShouldBeError(await _registry.GetAsync("/subjects/a/versions/1"), 404, 40402);
        (await _registry.GetAsync("/subjects/a/versions/1?deleted=true")).Body!["id"]!.GetValue<int>().ShouldBe(1);
        (await _registry.GetAsync("/subjects/a/versions")).Body!.ToJsonString().ShouldBe("[2]");
        (await _registry.GetAsync("/subjects/a/versions?deleted=true")).Body!.ToJsonString().ShouldBe("[1,2]");

        ShouldBeError(await _registry.DeleteAsync("/subjects/a?permanent=true"), 404, 40405, "Subject 'a' was not deleted first before being permanently deleted.");
        (await _registry.DeleteAsync("/subjects/a")).Body!.ToJsonString().ShouldBe("[2]");
        ShouldBeError(await _registry.DeleteAsync("/subjects/a"), 404, 40404);
        (await _registry.GetAsync("/subjects")).Body!.ToJsonString().ShouldBe("[]");
        (await _registry.GetAsync("/subjects?deleted=true")).Body!.ToJsonString().ShouldBe("""["a"]""");
        (await _registry.DeleteAsync("/subjects/a?permanent=true")).Body!.ToJsonString().ShouldBe("[1,2]");
        (await _registry.GetAsync("/subjects?deleted=true")).Body!.ToJsonString().ShouldBe("[]");
        ShouldBeError(await _registry.GetAsync("/schemas/ids/1"), 404, 40403);
    }

    [Fact]
    public async Task Incompatible_Is409_AndVerboseCompatibilityNamesTheProblem()
    {
        await _registry.RegisterAsync("a", TestSchemas.OrderV1);
        const string changedType = """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}""";

        ShouldBeError(await _registry.PostAsync("/subjects/a/versions", RegistryHarness.SchemaBody(changedType)), 409, 409);
        var verbose = await _registry.PostAsync("/compatibility/subjects/a/versions/latest?verbose=true", RegistryHarness.SchemaBody(changedType));
        verbose.Status.ShouldBe(200);
        verbose.Body!["is_compatible"]!.GetValue<bool>().ShouldBeFalse();
        verbose.Body!["messages"]!.AsArray().Count.ShouldBeGreaterThan(0);
        var fine = await _registry.PostAsync("/compatibility/subjects/a/versions/1", RegistryHarness.SchemaBody(TestSchemas.OrderV2));
        fine.Body!.ToJsonString().ShouldBe("""{"is_compatible":true}""");
        ShouldBeError(await _registry.PostAsync("/compatibility/subjects/nope/versions/1", RegistryHarness.SchemaBody(TestSchemas.OrderV2)), 404, 40401);
    }

    [Fact]
    public async Task Errors_422Family()
    {
        await _registry.RegisterAsync("a", TestSchemas.OrderV1);

        var invalid = await _registry.PostAsync("/subjects/a/versions", RegistryHarness.SchemaBody("""{"type":"record","name":"R","fields":[{"name":"x","type":"nope"}]}"""));
        ShouldBeError(invalid, 422, 42201, "Invalid Avro schema: Undefined name: nope at 'fields[0].type'");
        var broken = await _registry.PostAsync("/subjects/a/versions", RegistryHarness.SchemaBody("{\"type\":\n\"record\" \"name\":\"R\"}"));
        ShouldBeError(broken, 422, 42201);
        RegistryHarness.Message(broken.Body).ShouldContain("line 2, position 10");
        ShouldBeError(await _registry.PostAsync("/subjects/a/versions", RegistryHarness.SchemaBody("syntax = \"proto3\";", "PROTOBUF")), 422, 42201, "Schema type PROTOBUF is not supported by this registry; use AVRO or JSON.");
        ShouldBeError(await _registry.PostAsync("/subjects/a/versions", "not json"), 422, 42201);
        ShouldBeError(await _registry.GetAsync("/subjects/a/versions/zero"), 422, 42202);
        ShouldBeError(await _registry.GetAsync("/subjects/a/versions/0"), 422, 42202);
        ShouldBeError(await _registry.PutAsync("/config", """{"compatibility":"SIDEWAYS"}"""), 422, 42203);
        ShouldBeError(await _registry.PutAsync("/mode", """{"mode":"WRITEONLY"}"""), 422, 42204);
    }

    [Fact]
    public async Task Modes_ReadOnlyRefusesWrites_ImportTakesIdAndVersion()
    {
        await _registry.RegisterAsync("a", TestSchemas.OrderV1);
        (await _registry.GetAsync("/mode")).Body!.ToJsonString().ShouldBe("""{"mode":"READWRITE"}""");

        (await _registry.PutAsync("/mode/a", """{"mode":"READONLY"}""")).Status.ShouldBe(200);
        ShouldBeError(await _registry.PostAsync("/subjects/a/versions", RegistryHarness.SchemaBody(TestSchemas.OrderV2)), 422, 42205, "Subject 'a' is in read-only mode.");
        ShouldBeError(await _registry.DeleteAsync("/subjects/a"), 422, 42205);
        (await _registry.DeleteAsync("/mode/a")).Body!.ToJsonString().ShouldBe("""{"mode":"READONLY"}""");

        ShouldBeError(await _registry.PutAsync("/mode", """{"mode":"IMPORT"}"""), 422, 42205);
        ShouldBeError(await _registry.PostAsync("/subjects/b/versions", """{"schema":"\"string\"","id":50,"version":3}"""), 422, 42205);
        (await _registry.PutAsync("/mode/b", """{"mode":"IMPORT"}""")).Status.ShouldBe(200);
        (await _registry.PostAsync("/subjects/b/versions", """{"schema":"\"string\"","id":50,"version":3}""")).Body!.ToJsonString().ShouldBe("""{"id":50}""");
        (await _registry.GetAsync("/subjects/b/versions")).Body!.ToJsonString().ShouldBe("[3]");
        (await _registry.PutAsync("/mode/b", """{"mode":"READWRITE"}""")).Status.ShouldBe(200);
        (await _registry.RegisterAsync("c", TestSchemas.Customer)).ShouldBe(51);
    }

    [Fact]
    public async Task Normalize_StoresTheCanonicalText()
    {
        const string spaced = """{ "type" : "record", "name" : "R", "fields" : [ { "name" : "a", "type" : "int" } ] }""";

        var answer = await _registry.PostAsync("/subjects/a/versions?normalize=true", RegistryHarness.SchemaBody(spaced));

        answer.Status.ShouldBe(200);
        (await _registry.GetAsync("/schemas/ids/1")).Body!["schema"]!.GetValue<string>().ShouldBe("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
    }

    [Fact]
    public async Task References_RegisterLookupAndReferencedBy()
    {
        await _registry.RegisterAsync("customers-value", TestSchemas.Customer);
        const string order = """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"customer","type":"shop.Customer"}]}""";
        const string references = """[{"name":"shop.Customer","subject":"customers-value","version":1}]""";

        int id = await _registry.RegisterAsync("orders-value", order, references: references);

        id.ShouldBe(2);
        (await _registry.GetAsync("/schemas/ids/2")).Body!["references"]!.ToJsonString().ShouldBe(references);
        (await _registry.GetAsync("/subjects/customers-value/versions/1/referencedby")).Body!.ToJsonString().ShouldBe("[2]");
        (await _registry.PostAsync("/subjects/orders-value", RegistryHarness.SchemaBody(order, references: references))).Body!["version"]!.GetValue<int>().ShouldBe(1);
        ShouldBeError(await _registry.PostAsync("/subjects/x/versions", RegistryHarness.SchemaBody(order)), 422, 42201, "Invalid Avro schema: Undefined name: shop.Customer at 'fields[0].type'");
        ShouldBeError(await _registry.DeleteAsync("/subjects/customers-value/versions/1"), 422, 42206,
            "One or more references exist to the schema {subject=customers-value,version=1}: schema ids 2 use it; delete them first.");
        (await _registry.DeleteAsync("/subjects/orders-value")).Status.ShouldBe(200);
        (await _registry.DeleteAsync("/subjects/customers-value")).Body!.ToJsonString().ShouldBe("[1]");
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
