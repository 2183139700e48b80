using System.Globalization;
using System.Text;
using Npgsql;
using Sluice.Log;
using Sluice.Server.PgWire;

namespace Sluice.Server.Tests.Views;

/// <summary>
/// A data directory for materialized-view tests and the real <see cref="SluiceServer"/> running over it (PostgreSQL
/// endpoint on a free loopback port, user <c>alice</c>): start, stop and start again on the same directory; append
/// transfers to the embedded log topic <c>transfers</c>. Disposing stops the server and deletes the directory.
/// </summary>
internal sealed class ViewServer : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "s3cret";

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("sluice-views-").FullName;

    public SluiceServer Server { get; private set; } = null!;

    public int Port => Server.PgPort!.Value;

    /// <summary>The DDL of the source table over topic <c>transfers</c> ({"src","dst","amount"} as JSON).</summary>
    public string TransfersDdl => $"""
        CREATE TABLE transfers (src STRING, dst STRING, amount BIGINT) WITH ('connector' = 'sluice-log',
          'path' = '{Path.Combine(Directory, "log")}', 'topic' = 'transfers', 'topic.partitions' = '1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')
        """;

    /// <summary>A view of each account's balance: every transfer moves its amount from src to dst, so the balances sum to 0.</summary>
    public const string BalancesView = """
        CREATE MATERIALIZED VIEW balances WITH ('checkpoint.interval' = '100 ms') AS
        SELECT acct, SUM(delta) AS balance, COUNT(*) AS moves FROM (
          SELECT src AS acct, -amount AS delta FROM transfers
          UNION ALL
          SELECT dst AS acct, amount AS delta FROM transfers) GROUP BY acct
        """;

    /// <summary>Whether loopback clients log in without a password (<see cref="PgWireOptions.TrustLoopback"/>).</summary>
    public bool TrustLoopback { get; init; }

    public async Task StartAsync()
    {
        Server = await SluiceServer.StartAsync(new SluiceServerOptions
        {
            DataDirectory = Directory,
            Port = 0,
            PgWire = new PgWireOptions { Port = 0, Users = new Dictionary<string, string> { [User] = Password }, TrustLoopback = TrustLoopback },
        });
    }

    public async Task StopAsync() => await Server.DisposeAsync();

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database=sluice;Pooling=false;Timeout=15;Command Timeout=60");
        await connection.OpenAsync();
        return connection;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Appends transfers to topic <c>transfers</c> (created with one partition when missing), durably, in one batch.</summary>
    public void Append(IReadOnlyList<(string Src, string Dst, long Amount)> transfers)
    {
        var log = Server.Log;
        var topic = log.TryGetTopic("transfers", out var existing) ? existing : log.CreateTopic("transfers", new TopicConfig { Partitions = 1 });
        var records = new ProducerRecord[transfers.Count];
        for (var i = 0; i < transfers.Count; i++)
        {
            var (src, dst, amount) = transfers[i];
            records[i] = new ProducerRecord(null, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"src":"{{src}}","dst":"{{dst}}","amount":{{amount}}}""")));
        }
        topic.GetPartition(0).Append(records);
    }

    /// <summary>The DDL of the source table over topic <c>ticks</c> ({"acct","seq"} as JSON).</summary>
    public string TicksDdl => $"""
        CREATE TABLE ticks (acct STRING, seq BIGINT) WITH ('connector' = 'sluice-log', 'path' = '{Path.Combine(Directory, "log")}',
          'topic' = 'ticks', 'topic.partitions' = '1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')
        """;

    /// <summary>Appends ticks <paramref name="from"/> … <paramref name="from"/> + <paramref name="count"/> − 1, tick s to account a(s mod accounts), in one batch.</summary>
    public void AppendTicks(long from, int count, int accounts)
    {
        var topic = Server.Log.GetTopic("ticks");
        var records = new ProducerRecord[count];
        for (var i = 0; i < count; i++)
        {
            var seq = from + i;
            records[i] = new ProducerRecord(null, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"acct":"a{{seq % accounts}}","seq":{{seq}}}""")));
        }
        topic.GetPartition(0).Append(records);
    }

    /// <summary>Seeded transfers between accounts a0…a{accounts-1}, amounts 1 to 1000.</summary>
    public static List<(string Src, string Dst, long Amount)> Transfers(int seed, int count, int accounts = 7)
    {
        var random = new Random(seed);
        var transfers = new List<(string, string, long)>(count);
        for (var i = 0; i < count; i++)
        {
            var src = random.Next(accounts);
            var dst = (src + 1 + random.Next(accounts - 1)) % accounts;
            transfers.Add(($"a{src}", $"a{dst}", random.Next(1, 1001)));
        }
        return transfers;
    }

    /// <summary>Each account's balance and number of moves after <paramref name="transfers"/>, computed here, not by the view.</summary>
    public static SortedDictionary<string, (long Balance, long Moves)> Expected(IEnumerable<(string Src, string Dst, long Amount)> transfers)
    {
        var balances = new SortedDictionary<string, (long Balance, long Moves)>(StringComparer.Ordinal);
        foreach (var (src, dst, amount) in transfers)
        {
            var s = balances.GetValueOrDefault(src);
            balances[src] = (s.Balance - amount, s.Moves + 1);
            var d = balances.GetValueOrDefault(dst);
            balances[dst] = (d.Balance + amount, d.Moves + 1);
        }
        return balances;
    }

    /// <summary>The view's rows, read over the wire.</summary>
    public async Task<SortedDictionary<string, (long Balance, long Moves)>> ReadBalancesAsync()
    {
        var rows = new SortedDictionary<string, (long Balance, long Moves)>(StringComparer.Ordinal);
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT acct, balance, moves FROM balances", connection);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            }
        }
        catch (PostgresException e) when (e.SqlState == "42P01")
        {
            // The view's table appears at its first commit.
        }
        return rows;
    }

    /// <summary>Polls the view until it equals <paramref name="expected"/> (a deadline, not a sleep: the loop ends on the condition).</summary>
    public async Task WaitForBalancesAsync(SortedDictionary<string, (long Balance, long Moves)> expected, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var rows = await ReadBalancesAsync();
            if (rows.SequenceEqual(expected))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {seconds} s for view balances to equal [{string.Join(", ", expected)}]; it holds [{string.Join(", ", rows)}].");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
