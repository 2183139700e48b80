using Npgsql;
using Shouldly;

namespace Sluice.Server.Tests.Views;

/// <summary>CREATE / SHOW / DROP MATERIALIZED VIEW over the PostgreSQL endpoint (Npgsql), its upkeep, restart and refusals.</summary>
public sealed class MaterializedViewTests
{
    [Fact]
    public async Task CreateView_OverLogTopic_MaintainsBalancesByKeyAndListsIt()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        var first = ViewServer.Transfers(seed: 1, count: 200);
        server.Append(first);

        await server.ExecuteAsync(server.TransfersDdl);
        await server.ExecuteAsync(ViewServer.BalancesView);
        await server.WaitForBalancesAsync(ViewServer.Expected(first));

        // Updates are applied by key: more transfers change the accounts' rows, they add none.
        var second = ViewServer.Transfers(seed: 2, count: 100);
        server.Append(second);
        await server.WaitForBalancesAsync(ViewServer.Expected(first.Concat(second)));

        await using var connection = await server.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW MATERIALIZED VIEWS", connection);
        await using var reader = await show.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(reader.GetOrdinal("name")).ShouldBe("balances");
        reader.GetString(reader.GetOrdinal("key")).ShouldBe("acct");
        reader.GetString(reader.GetOrdinal("state")).ShouldBe("Running");
        reader.GetString(reader.GetOrdinal("query")).ShouldContain("UNION ALL");
        reader.IsDBNull(reader.GetOrdinal("last_checkpoint")).ShouldBeFalse();
        (await reader.ReadAsync()).ShouldBeFalse();
        await reader.DisposeAsync();

        // The view is a warehouse table to psql's \d, and its freshness is exported per view.
        PgWire.PsqlRunner.Run(server.Port, ViewServer.User, ViewServer.Password, "-c", "\\d").Stdout.ShouldContain("balances");
        using var http = new HttpClient { BaseAddress = server.Server.Address };
        var metrics = await http.GetStringAsync("/metrics");
        metrics.Split('\n').ShouldContain(line => line.StartsWith("sluice_materialized_view_freshness_seconds{", StringComparison.Ordinal) && line.Contains("view=\"balances\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateView_InsertOnlyQuery_AppendsRows()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        var transfers = ViewServer.Transfers(seed: 6, count: 120);
        server.Append(transfers);
        await server.ExecuteAsync(server.TransfersDdl);

        await server.ExecuteAsync("CREATE MATERIALIZED VIEW large WITH ('checkpoint.interval' = '100 ms') AS SELECT src, dst, amount FROM transfers WHERE amount > 500");

        var expected = transfers.Where(t => t.Amount > 500).Select(t => t.Amount).Order().ToList();
        await using var connection = await server.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rows = new List<long>();
            try
            {
                await using var command = new NpgsqlCommand("SELECT amount FROM large ORDER BY amount", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    rows.Add(reader.GetInt64(0));
                }
            }
            catch (PostgresException e) when (e.SqlState == "42P01")
            {
                // Not committed yet.
            }
            if (rows.SequenceEqual(expected))
            {
                break;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"View 'large' holds {rows.Count} rows, not {expected.Count}.");
            }
            await Task.Delay(20); // a poll interval: the loop ends on the condition
        }
        await using var show = new NpgsqlCommand("SHOW MATERIALIZED VIEWS", connection);
        await using var list = await show.ExecuteReaderAsync();
        (await list.ReadAsync()).ShouldBeTrue();
        list.GetString(list.GetOrdinal("key")).ShouldBe("");
    }

    [Fact]
    public async Task ServerRestart_ViewResumesFromItsCheckpoint_WithoutDoubleCounting()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        var before = ViewServer.Transfers(seed: 3, count: 300);
        server.Append(before);
        await server.ExecuteAsync(server.TransfersDdl);
        await server.ExecuteAsync(ViewServer.BalancesView);
        await server.WaitForBalancesAsync(ViewServer.Expected(before));
        await server.StopAsync();

        await server.StartAsync();
        var after = ViewServer.Transfers(seed: 4, count: 150);
        server.Append(after);

        // The moves column counts every transfer each account took part in: a replay from the start would double it.
        await server.WaitForBalancesAsync(ViewServer.Expected(before.Concat(after)));
        await using var connection = await server.OpenAsync();
        await using var showPlain = new NpgsqlCommand("SHOW MATERIALIZED VIEWS", connection);
        await using var reader = await showPlain.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(reader.GetOrdinal("state")).ShouldBe("Running");
    }

    [Fact]
    public async Task ConcurrentReader_NeverSeesAHalfAppliedCommit()
    {
        // Tick s goes to account s mod 16; the view keeps per account its count and its last tick. The source reads
        // one partition, so each checkpoint holds a prefix 0…N-1 of the ticks, and then sum(n) = max(last) + 1 over
        // the view's rows. A commit applied in part (some accounts updated, others not) breaks that equation.
        const int Accounts = 16;
        await using var server = new ViewServer();
        await server.StartAsync();
        await server.ExecuteAsync(server.TicksDdl);
        await server.ExecuteAsync("CREATE MATERIALIZED VIEW progress WITH ('checkpoint.interval' = '50 ms') AS SELECT acct, MAX(seq) AS last_seq, COUNT(*) AS n FROM ticks GROUP BY acct");
        using var stop = new CancellationTokenSource();
        var seen = new HashSet<long>();
        var reader = Task.Run(async () =>
        {
            await using var connection = await server.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand("SELECT coalesce(sum(n), 0)::BIGINT, coalesce(max(last_seq), -1)::BIGINT FROM progress", connection);
                try
                {
                    await using var rows = await command.ExecuteReaderAsync();
                    await rows.ReadAsync();
                    var total = rows.GetInt64(0);
                    rows.GetInt64(1).ShouldBe(total - 1, "the rows of one published checkpoint count every tick up to the last one");
                    seen.Add(total);
                }
                catch (PostgresException e) when (e.SqlState == "42P01")
                {
                    // Not committed yet.
                }
            }
        });
        const int Batches = 40;
        const int BatchSize = 37; // not a multiple of the accounts, so a batch updates some accounts twice and others once
        for (var batch = 0; batch < Batches; batch++)
        {
            server.AppendTicks(batch * BatchSize, BatchSize, Accounts);
            if (batch % 8 == 7)
            {
                await WaitForTicksAsync(server, (batch + 1) * BatchSize);
            }
        }
        await WaitForTicksAsync(server, Batches * BatchSize);
        await stop.CancelAsync();
        await reader;

        seen.Count.ShouldBeGreaterThan(2, "the reader saw the view change while it read");
    }

    private static async Task WaitForTicksAsync(ViewServer server, long total)
    {
        await using var connection = await server.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT coalesce(sum(n), 0)::BIGINT FROM progress", connection);
                if ((long)(await command.ExecuteScalarAsync())! == total)
                {
                    return;
                }
            }
            catch (PostgresException e) when (e.SqlState == "42P01")
            {
                // Not committed yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"View 'progress' did not reach {total} ticks in 60 s.");
            }
            await Task.Delay(20); // a poll interval: the loop ends on the condition
        }
    }

    [Fact]
    public async Task DropView_RemovesJobTableAndCheckpoints()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        var transfers = ViewServer.Transfers(seed: 5, count: 20);
        server.Append(transfers);
        await server.ExecuteAsync(server.TransfersDdl);
        await server.ExecuteAsync(ViewServer.BalancesView);
        await server.WaitForBalancesAsync(ViewServer.Expected(transfers));
        var jobs = server.Server.Context.CheckpointDirectory;
        Directory.GetDirectories(jobs).ShouldNotBeEmpty();

        await server.ExecuteAsync("DROP MATERIALIZED VIEW balances");

        await using var connection = await server.OpenAsync();
        var missing = await Should.ThrowAsync<PostgresException>(async () =>
        {
            await using var command = new NpgsqlCommand("SELECT * FROM balances", connection);
            await command.ExecuteScalarAsync();
        });
        missing.SqlState.ShouldBe("42P01");
        await using (var show = new NpgsqlCommand("SHOW MATERIALIZED VIEWS", connection))
        await using (var reader = await show.ExecuteReaderAsync())
        {
            (await reader.ReadAsync()).ShouldBeFalse();
        }
        Directory.GetDirectories(jobs).Where(d => Path.GetFileName(d) != "savepoints").ShouldBeEmpty();
        using var http = new HttpClient { BaseAddress = server.Server.Address };
        (await http.GetStringAsync("/api/jobs")).ShouldBe("[]");
        await server.ExecuteAsync("DROP MATERIALIZED VIEW IF EXISTS balances");
    }

    [Fact]
    public async Task DropView_WhoseJobDidNotResume_DeletesItsDefinition()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        await server.ExecuteAsync(server.TransfersDdl);
        await server.ExecuteAsync(ViewServer.BalancesView);
        var definitions = server.Server.Context.JobsDirectory;
        var definition = Directory.GetFiles(definitions, "*.json").ShouldHaveSingleItem();
        await server.StopAsync();
        // The job does not resume at the next start (its definition is away), then the definition is back on disk.
        File.Move(definition, definition + ".away");
        await server.StartAsync();
        File.Move(definition + ".away", definition);

        await server.ExecuteAsync("DROP MATERIALIZED VIEW balances");

        File.Exists(definition).ShouldBeFalse("a dropped view's job must never resume");
    }

    [Fact]
    public async Task CreateTableAndInsertInto_OverTheWire_RunAsAServerJob()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        var transfers = ViewServer.Transfers(seed: 7, count: 25);
        server.Append(transfers);
        await server.ExecuteAsync(server.TransfersDdl);
        await server.ExecuteAsync($"""
            CREATE TABLE copied (src STRING, amount BIGINT) WITH ('connector' = 'sluice-log', 'path' = '{Path.Combine(server.Directory, "log")}',
              'topic' = 'copied', 'topic.partitions' = '1', 'format' = 'json')
            """);

        await server.ExecuteAsync("INSERT INTO copied SELECT src, amount FROM transfers");

        var partition = server.Server.Log.GetPartition("copied", 0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (partition.LastStableOffset < transfers.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Topic 'copied' holds {partition.LastStableOffset} records, not {transfers.Count}.");
            }
            await Task.Delay(20); // a poll interval: the loop ends on the condition
        }
        partition.LastStableOffset.ShouldBe(transfers.Count);
        using var http = new HttpClient { BaseAddress = server.Server.Address };
        (await http.GetStringAsync("/api/jobs")).ShouldContain("insert-into_copied");

        // The catalog persists: after a restart the table is still there to drop.
        await server.StopAsync();
        await server.StartAsync();
        await server.ExecuteAsync("DROP TABLE copied");
        var gone = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("INSERT INTO copied SELECT src, amount FROM transfers"));
        gone.SqlState.ShouldBe("25006");
    }

    [Fact]
    public async Task TrustedLoopbackLogin_MayReadButNotCreateDropOrInsert()
    {
        await using var server = new ViewServer { TrustLoopback = true };
        await server.StartAsync();

        foreach (var change in new[] { server.TransfersDdl, ViewServer.BalancesView, "DROP MATERIALIZED VIEW balances" })
        {
            var refused = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync(change));
            refused.SqlState.ShouldBe("42501");
            refused.MessageText.ShouldContain("read-only");
        }
        await using var connection = await server.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW MATERIALIZED VIEWS", connection);
        await using var reader = await show.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeFalse("a trusted login still reads; no view was created");
    }

    [Fact]
    public async Task Refusals_CarryTheirSqlStateAndNameTheView()
    {
        await using var server = new ViewServer();
        await server.StartAsync();
        await server.ExecuteAsync(server.TransfersDdl);
        await server.ExecuteAsync(ViewServer.BalancesView);

        var duplicate = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync(ViewServer.BalancesView));
        duplicate.SqlState.ShouldBe("42P07");
        duplicate.MessageText.ShouldContain("'balances' exists already");
        await server.ExecuteAsync(ViewServer.BalancesView.Replace("VIEW balances", "VIEW IF NOT EXISTS balances", StringComparison.Ordinal));

        // An updating query without a key: a global aggregate's one row has no column to apply its updates by.
        var noKey = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync(
            "CREATE MATERIALIZED VIEW total AS SELECT SUM(amount) AS s FROM transfers"));
        noKey.SqlState.ShouldBe("0A000");
        noKey.MessageText.ShouldContain("'total' cannot be maintained");

        // RANK() keeps every row tied at rank 1: its partition is no key (ROW_NUMBER()'s Top-1 is).
        var ranked = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync(
            "CREATE MATERIALIZED VIEW top_rank AS SELECT src, amount FROM (SELECT src, amount, RANK() OVER (PARTITION BY src ORDER BY amount DESC) AS rk FROM transfers) WHERE rk = 1"));
        ranked.SqlState.ShouldBe("0A000");
        ranked.MessageText.ShouldContain("'top_rank' cannot be maintained");
        await server.ExecuteAsync(
            "CREATE MATERIALIZED VIEW top_row AS SELECT src, amount FROM (SELECT src, amount, ROW_NUMBER() OVER (PARTITION BY src ORDER BY amount DESC) AS rn FROM transfers) WHERE rn = 1");

        var syntax = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("CREATE MATERIALIZED VIEW v AS"));
        syntax.SqlState.ShouldBe("42601");

        var unknownTable = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("CREATE MATERIALIZED VIEW v AS SELECT * FROM nowhere"));
        unknownTable.SqlState.ShouldBe("42601");
        unknownTable.MessageText.ShouldContain("nowhere");

        var missing = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("DROP MATERIALIZED VIEW nothing"));
        missing.SqlState.ShouldBe("42P01");

        var option = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("CREATE MATERIALIZED VIEW v WITH ('speed' = 'max') AS SELECT src FROM transfers"));
        option.MessageText.ShouldContain("unknown option 'speed'");

        // Names become job ids, files and warehouse tables: plain identifiers only, refused without dropping the session.
        foreach (var bad in new[] { "`a/b`", "`..`", "`c:x`", "`a\\b`", "_sluice_commits" })
        {
            var invalid = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync($"CREATE MATERIALIZED VIEW {bad} AS SELECT src, amount FROM transfers"));
            invalid.SqlState.ShouldBe("42601");
            invalid.MessageText.ShouldContain("choose");
        }
        var droppedBad = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("DROP MATERIALIZED VIEW `../x`"));
        droppedBad.MessageText.ShouldContain("not a plain identifier");

        // A warehouse CREATE TABLE without a connector stays a refused write.
        var write = await Should.ThrowAsync<PostgresException>(() => server.ExecuteAsync("CREATE TABLE t (x INTEGER)"));
        write.SqlState.ShouldBe("25006");
    }
}
