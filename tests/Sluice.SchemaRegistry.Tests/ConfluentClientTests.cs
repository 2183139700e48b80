using Confluent.SchemaRegistry;
using Sluice.SchemaRegistry.Tests.Support;
using Sr = Confluent.SchemaRegistry;

namespace Sluice.SchemaRegistry.Tests;

/// <summary>Confluent's official .NET client (Confluent.SchemaRegistry 2.16.0) against a real standalone registry.</summary>
public sealed class ConfluentClientTests
{
    private static CachedSchemaRegistryClient Client(RegistryHarness registry) =>
        new(new SchemaRegistryConfig { Url = registry.Url, MaxRetries = 1 });

    [Fact]
    public async Task Register_ThenGetById_ReturnsTheSchemaText()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);

        int id = await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));
        var fetched = await client.GetSchemaAsync(id);

        id.ShouldBe(1);
        fetched.SchemaType.ShouldBe(Sr.SchemaType.Avro);
        fetched.SchemaString.ShouldBe(TestSchemas.OrderV1);
    }

    [Fact]
    public async Task RegisterTwoVersions_ListsVersionsAndLatest()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);
        await client.UpdateCompatibilityAsync(Sr.Compatibility.None);

        int v1 = await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));
        int v2 = await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV2, Sr.SchemaType.Avro));
        int again = await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));

        (v1, v2, again).ShouldBe((1, 2, 1));
        (await client.GetSubjectVersionsAsync("orders-value")).ShouldBe([1, 2]);
        (await client.GetAllSubjectsAsync()).ShouldBe(["orders-value"]);
        var latest = await client.GetLatestSchemaAsync("orders-value");
        (latest.Subject, latest.Version, latest.Id, latest.SchemaString).ShouldBe(("orders-value", 2, 2, TestSchemas.OrderV2));
        var first = await client.GetRegisteredSchemaAsync("orders-value", 1, ignoreDeletedSchemas: true);
        first.Id.ShouldBe(1);
    }

    [Fact]
    public async Task Lookup_FindsTheVersionOfARegisteredSchema()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);
        await client.UpdateCompatibilityAsync(Sr.Compatibility.None);
        await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));
        await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV2, Sr.SchemaType.Avro));

        var found = await client.LookupSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV2, Sr.SchemaType.Avro), ignoreDeletedSchemas: true);

        (found.Version, found.Id).ShouldBe((2, 2));
    }

    [Fact]
    public async Task JsonSchema_RegistersAndReadsBackWithItsType()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);

        int id = await client.RegisterSchemaAsync("people-value", new Sr.Schema(TestSchemas.JsonPerson, Sr.SchemaType.Json));
        var fetched = await client.GetSchemaAsync(id);

        fetched.SchemaType.ShouldBe(Sr.SchemaType.Json);
        fetched.SchemaString.ShouldBe(TestSchemas.JsonPerson);
    }

    [Fact]
    public async Task Config_GlobalDefaultsToBackward_SubjectWithoutOwnLevelIs40408_SetThenGet()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);
        await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));

        (await client.GetCompatibilityAsync()).ShouldBe(Sr.Compatibility.Backward);
        var missing = await Should.ThrowAsync<SchemaRegistryException>(() => client.GetCompatibilityAsync("orders-value"));
        missing.ErrorCode.ShouldBe(40408);
        missing.Status.ShouldBe(System.Net.HttpStatusCode.NotFound);

        (await client.UpdateCompatibilityAsync(Sr.Compatibility.ForwardTransitive, "orders-value")).ShouldBe(Sr.Compatibility.ForwardTransitive);
        (await client.GetCompatibilityAsync("orders-value")).ShouldBe(Sr.Compatibility.ForwardTransitive);
        (await client.UpdateCompatibilityAsync(Sr.Compatibility.Full)).ShouldBe(Sr.Compatibility.Full);
        (await client.GetCompatibilityAsync()).ShouldBe(Sr.Compatibility.Full);
    }

    [Fact]
    public async Task IsCompatible_UnderNone_IsTrue()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);
        await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));
        await client.UpdateCompatibilityAsync(Sr.Compatibility.None, "orders-value");

        (await client.IsCompatibleAsync("orders-value", new Sr.Schema(TestSchemas.Customer, Sr.SchemaType.Avro))).ShouldBeTrue();
    }

    [Fact]
    public async Task InvalidSchema_Is42201()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);

        var error = await Should.ThrowAsync<SchemaRegistryException>(() =>
            client.RegisterSchemaAsync("orders-value", new Sr.Schema("""{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}""", Sr.SchemaType.Avro)));

        error.ErrorCode.ShouldBe(42201);
    }

    [Fact]
    public async Task DeleteSubjectOverHttp_ThenClientSeesNoSubject()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = Client(registry);
        await client.RegisterSchemaAsync("orders-value", new Sr.Schema(TestSchemas.OrderV1, Sr.SchemaType.Avro));

        var (status, body) = await registry.DeleteAsync("/subjects/orders-value");
        status.ShouldBe(200);
        body!.ToJsonString().ShouldBe("[1]");

        (await client.GetAllSubjectsAsync()).ShouldBeEmpty();
        var error = await Should.ThrowAsync<SchemaRegistryException>(() => client.GetSubjectVersionsAsync("orders-value"));
        error.ErrorCode.ShouldBe(40401);
    }
}
