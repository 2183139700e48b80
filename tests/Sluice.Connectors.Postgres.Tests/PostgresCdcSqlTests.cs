using Npgsql;
using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The 'postgres-cdc' connector from SQL: an updating aggregate over the changelog, and CDC into the PostgreSQL sink with checkpoints.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCdcSqlTests(PostgresCluster cluster) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly string _source = PostgresCluster.NewTable("orders");

    public void Dispose()
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (cluster.Scalar($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{_source}'") > 0)
        {
            // The job's walsender releases the slot shortly after the job ended.
            cluster.Query($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{_source}' AND NOT active");
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Slot '{_source}' stayed active after the job ended.");
            }
        }
    }

    private SqlSession Session()
    {
        cluster.Execute($"""
            CREATE TABLE {_source} (id bigint PRIMARY KEY, customer text NOT NULL, amount bigint NOT NULL);
            ALTER TABLE {_source} REPLICA IDENTITY FULL;
            INSERT INTO {_source} VALUES (1, 'ann', 10), (2, 'bob', 5), (3, 'ann', 7);
            """);
        var registry = new ConnectorRegistry().AddAssembly(typeof(PostgresConnectorFactory).Assembly);
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute($"""
            CREATE TABLE orders (id BIGINT, customer STRING, amount BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH (
              'connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'port' = '{cluster.Server.Port}',
              'username' = '{PostgresServer.User}', 'password' = '{PostgresServer.Password}',
              'database-name' = 'postgres', 'schema-name' = 'public', 'table-name' = '{_source}',
              'slot.name' = '{_source}', 'decoding.plugin.name' = 'pgoutput', 'heartbeat.interval.ms' = '200ms')
            """);
        return session;
    }

    private void ChangeOrders() => cluster.Execute($"""
        INSERT INTO {_source} VALUES (4, 'cy', 1);
        UPDATE {_source} SET amount = 20 WHERE id = 1;
        DELETE FROM {_source} WHERE id = 2;
        """);

    [Fact]
    public async Task Select_UpdatingAggregateOverTheChangelog_FollowsSnapshotThenChanges()
    {
        var session = Session();
        var result = session.Execute("SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer").ShouldHaveSingleItem().ShouldBeOfType<SqlQueryResult>();
        await using var _ = result;
        var totals = new Dictionary<string, long>();
        using var timeout = new CancellationTokenSource(s_timeout);

        await ApplyUntilAsync(result, totals, new() { ["ann"] = 17, ["bob"] = 5 }, timeout.Token);
        ChangeOrders();
        await ApplyUntilAsync(result, totals, new() { ["ann"] = 27, ["cy"] = 1 }, timeout.Token);

        totals.ShouldBe(new Dictionary<string, long> { ["ann"] = 27, ["cy"] = 1 });
    }

    [Fact]
    public async Task Insert_CdcIntoThePostgresSink_WithCheckpoints_ReplicatesAndConfirmsTheSlot()
    {
        var target = PostgresCluster.NewTable("replica");
        var session = Session();
        session.Execute("SET 'execution.checkpointing.interval' = '200ms'");
        session.Execute($"""
            CREATE TABLE replica (id BIGINT, customer STRING, amount BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH (
              'connector' = 'postgres', 'hostname' = '127.0.0.1', 'port' = '{cluster.Server.Port}',
              'username' = '{PostgresServer.User}', 'password' = '{PostgresServer.Password}',
              'database-name' = 'postgres', 'table-name' = '{target}')
            """);
        var created = Lsn($"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{_source}'", allowMissing: true);

        var job = session.Execute("INSERT INTO replica SELECT * FROM orders").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>().Job;
        try
        {
            WaitForEqualTables(target, job);
            ChangeOrders();
            WaitForEqualTables(target, job);
            var deadline = DateTime.UtcNow + s_timeout;
            var current = Lsn("SELECT pg_current_wal_insert_lsn()::text");
            while (Lsn($"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{_source}'") < current)
            {
                (DateTime.UtcNow < deadline).ShouldBeTrue($"the slot was not confirmed past {current} by completed checkpoints (job: {job.Completion.Status})");
            }
        }
        finally
        {
            job.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(job.Completion.WaitAsync(s_timeout));
        }
        created.ShouldBeNull("the job created the slot");
    }

    [Fact]
    public void UpsertChangelog_WithoutPrimaryKey_IsRefusedNamingTheKey()
    {
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = new ConnectorRegistry().AddAssembly(typeof(PostgresConnectorFactory).Assembly) });

        var error = Should.Throw<SqlException>(() => session.Execute("""
            CREATE TABLE o (id BIGINT, amount BIGINT) WITH ('connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'username' = 'u',
              'database-name' = 'd', 'table-name' = 't', 'slot.name' = 's', 'changelog-mode' = 'upsert')
            """));

        error.ToString().ShouldContain("PRIMARY KEY");
        error.ToString().ShouldContain("changelog-mode");
    }

    private string? LsnText(string sql, bool allowMissing)
    {
        var rows = cluster.Query(sql);
        return rows.Count == 0 && allowMissing ? null : (string)rows[0][0]!;
    }

    private NpgsqlTypes.NpgsqlLogSequenceNumber? Lsn(string sql, bool allowMissing) =>
        LsnText(sql, allowMissing) is { } text ? NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(text) : null;

    private NpgsqlTypes.NpgsqlLogSequenceNumber Lsn(string sql) => Lsn(sql, allowMissing: false)!.Value;

    private void WaitForEqualTables(string target, JobClient job)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        var expected = cluster.Query($"SELECT id, customer, amount FROM {_source} ORDER BY id");
        while (true)
        {
            var exists = cluster.Scalar($"SELECT count(*) FROM pg_tables WHERE tablename = '{target}'") > 0;
            if (exists && cluster.Query($"SELECT id, customer, amount FROM {target} ORDER BY id").SequenceEqual(expected, RowsEqual.Instance))
            {
                return;
            }
            if (job.Completion.IsFaulted)
            {
                throw new ShouldAssertException($"The job failed: {job.Completion.Exception}");
            }
            (DateTime.UtcNow < deadline).ShouldBeTrue($"the replica of {_source} did not catch up");
        }
    }

    private static async Task ApplyUntilAsync(SqlQueryResult result, Dictionary<string, long> totals, Dictionary<string, long> expected, CancellationToken cancellationToken)
    {
        while (!(totals.Count == expected.Count && expected.All(e => totals.TryGetValue(e.Key, out var v) && v == e.Value)))
        {
            var row = await result.Rows.ReadAsync(cancellationToken);
            var customer = row.GetString(0)!;
            if (row.Kind is RowKind.Insert or RowKind.UpdateAfter)
            {
                totals[customer] = row.GetInt64(1);
            }
            else
            {
                totals.Remove(customer);
            }
        }
    }

    private sealed class RowsEqual : IEqualityComparer<object?[]>
    {
        public static readonly RowsEqual Instance = new();

        public bool Equals(object?[]? x, object?[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(object?[] obj) => obj.Length;
    }
}
