using Npgsql;
using NpgsqlTypes;
using Shouldly;

namespace Sluice.Server.Tests.PgWire;

/// <summary>The endpoint as Npgsql (the .NET PostgreSQL client) sees it: login, type loading, prepared statements, binary results, errors, cancel, SSL.</summary>
public sealed class PgWireNpgsqlTests(PgWireServer server) : IClassFixture<PgWireServer>
{
    [Fact]
    public async Task Open_LoadsTypesAndReportsVersion()
    {
        // Opening runs Npgsql's type loading (SELECT version() and its pg_type query) over the simple protocol.
        await using var connection = await server.OpenAsync();

        connection.PostgreSqlVersion.ShouldBe(new Version(15, 0));
        await using var command = new NpgsqlCommand("SELECT version()", connection);
        ((string)(await command.ExecuteScalarAsync())!).ShouldStartWith("PostgreSQL 15.0 (Sluice");
    }

    [Fact]
    public async Task PreparedStatement_WithParameters_ReturnsBinaryValuesOfEachType()
    {
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT ts, user_id, amount, name, ok, id, payload, big, f4, f8, d, tz, bin, small FROM events WHERE user_id = $1 AND name = $2 ORDER BY ts",
            connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 1 });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "ann" });
        await command.PrepareAsync();

        await using (var reader = await command.ExecuteReaderAsync())
        {
            reader.GetDataTypeName(0).ShouldBe("timestamp without time zone");
            reader.GetDataTypeName(2).ShouldBe("numeric");
            reader.GetDataTypeName(5).ShouldBe("uuid");
            reader.GetDataTypeName(11).ShouldBe("timestamp with time zone");
            (await reader.ReadAsync()).ShouldBeTrue();
            reader.GetDateTime(0).ShouldBe(new DateTime(2026, 12, 1, 10, 0, 30));
            reader.GetInt32(1).ShouldBe(1);
            reader.GetDecimal(2).ShouldBe(12.50m);
            reader.GetString(3).ShouldBe("ann");
            reader.GetBoolean(4).ShouldBeTrue();
            reader.GetGuid(5).ShouldBe(Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
            reader.GetString(6).ShouldBe("{\"k\": 1}");
            reader.GetInt64(7).ShouldBe(9_000_000_000L);
            reader.GetFloat(8).ShouldBe(1.5f);
            reader.GetDouble(9).ShouldBe(2.25);
            reader.GetFieldValue<DateOnly>(10).ShouldBe(new DateOnly(2026, 12, 1));
            reader.GetFieldValue<DateTime>(11).ShouldBe(new DateTime(2026, 12, 1, 10, 0, 30, DateTimeKind.Utc).AddTicks(1234560));
            reader.GetFieldValue<byte[]>(12).ShouldBe(new byte[] { 0x01, 0xFF });
            reader.GetInt16(13).ShouldBe((short)7);
            (await reader.ReadAsync()).ShouldBeTrue();
            reader.GetDecimal(2).ShouldBe(0.25m);
            reader.GetFieldValue<DateOnly>(10).ShouldBe(new DateOnly(2000, 1, 1));
            reader.IsDBNull(5).ShouldBeTrue();
            (await reader.ReadAsync()).ShouldBeFalse();
        }

        // The same prepared statement again, with other values: one row of bob's.
        command.Parameters[0].Value = 2;
        command.Parameters[1].Value = "bob";
        await using (var reader = await command.ExecuteReaderAsync())
        {
            (await reader.ReadAsync()).ShouldBeTrue();
            reader.GetDecimal(2).ShouldBe(7.25m);
            reader.GetInt64(7).ShouldBe(-5L);
            reader.GetDouble(9).ShouldBe(1e20);
            reader.GetFieldValue<DateOnly>(10).ShouldBe(new DateOnly(1999, 12, 31));
            reader.GetInt16(13).ShouldBe((short)-3);
            (await reader.ReadAsync()).ShouldBeFalse();
        }
    }

    [Fact]
    public async Task Parameters_OfEachBinaryType_AreBoundAsSent()
    {
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM events WHERE ts >= $1 AND amount >= $2 AND ok = $3 AND d = $4 AND big = $5 AND f8 = $6 AND id = $7", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = new DateTime(2026, 12, 1, 10, 0, 0), NpgsqlDbType = NpgsqlDbType.Timestamp });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = 12.5m });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = true });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = new DateOnly(2026, 12, 1) });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 9_000_000_000L });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = 2.25 });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11") });

        (await command.ExecuteScalarAsync()).ShouldBe(1L);
    }

    [Fact]
    public async Task PreparedStatement_ParameterInAnExpression_IsDescribedByItsDeclaredType()
    {
        // Describing the statement before it is bound must resolve $1 + INTERVAL, which a bare NULL would not.
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM events WHERE ts BETWEEN $1 AND $1 + INTERVAL 2 MINUTE", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = new DateTime(2026, 12, 1, 10, 0, 0), NpgsqlDbType = NpgsqlDbType.Timestamp });
        await command.PrepareAsync();

        (await command.ExecuteScalarAsync()).ShouldBe(3L);
    }

    [Fact]
    public async Task GrafanaPanelQuery_TimeBucketsInTheRange()
    {
        // What a Grafana PostgreSQL panel sends for "sum(amount) per minute", $__timeFilter(ts) expanded as Grafana does.
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT
              date_trunc('minute', ts) AS "time",
              sum(amount) AS "value"
            FROM events
            WHERE
              ts BETWEEN '2026-12-01T10:00:00Z' AND '2026-12-01T10:05:00Z'
            GROUP BY 1
            ORDER BY 1
            """, connection);
        var rows = new List<(DateTime, decimal)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetDateTime(0), reader.GetDecimal(1)));
            }
        }
        rows.ShouldBe([(new DateTime(2026, 12, 1, 10, 0, 0), 12.50m), (new DateTime(2026, 12, 1, 10, 1, 0), 7.50m)]);

        // The same with time_bucket, as a panel written for TimescaleDB does.
        await using var bucketed = new NpgsqlCommand(
            "SELECT time_bucket(INTERVAL '5 minutes', ts) AS time, count(*) AS events FROM events WHERE ts BETWEEN '2026-12-01T09:55:00Z' AND '2026-12-01T10:10:00Z' GROUP BY 1 ORDER BY 1",
            connection);
        var buckets = new List<(DateTime, long)>();
        await using (var reader = await bucketed.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                buckets.Add((reader.GetDateTime(0), reader.GetInt64(1)));
            }
        }
        buckets.ShouldBe([(new DateTime(2026, 12, 1, 9, 55, 0), 1L), (new DateTime(2026, 12, 1, 10, 0, 0), 3L), (new DateTime(2026, 12, 1, 10, 5, 0), 1L)]);
    }

    [Fact]
    public async Task LakeTable_IsQueryableByName()
    {
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT page, n, date FROM clicks ORDER BY n DESC", connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("home");
        reader.GetInt32(1).ShouldBe(3);
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("cart");
    }

    [Theory]
    [InlineData("SELEC 1", "42601")]
    [InlineData("SELECT * FROM nowhere", "42P01")]
    [InlineData("SELECT nope FROM events", "42703")]
    [InlineData("INSERT INTO events (user_id) VALUES (9)", "25006")]
    [InlineData("DROP TABLE events", "25006")]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "42501")]
    [InlineData("SELECT * FROM '/etc/hosts.csv'", "42501")]
    [InlineData("EXPLAIN ANALYZE COPY (SELECT 1) TO '/tmp/sluice-pgwire-explain.csv'", "25006")]
    [InlineData("SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))", "42501")]
    [InlineData("SELECT 1 AS\u00a0$x$, * FROM read_text('/etc/passwd') --$x$", "42501")]
    [InlineData("SELECT $70000", "42601")]
    public async Task BadStatement_GetsItsSqlState_AndTheConnectionGoesOn(string sql, string sqlState)
    {
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        error.SqlState.ShouldBe(sqlState);
        await using var next = new NpgsqlCommand("SELECT count(*) FROM events", connection);
        (await next.ExecuteScalarAsync()).ShouldBe(5L);
    }

    [Fact]
    public async Task WrongPassword_IsRefusedWith28P01()
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(password: "wrong"));

        var error = await Should.ThrowAsync<PostgresException>(() => connection.OpenAsync());

        error.SqlState.ShouldBe("28P01");
        error.MessageText.ShouldBe("password authentication failed for user \"alice\"");
    }

    [Fact]
    public async Task UnknownUser_IsRefusedLikeAWrongPassword()
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString().Replace("Username=alice", "Username=mallory", StringComparison.Ordinal));

        var error = await Should.ThrowAsync<PostgresException>(() => connection.OpenAsync());

        error.SqlState.ShouldBe("28P01");
        error.MessageText.ShouldBe("password authentication failed for user \"mallory\"");
    }

    [Fact]
    public async Task OversizedSaslMessageBeforeLogin_IsRefusedWith08P01_BeforeItsBodyIsRead()
    {
        using var client = await RawPgClient.ConnectAsync(server.Port);
        client.SendStartup("alice");
        var sasl = client.Read();
        sasl!.Value.Type.ShouldBe('R');

        // Only the header: a 1 MiB SASLInitialResponse, under the endpoint's message ceiling but over PostgreSQL's
        // 65,535-byte ceiling for authentication tokens. The refusal must come without the body.
        client.SendHeader('p', 1 << 20);

        var error = client.Read();
        error!.Value.Type.ShouldBe('E');
        RawPgClient.SqlState(error.Value.Body).ShouldBe("08P01");
        client.Read().ShouldBeNull();
    }

    [Fact]
    public async Task Cancel_StopsTheRunningQueryWith57014_AndTheConnectionGoesOn()
    {
        await using var connection = await server.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000000000) b", connection);
        var running = command.ExecuteScalarAsync();

        // A CancelRequest that arrives before the query starts is ignored (as in PostgreSQL): cancel once it runs.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (server.Server.PgWire!.RunningQueries == 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the query should be running on DuckDB");
            await Task.Delay(20);
        }
        command.Cancel();

        // Npgsql reports a command cancelled with Cancel() as an OperationCanceledException, once the server answered
        // the query with 57014; had the server not stopped it, Npgsql would break the connection after its
        // cancellation timeout (2 s), and the next command could not run.
        var error = await Should.ThrowAsync<Exception>(() => running);
        (error is OperationCanceledException || error is PostgresException { SqlState: "57014" }).ShouldBeTrue(error.ToString());
        server.Server.PgWire!.RunningQueries.ShouldBe(0);
        connection.State.ShouldBe(System.Data.ConnectionState.Open);
        await using var next = new NpgsqlCommand("SELECT 41 + 1", connection);
        (await next.ExecuteScalarAsync()).ShouldBe(42);
    }

    [Fact]
    public async Task SslRequire_IsRefusedClearly_AndPreferFallsBack()
    {
        await using var required = new NpgsqlConnection(server.ConnectionString(extra: "SSL Mode=Require"));
        var error = await Should.ThrowAsync<NpgsqlException>(() => required.OpenAsync());
        error.Message.ShouldContain("SSL");

        await using var preferred = new NpgsqlConnection(server.ConnectionString(extra: "SSL Mode=Prefer"));
        await preferred.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", preferred);
        (await command.ExecuteScalarAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task SetShowAndTransactions_AreAnswered()
    {
        await using var connection = await server.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SET application_name = 'panel'", connection))
        {
            await set.ExecuteNonQueryAsync();
        }
        await using (var show = new NpgsqlCommand("SHOW application_name", connection))
        {
            (await show.ExecuteScalarAsync()).ShouldBe("panel");
        }
        await using (var show = new NpgsqlCommand("SHOW TimeZone", connection))
        {
            (await show.ExecuteScalarAsync()).ShouldBe("UTC");
        }
        await transaction.CommitAsync();
    }
}
