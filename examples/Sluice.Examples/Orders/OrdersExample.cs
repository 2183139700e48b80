using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Checkpoints;
using Sluice.Connectors;
using Sluice.Connectors.DuckDb;
using Sluice.Connectors.Postgres;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Examples.Orders;

/// <summary>Options of an orders run.</summary>
/// <param name="ConnectionString">
/// An Npgsql connection string of a PostgreSQL server with <c>wal_level=logical</c>, as a role with REPLICATION that
/// may create a schema in the database. Never printed: it may hold a password.
/// </param>
/// <param name="DataDirectory">Where the DuckDB file and the checkpoints live (cleared at the start of a run).</param>
/// <param name="Orders">Orders generated (half before the job starts, half while it runs).</param>
/// <param name="Customers">Customers generated.</param>
/// <param name="Seed">Generator seed.</param>
public sealed record OrdersOptions(string ConnectionString, string DataDirectory, int Orders = 10_000, int Customers = 200, int Seed = 42);

/// <summary>One region's line of the summary: orders not cancelled, and their revenue.</summary>
/// <param name="Region">The customers' region.</param>
/// <param name="Orders">Orders of the region's customers, cancelled ones left out.</param>
/// <param name="RevenueCents">The sum of their amounts, in cents.</param>
public sealed record RegionSummary(string Region, long Orders, long RevenueCents);

/// <summary>What an orders run left, read back from where it landed (not from the job's counters).</summary>
/// <param name="Workload">The generated data.</param>
/// <param name="DuckDb">Table <c>region_revenue</c> of the DuckDB file, by region.</param>
/// <param name="Postgres">Table <c>sluice_orders_example.order_summary</c> in PostgreSQL, by region.</param>
/// <param name="Source">The same summary computed by PostgreSQL from the source tables, by region.</param>
/// <param name="DuckDbJob">The DuckDB job's result (stopped gracefully: its final checkpoint committed its sink).</param>
/// <param name="PostgresJob">The PostgreSQL job's result.</param>
public sealed record OrdersRun(OrdersWorkload Workload, IReadOnlyList<RegionSummary> DuckDb, IReadOnlyList<RegionSummary> Postgres, IReadOnlyList<RegionSummary> Source, JobResult DuckDbJob, JobResult PostgresJob);

/// <summary>
/// The orders example (<c>sluice example orders</c>): change data capture of a PostgreSQL <c>orders</c> table, enriched
/// with each order's customer region (a join with the CDC of <c>customers</c>, so a customer moving region moves their
/// orders), aggregated per region (orders and revenue, cancelled orders left out), written exactly once into DuckDB
/// (<c>region_revenue</c>) and back into PostgreSQL (<c>order_summary</c>) — two SQL jobs, one per sink, each reading
/// the tables through slots of its own (a statement set would bind the view once per INSERT and read each table twice
/// under one slot name). Everything lives in schema
/// <see cref="Schema"/>, dropped and recreated at the start of a run, and the run removes its replication slots and
/// publications at the end.
/// </summary>
public static class OrdersExample
{
    /// <summary>The PostgreSQL schema holding the example's tables.</summary>
    public const string Schema = "sluice_orders_example";

    /// <summary>The job's name.</summary>
    public const string JobName = "orders-example";

    private static readonly string[] s_slots =
    [
        "sluice_orders_example_orders_duckdb", "sluice_orders_example_customers_duckdb",
        "sluice_orders_example_orders_postgres", "sluice_orders_example_customers_postgres",
    ];

    /// <summary>The DuckDB file in <paramref name="dataDirectory"/>.</summary>
    public static string DuckDbPath(string dataDirectory) => Path.Combine(dataDirectory, "orders.duckdb");

    /// <summary>Deletes what an earlier run left in <paramref name="directory"/>: the DuckDB file (and its WAL) and the two checkpoint folders, nothing else.</summary>
    private static void DeleteOwnFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "orders.duckdb*"))
        {
            File.Delete(file);
        }
        foreach (var target in new[] { "duckdb", "postgres" })
        {
            var checkpoints = Path.Combine(directory, "checkpoints-" + target);
            if (Directory.Exists(checkpoints))
            {
                Directory.Delete(checkpoints, recursive: true);
            }
        }
    }

    /// <summary>
    /// Creates the source tables with the workload's customers and first orders, starts the job, applies the changes
    /// while it runs, waits until PostgreSQL's summary table equals the summary computed from the source tables, stops
    /// the job gracefully, and reads both sinks back.
    /// </summary>
    /// <exception cref="TimeoutException">The summary did not catch up within <paramref name="timeout"/> (default 5 minutes).</exception>
    /// <exception cref="JobExecutionException">The job failed.</exception>
    public static async Task<OrdersRun> RunAsync(OrdersOptions options, ILoggerFactory? loggerFactory = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        DeleteOwnFiles(directory); // a run starts fresh (the source tables are recreated too); other files are never touched
        var workload = OrdersWorkload.Generate(options.Orders, options.Customers, options.Seed);
        await using var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await DropReplicationAsync(connection, cancellationToken).ConfigureAwait(false);
        await CreateSourceAsync(connection, workload, cancellationToken).ConfigureAwait(false);

        var server = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var jobs = new List<JobClient>();
        JobResult[] results;
        try
        {
            jobs.Add(Start(Script(server, "duckdb", $"""
                CREATE TABLE region_revenue (region STRING, orders BIGINT, revenue_cents BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH (
                  'connector' = 'duckdb', 'path' = {Literal(DuckDbPath(directory))}, 'table-name' = 'region_revenue');
                INSERT INTO region_revenue SELECT region, orders, revenue_cents FROM region_totals;
                """), "duckdb", directory, loggerFactory));
            jobs.Add(Start(Script(server, "postgres", $"""
                CREATE TABLE order_summary (region STRING, orders BIGINT, revenue_cents BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH (
                  'connector' = 'postgres', {Connection(server)}, 'table-name' = 'order_summary');
                INSERT INTO order_summary SELECT region, orders, revenue_cents FROM region_totals;
                """), "postgres", directory, loggerFactory));
            await ApplyChangesAsync(connection, workload, cancellationToken).ConfigureAwait(false);
            await WaitForSummaryAsync(connection, jobs, timeout ?? TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            results = await Task.WhenAll(jobs.Select(j => j.StopAsync(cancellationToken))).ConfigureAwait(false);
        }
        catch
        {
            foreach (var job in jobs)
            {
                job.Cancel();
            }
            await Task.WhenAll(jobs.Select(j => j.Completion)).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await DropReplicationAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        var source = await SummaryAsync(connection, SourceSummary, cancellationToken).ConfigureAwait(false);
        var postgres = await SummaryAsync(connection, $"SELECT region, orders, revenue_cents FROM {Schema}.order_summary ORDER BY region", cancellationToken).ConfigureAwait(false);
        return new OrdersRun(workload, ReadDuckDb(DuckDbPath(directory)), postgres, source, results[0], results[1]);
    }

    /// <summary>The summary as PostgreSQL computes it from the source tables: what both sinks must hold once caught up.</summary>
    private const string SourceSummary =
        $"SELECT c.region, count(*), sum(o.amount_cents)::bigint FROM {Schema}.orders o JOIN {Schema}.customers c ON c.customer_id = o.customer_id " +
        "WHERE o.status <> 'cancelled' GROUP BY c.region ORDER BY c.region";

    /// <summary>Starts one job of <paramref name="script"/> (its last statement is the INSERT), checkpointing every 500 ms.</summary>
    private static JobClient Start(string script, string target, string directory, ILoggerFactory? loggerFactory)
    {
        var session = SqlSession.Create(new SqlSessionOptions
        {
            Connectors = new ConnectorRegistry().AddAssembly(typeof(PostgresConnectorFactory).Assembly).AddAssembly(typeof(DuckDbConnectorFactory).Assembly),
            ConfigureJob = job => job with
            {
                JobName = $"{JobName}-{target}",
                LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
                Checkpoints = CheckpointOptions.InDirectory(Path.Combine(directory, "checkpoints-" + target), TimeSpan.FromMilliseconds(500)),
            },
        });
        return session.Execute(script).OfType<SqlJobResult>().Single().Job;
    }

    /// <summary>
    /// One job's SQL: the two CDC tables (slots of their own: <c>sluice_orders_example_&lt;table&gt;_&lt;target&gt;</c>),
    /// the enriching and aggregating view, then <paramref name="sink"/> (the sink table and the INSERT).
    /// </summary>
    private static string Script(NpgsqlConnectionStringBuilder server, string target, string sink) => $"""
        CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount_cents BIGINT, status STRING, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
          'connector' = 'postgres-cdc', {Connection(server)}, 'table-name' = 'orders',
          'slot.name' = 'sluice_orders_example_orders_{target}', 'decoding.plugin.name' = 'pgoutput', 'heartbeat.interval.ms' = '500ms');
        CREATE TABLE customers (customer_id BIGINT, name STRING, region STRING, PRIMARY KEY (customer_id) NOT ENFORCED) WITH (
          'connector' = 'postgres-cdc', {Connection(server)}, 'table-name' = 'customers',
          'slot.name' = 'sluice_orders_example_customers_{target}', 'decoding.plugin.name' = 'pgoutput', 'heartbeat.interval.ms' = '500ms');
        CREATE TEMPORARY VIEW region_totals AS
          SELECT c.region, COUNT(*) AS orders, SUM(o.amount_cents) AS revenue_cents
          FROM orders AS o JOIN customers AS c ON o.customer_id = c.customer_id
          WHERE o.status <> 'cancelled'
          GROUP BY c.region;
        {sink}
        """;

    private static string Connection(NpgsqlConnectionStringBuilder server) => string.Create(CultureInfo.InvariantCulture,
        $"'hostname' = {Literal(server.Host ?? "127.0.0.1")}, 'port' = '{server.Port}', 'username' = {Literal(server.Username ?? "postgres")}, " +
        $"'password' = {Literal(server.Password ?? "")}, 'database-name' = {Literal(server.Database ?? server.Username ?? "postgres")}, 'schema-name' = '{Schema}'");

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static async Task CreateSourceAsync(NpgsqlConnection connection, OrdersWorkload workload, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, $"""
            DROP SCHEMA IF EXISTS {Schema} CASCADE;
            CREATE SCHEMA {Schema};
            CREATE TABLE {Schema}.customers (customer_id bigint PRIMARY KEY, name text NOT NULL, region text NOT NULL);
            CREATE TABLE {Schema}.orders (order_id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount_cents bigint NOT NULL, status text NOT NULL);
            ALTER TABLE {Schema}.customers REPLICA IDENTITY FULL;
            ALTER TABLE {Schema}.orders REPLICA IDENTITY FULL;
            """, cancellationToken).ConfigureAwait(false);
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {Schema}.customers (customer_id, name, region) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var customer in workload.Customers)
            {
                await copy.WriteRowAsync(cancellationToken, customer.CustomerId, customer.Name, customer.Region).ConfigureAwait(false);
            }
            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {Schema}.orders (order_id, customer_id, amount_cents, status) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var order in workload.InitialOrders)
            {
                await copy.WriteRowAsync(cancellationToken, order.OrderId, order.CustomerId, order.AmountCents, order.Status).ConfigureAwait(false);
            }
            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Applies the workload's changes in transactions of <see cref="OrdersWorkload.TransactionSize"/>.</summary>
    private static async Task ApplyChangesAsync(NpgsqlConnection connection, OrdersWorkload workload, CancellationToken cancellationToken)
    {
        for (var start = 0; start < workload.Changes.Count; start += OrdersWorkload.TransactionSize)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction);
            for (var i = start; i < Math.Min(start + OrdersWorkload.TransactionSize, workload.Changes.Count); i++)
            {
                batch.BatchCommands.Add(Command(workload.Changes[i]));
            }
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        static NpgsqlBatchCommand Command(OrdersChange change)
        {
            var command = change.Kind switch
            {
                OrdersChangeKind.InsertOrder => new NpgsqlBatchCommand($"INSERT INTO {Schema}.orders (order_id, customer_id, amount_cents, status) VALUES ($1, $2, $3, $4)"),
                OrdersChangeKind.UpdateOrder => new NpgsqlBatchCommand($"UPDATE {Schema}.orders SET customer_id = $2, amount_cents = $3, status = $4 WHERE order_id = $1"),
                OrdersChangeKind.DeleteOrder => new NpgsqlBatchCommand($"DELETE FROM {Schema}.orders WHERE order_id = $1"),
                _ => new NpgsqlBatchCommand($"UPDATE {Schema}.customers SET region = $2 WHERE customer_id = $1"),
            };
            if (change.Order is { } order)
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = order.OrderId });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = order.CustomerId });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = order.AmountCents });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Status });
            }
            else
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = change.Id });
                if (change.Region is { } region)
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = region });
                }
            }
            return command;
        }
    }

    /// <summary>
    /// Polls until every slot of the example confirmed the WAL written by the changes (so completed checkpoints cover
    /// them, in both jobs) and PostgreSQL's summary table equals the summary of the source tables.
    /// </summary>
    private static async Task WaitForSummaryAsync(NpgsqlConnection connection, IReadOnlyList<JobClient> jobs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var expected = await SummaryAsync(connection, SourceSummary, cancellationToken).ConfigureAwait(false);
        var written = await ScalarAsync(connection, "SELECT pg_current_wal_insert_lsn() - '0/0'", cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            foreach (var job in jobs)
            {
                if (job.Completion.IsCompleted)
                {
                    await job.Completion.ConfigureAwait(false); // throws the job's failure
                    throw new InvalidOperationException($"Job {job.JobName} ended ({job.Status}) before the summary caught up.");
                }
            }
            var behind = await ScalarAsync(connection,
                $"SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'sluice\\_orders\\_example\\_%' AND (confirmed_flush_lsn IS NULL OR confirmed_flush_lsn - '0/0' < {written})", cancellationToken).ConfigureAwait(false);
            var slots = await ScalarAsync(connection, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'sluice\\_orders\\_example\\_%'", cancellationToken).ConfigureAwait(false);
            var exists = await ScalarAsync(connection, $"SELECT count(*) FROM pg_tables WHERE schemaname = '{Schema}' AND tablename = 'order_summary'", cancellationToken).ConfigureAwait(false) > 0;
            if (slots == s_slots.Length && behind == 0 && exists
                && (await SummaryAsync(connection, $"SELECT region, orders, revenue_cents FROM {Schema}.order_summary ORDER BY region", cancellationToken).ConfigureAwait(false)).SequenceEqual(expected))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Within {timeout.TotalSeconds:F0} s, {Schema}.order_summary did not equal the source's summary, or {behind} of the {slots} slots did not confirm the changes.");
            }
            await poll.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the example's replication slots (once their walsenders let go) and publications.</summary>
    private static async Task DropReplicationAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var slot in s_slots)
        {
            while (true)
            {
                try
                {
                    await ExecuteAsync(connection, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'", cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
                {
                    await ExecuteAsync(connection, "SELECT pg_sleep(0.1)", cancellationToken).ConfigureAwait(false); // the job's walsender lets go shortly after it stopped
                }
            }
            await ExecuteAsync(connection, $"DROP PUBLICATION IF EXISTS sluice_{slot}", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<List<RegionSummary>> SummaryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<RegionSummary>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new RegionSummary(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return rows;
    }

    /// <summary>Reads <c>region_revenue</c> from the DuckDB file (the job must have ended).</summary>
    public static IReadOnlyList<RegionSummary> ReadDuckDb(string path)
    {
        using var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT region, orders, revenue_cents FROM region_revenue ORDER BY region";
        using var reader = command.ExecuteReader();
        var rows = new List<RegionSummary>();
        while (reader.Read())
        {
            rows.Add(new RegionSummary(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return rows;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
