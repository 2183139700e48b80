using Npgsql;
using Shouldly;

namespace Sluice.Server.Tests.PgWire;

/// <summary>The endpoint under messages real clients do not send: SSL and GSS requests, unknown messages, floods, clients that vanish mid-query.</summary>
public sealed class PgWireProtocolTests(TrustingPgWireServer server) : IClassFixture<TrustingPgWireServer>
{
    [Fact]
    public async Task SslAndGssRequests_AreAnsweredN_AndStartupGoesOnInClearText()
    {
        using var client = await RawPgClient.ConnectAsync(server.Port);
        client.SendRequestCode(80877103);
        client.ReadByte().ShouldBe('N');
        client.SendRequestCode(80877104);
        client.ReadByte().ShouldBe('N');
        client.SendStartup("anyone");

        var startup = client.ReadUntil('Z');

        startup[0].Type.ShouldBe('R');
        startup.ShouldContain(m => m.Type == 'K');
        startup.Count(m => m.Type == 'S').ShouldBeGreaterThanOrEqualTo(9);
        startup[^1].Body.ShouldBe("I"u8.ToArray());
    }

    [Fact]
    public async Task UnknownMessageType_IsRefusedWith08P01_AndTheServerGoesOn()
    {
        using (var client = await StartedClientAsync())
        {
            client.Send('y', [1, 2, 3]);
            var error = client.Read();
            error!.Value.Type.ShouldBe('E');
            RawPgClient.SqlState(error.Value.Body).ShouldBe("08P01");
            RawPgClient.Field(error.Value.Body, 'S').ShouldBe("FATAL");
            client.Read().ShouldBeNull();
        }
        using var next = await StartedClientAsync();
        next.SendQuery("SELECT 1");
        next.ReadUntil('Z').Select(m => m.Type).ShouldBe(['T', 'D', 'C', 'Z']);
    }

    [Fact]
    public async Task EmptyQuery_GetsEmptyQueryResponse()
    {
        using var client = await StartedClientAsync();
        client.SendQuery("  -- nothing\n ");
        client.ReadUntil('Z').Select(m => m.Type).ShouldBe(['I', 'Z']);
    }

    [Fact]
    public async Task ClientGoneMidQuery_FreesItsConnection()
    {
        var client = await StartedClientAsync();
        client.SendQuery("SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000000000) b");
        await PollAsync(() => server.Server.PgWire!.ActiveConnections == 1, "the query's connection is counted");

        client.Dispose();

        // Without the interrupt the query would run for hours, holding its connection slot and DuckDB's threads.
        await PollAsync(() => server.Server.PgWire!.ActiveConnections == 0, "the connection of the vanished client is released");
    }

    [Fact]
    public async Task FloodBeyondTheLimit_IsRefusedWith53300_AndTheServerGoesOn()
    {
        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < PgWireServer.MaxConnections; i++)
            {
                held.Add(await OpenTrustedAsync());
            }
            for (var i = 0; i < 20; i++)
            {
                await using var extra = new NpgsqlConnection(ConnectionString());
                var error = await Should.ThrowAsync<PostgresException>(() => extra.OpenAsync());
                error.SqlState.ShouldBe("53300");
            }

            await held[0].DisposeAsync();
            held.RemoveAt(0);
            await PollAsync(() => server.Server.PgWire!.ActiveConnections == PgWireServer.MaxConnections - 1, "a closed connection frees its slot");
            await using var again = await OpenTrustedAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM events", again);
            (await command.ExecuteScalarAsync()).ShouldBe(5L);
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private string ConnectionString() => $"Host=127.0.0.1;Port={server.Port};Username=grafana;Database=sluice;Pooling=false;Timeout=15";

    private async Task<NpgsqlConnection> OpenTrustedAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        return connection;
    }

    private async Task<RawPgClient> StartedClientAsync()
    {
        var client = await RawPgClient.ConnectAsync(server.Port);
        client.SendStartup("tester");
        client.ReadUntil('Z');
        return client;
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Within 20 s: {what}.");
            }
            await Task.Delay(20);
        }
    }
}
