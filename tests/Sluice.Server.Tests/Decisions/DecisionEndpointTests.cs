using System.Net;
using System.Net.Sockets;
using Sluice.Server.Decisions;

namespace Sluice.Server.Tests.Decisions;

/// <summary><c>GET /api/decide/{user}</c> when its Redis cannot be reached: a 503 naming the endpoint, and no request held up.</summary>
public sealed class DecisionEndpointTests
{
    private static Task<ServerFixture> StartAsync(string redis) =>
        ServerFixture.StartAsync(configure: o => o with { Decisions = new DecisionStoreOptions { RedisConfiguration = redis } });

    [Fact]
    public async Task Decide_RedisPortClosed_Answers503NamingTheEndpointWithoutThePassword()
    {
        var port = LoopbackPort.Free(); // nothing listens on it
        await using var fixture = await StartAsync($"127.0.0.1:{port},password=s3cret-value,connectTimeout=2000");

        using var answer = await fixture.Anonymous.GetAsync("/api/decide/u1");
        var body = await answer.Content.ReadAsStringAsync();

        answer.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        body.ShouldContain($"127.0.0.1:{port}");
        body.ShouldContain("/api/decide/{user}");
        body.ShouldNotContain("s3cret-value");
        body.ShouldNotContain("   at "); // no stack trace
    }

    [Fact]
    public async Task Decide_RedisNeverAnswers_OtherRequestsAreServed_AndEveryCallAnswers503()
    {
        // A listener that accepts connections but never speaks: the connect hangs until its timeout (5 s).
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var fixture = await StartAsync($"127.0.0.1:{port},connectTimeout=5000");

        var decides = Enumerable.Range(0, 8).Select(i => fixture.Anonymous.GetAsync($"/api/decide/u{i}")).ToArray();
        using var health = await fixture.Anonymous.GetAsync("/healthz");

        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var decide in decides)
        {
            using var answer = await decide.WaitAsync(TimeSpan.FromSeconds(30));
            var body = await answer.Content.ReadAsStringAsync();
            answer.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            body.ShouldContain($"127.0.0.1:{port}");
        }
    }
}
