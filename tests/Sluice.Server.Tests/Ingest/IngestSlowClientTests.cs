using System.Net;
using System.Net.Sockets;
using System.Text;
using static Sluice.Server.Tests.Ingest.IngestTestSupport;

namespace Sluice.Server.Tests.Ingest;

public sealed class IngestSlowClientTests
{
    [Fact]
    public async Task Post_ClientThatNeverFinishesItsBody_IsCutOffWhileOthersAreServed()
    {
        await using var fixture = await ServerFixture.StartAsync();
        LogOf(fixture).CreateTopic("events");
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, fixture.Server.Address.Port);
        var stream = slow.GetStream();
        var head = $"POST /ingest/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {fixture.Server.Token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{{\"a\":1}}\n{{\"a\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using (var other = await PostAsync(fixture.Authorized, "/ingest/events", "{\"b\":1}\n"))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        // Kestrel's minimum body rate (1 KiB/s after a 5 s grace period) ends the slow request; wait for the server to
        // answer or close, with a deadline far above the grace period.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        var received = new StringBuilder();
        int read;
        try
        {
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // A reset connection is a cut-off too.
        }

        deadline.IsCancellationRequested.ShouldBeFalse();
        (received.Length == 0 || received.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal)).ShouldBeTrue(received.ToString());
        Read(LogOf(fixture), "events").Select(r => Utf8(r.Value)).ShouldBe(["{\"b\":1}"]);
    }
}
