using DuckDB.NET.Data;
using Npgsql;
using Sluice.Server.PgWire;

namespace Sluice.Server.Tests.PgWire;

/// <summary>
/// A real <see cref="SluiceServer"/> with its PostgreSQL endpoint on a free loopback port, over a data directory whose
/// warehouse holds table <c>events</c> (one column of each common type, the five rows below) and whose lake holds
/// table <c>clicks</c> (Parquet, hive-partitioned). Users: <c>alice</c> / <c>s3cret</c>. Shared by a test class
/// (xunit class fixture); disposing stops the server and deletes the directory.
/// </summary>
public class PgWireServer : IAsyncLifetime
{
    public const string User = "alice";
    public const string Password = "s3cret";

    /// <summary>The most connections the endpoint serves at once in these tests.</summary>
    public const int MaxConnections = 8;

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-pgwire-").FullName;

    public SluiceServer Server { get; private set; } = null!;

    public int Port => Server.PgPort!.Value;

    /// <summary>Whether loopback clients get in without a password (the raw-protocol tests use it).</summary>
    protected virtual bool TrustLoopback => false;

    /// <summary>An Npgsql connection string for <paramref name="password"/> (default: alice's), without pooling.</summary>
    public string ConnectionString(string? password = null, string extra = "") =>
        $"Host=127.0.0.1;Port={Port};Username={User};Password={password ?? Password};Database=sluice;Pooling=false;Timeout=15;Command Timeout=60{(extra.Length > 0 ? ";" + extra : "")}";

    public async Task<NpgsqlConnection> OpenAsync(string extra = "")
    {
        var connection = new NpgsqlConnection(ConnectionString(extra: extra));
        await connection.OpenAsync();
        return connection;
    }

    public async Task InitializeAsync()
    {
        Seed(_directory);
        Server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = _directory,
            Port = 0,
            PgWire = new PgWireOptions
            {
                Port = 0,
                Users = new Dictionary<string, string> { [User] = Password },
                MaxConnections = MaxConnections,
                TrustLoopback = TrustLoopback,
            },
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Writes the warehouse table and the lake table, then closes the warehouse (the server opens it again).</summary>
    private static void Seed(string directory)
    {
        var clicks = Path.Combine(directory, "lake", "clicks", "date=2026-12-01");
        Directory.CreateDirectory(clicks);
        using var connection = new DuckDBConnection($"DataSource={Path.Combine(directory, "warehouse.duckdb")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $$"""
            CREATE TABLE events (
                ts TIMESTAMP, user_id INTEGER, amount DECIMAL(10,2), name VARCHAR, ok BOOLEAN, id UUID, payload JSON,
                big BIGINT, f4 FLOAT, f8 DOUBLE, d DATE, tz TIMESTAMPTZ, bin BLOB, small SMALLINT);
            INSERT INTO events VALUES
                ('2026-12-01 10:00:30', 1, 12.50, 'ann', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": 1}',
                 9000000000, 1.5, 2.25, '2026-12-01', '2026-12-01 10:00:30.123456+00', '\x01\xFF'::BLOB, 7),
                ('2026-12-01 10:01:10', 2, 7.25, 'bob', false, NULL, NULL, -5, -0.5, 1e20, '1999-12-31', NULL, NULL, -3),
                ('2026-12-01 10:01:50', 1, 0.25, 'ann', true, NULL, NULL, 0, 0, 0, '2000-01-01', NULL, NULL, 0),
                ('2026-12-01 10:07:00', 3, 100.00, 'cy', NULL, NULL, NULL, 1, 1, 1, '2026-12-02', NULL, NULL, 1),
                ('2026-12-01 09:59:59', 3, 50.00, 'cy', NULL, NULL, NULL, 1, 1, 1, '2026-11-30', NULL, NULL, 1);
            COPY (SELECT * FROM (VALUES ('home', 3), ('cart', 1)) AS t(page, n)) TO '{{clicks}}/part-0.parquet' (FORMAT parquet);
            """;
        command.ExecuteNonQuery();
    }
}

/// <summary>The same server with trust on loopback: raw-protocol tests log in without SCRAM.</summary>
public sealed class TrustingPgWireServer : PgWireServer
{
    protected override bool TrustLoopback => true;
}
