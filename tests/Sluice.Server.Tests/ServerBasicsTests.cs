using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Server;

namespace Sluice.Server.Tests;

public sealed class ServerBasicsTests
{
    [Fact]
    public async Task Healthz_Running_AnswersOk()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await fixture.Anonymous.GetAsync("/healthz");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("ok\n");
    }

    [Fact]
    public async Task Readyz_AfterStart_AnswersReady()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await fixture.Anonymous.GetAsync("/readyz");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Configuration_FilesInTheDataDirectory_AreReadOnceNotWatched()
    {
        await using var fixture = await ServerFixture.StartAsync();

        // The content root is the data directory, written by every ingest append: a reload-on-change file source
        // there puts a recursive file watcher on it that wakes for each append.
        var configuration = (IConfigurationRoot)fixture.Server.Services.GetRequiredService<IConfiguration>();
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        files.ShouldNotBeEmpty("appsettings.json is still a configuration source");
        files.ShouldAllBe(f => !f.Source.ReloadOnChange);
    }

    [Fact]
    public async Task Address_Default_IsLoopback()
    {
        await using var fixture = await ServerFixture.StartAsync();

        IPAddress.IsLoopback(IPAddress.Parse(fixture.Server.Address.Host)).ShouldBeTrue();
        fixture.Server.Address.Port.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Post_WithoutToken_Is401WithBearerChallenge()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await fixture.Anonymous.PostAsync("/healthz", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("Authorization: Bearer <token>");
        body.ShouldNotContain(fixture.Server.Token);
    }

    [Fact]
    public async Task Delete_WithWrongToken_Is401()
    {
        await using var fixture = await ServerFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/healthz");
        request.Headers.Authorization = new("Bearer", fixture.Server.Token[..^1] + (fixture.Server.Token[^1] == 'a' ? 'b' : 'a'));

        using var response = await fixture.Anonymous.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Post_WithToken_PassesAuthorization()
    {
        await using var fixture = await ServerFixture.StartAsync();

        // /healthz takes no POST: with the token the request gets past authorization to routing (405), not 401.
        using var response = await fixture.Authorized.PostAsync("/healthz", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("GET", "127.0.0.1", false)]
    [InlineData("HEAD", "::1", false)]
    [InlineData("GET", "10.0.0.7", true)]
    [InlineData("POST", "127.0.0.1", true)]
    [InlineData("PUT", "127.0.0.1", true)]
    [InlineData("DELETE", "::1", true)]
    [InlineData("PATCH", "127.0.0.1", true)]
    public void NeedsToken_MethodAndRemote_MutatingOrRemoteNeedIt(string method, string remote, bool expected) =>
        Sluice.Server.Security.TokenAuthorization.NeedsToken(method, IPAddress.Parse(remote)).ShouldBe(expected);

    [Fact]
    public async Task Token_SecondStart_IsReadBackNotRecreated()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-server-").FullName;
        try
        {
            string first;
            await using (var fixture = await ServerFixture.StartAsync(directory))
            {
                fixture.Server.TokenCreated.ShouldBeTrue();
                first = fixture.Server.Token;
                first.Length.ShouldBe(43); // 32 bytes, base64url without padding
            }
            await using (var again = await ServerFixture.StartAsync(directory))
            {
                again.Server.TokenCreated.ShouldBeFalse();
                again.Server.Token.ShouldBe(first);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(Path.Combine(directory, "server.token")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Token_DamagedFile_StartFailsNamingTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-server-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "server.token"), "not a token!");

            var error = await Should.ThrowAsync<InvalidDataException>(() => ServerFixture.StartAsync(directory));

            error.Message.ShouldContain("server.token");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task OpenApi_Document_IsServedAndListsHealth()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var document = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/openapi/v1.json"));

        document.RootElement.GetProperty("paths").TryGetProperty("/healthz", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Start_SecondServerOnSameDirectory_FailsWhileFirstRuns()
    {
        await using var fixture = await ServerFixture.StartAsync();

        var error = await Should.ThrowAsync<Sluice.Log.DataDirectoryLockedException>(() => SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = fixture.Server.DataDirectory, Port = 0 }));

        error.Message.ShouldContain($"is in use by another Sluice server (pid {Environment.ProcessId} on host {Environment.MachineName} since ");
    }

    [Fact]
    public async Task Start_BadPort_ThrowsNamingIt()
    {
        var error = await Should.ThrowAsync<ArgumentException>(() => SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = "unused", Port = 70000 }));

        error.Message.ShouldContain("70000");
    }
}
