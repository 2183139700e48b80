using System.Net;
using System.Text;
using Confluent.SchemaRegistry;

namespace Sluice.Server.Tests.Registry;

/// <summary>The schema registry mounted by <c>sluice server</c> at /registry, under the server's token rule.</summary>
public sealed class RegistryMountTests
{
    private const string Order = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}""";

    [Fact]
    public async Task ConfluentClient_WithTheTokenAsBasicAuthPassword_RegistersAndReads()
    {
        await using var fixture = await ServerFixture.StartAsync();
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig
        {
            Url = new Uri(fixture.Server.Address, "/registry").ToString(),
            BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo,
            BasicAuthUserInfo = "sluice:" + fixture.Server.Token,
            MaxRetries = 1,
        });

        int id = await client.RegisterSchemaAsync("orders-value", new Schema(Order, SchemaType.Avro));

        id.ShouldBe(1);
        (await client.GetSchemaAsync(id)).SchemaString.ShouldBe(Order);
        (await client.GetSubjectVersionsAsync("orders-value")).ShouldBe([1]);
    }

    [Fact]
    public async Task Register_WithTheTokenAsBearer_IsAcceptedAndStoredInTheServersLog()
    {
        await using var fixture = await ServerFixture.StartAsync();
        using var body = new StringContent("""{"schema":"\"string\""}""", Encoding.UTF8, "application/vnd.schemaregistry.v1+json");

        using var response = await fixture.Authorized.PostAsync("/registry/subjects/names-value/versions", body);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"id":1}""");
        fixture.Server.Context.Log.TryGetTopic("_schemas", out var topic).ShouldBeTrue();
        topic!.GetPartition(0).EndOffset.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Register_WithoutToken_Is401_ButReadsFromLoopbackNeedNone()
    {
        await using var fixture = await ServerFixture.StartAsync();
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = new Uri(fixture.Server.Address, "/registry").ToString(), MaxRetries = 1 });

        var refused = await Should.ThrowAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync("orders-value", new Schema(Order, SchemaType.Avro)));
        using var subjects = await fixture.Anonymous.GetAsync("/registry/subjects");

        (refused.Status, refused.ErrorCode).ShouldBe((HttpStatusCode.Unauthorized, 40101));
        refused.Message.ShouldContain("basic.auth.user.info=sluice:<token>");
        subjects.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await subjects.Content.ReadAsStringAsync()).ShouldBe("[]");
    }

    [Fact]
    public async Task Register_WithAWrongBasicPassword_Is401()
    {
        await using var fixture = await ServerFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/registry/subjects/names-value/versions")
        {
            Content = new StringContent("""{"schema":"\"string\""}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("sluice:not-the-token")));

        using var response = await fixture.Anonymous.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
