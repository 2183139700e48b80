using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Sluice.Connectors.Postgres;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Tests.Shared;

namespace Sluice.Benchmarks.Postgres;

/// <summary>Settings of <see cref="PostgresSinkBenchmark"/>.</summary>
public sealed record PostgresSinkBenchmarkOptions
{
    /// <summary>Rows per run and mode.</summary>
    public int Rows { get; init; } = 1_000_000;

    /// <summary>Runs per case; the report keeps the fastest (the machine is shared).</summary>
    public int Runs { get; init; } = 3;

    /// <summary>A server to use (Npgsql connection string); null starts a private cluster (the Debian postgresql package) and removes it afterwards.</summary>
    public string? ConnectionString { get; init; }
}

/// <summary>One case's fastest run.</summary>
/// <param name="Case">What was measured: <c>sink append</c>, <c>npgsql append</c>, <c>sink upsert</c>, <c>npgsql upsert</c>.</param>
/// <param name="Rows">Rows per run.</param>
/// <param name="Seconds">The fastest run, from the first row to the committed transaction.</param>
public sealed record PostgresSinkResult(string Case, int Rows, double Seconds)
{
    /// <summary>Rows per second.</summary>
    public double RowsPerSecond => Rows / Seconds;
}

/// <summary>
/// The PostgreSQL sink against plain Npgsql doing the same writes, in one process and one run, alternating the cases:
/// <list type="bullet">
/// <item>append: the sink against one binary COPY straight into the table — <c>sink append</c> with schema evolution
/// off, through a prepared transaction (binary COPY into the table, <c>PREPARE TRANSACTION</c> at the barrier,
/// <c>COMMIT PREPARED</c>; the private cluster has <c>max_prepared_transactions=64</c>), and <c>sink append
/// (staged)</c> with the default schema evolution, through the staging table (binary COPY into it, then the commit
/// transaction moving the rows into the table);</item>
/// <item>upsert of keys that all exist (every row an update): the sink against binary COPY into a temporary table and
/// one <c>INSERT … SELECT … ON CONFLICT DO UPDATE</c> — what an expert would write by hand, without exactly-once.
/// <c>sink upsert</c> has schema evolution off, opts into <c>UpsertMode = Prepared</c> and goes through a prepared transaction (binary COPY into an unlogged
/// batch table created in the transaction, applied by key and dropped at the barrier, <c>PREPARE TRANSACTION</c>, <c>COMMIT PREPARED</c>); <c>sink upsert
/// (staged)</c> has the default schema evolution and goes through the staging table (applied by key in the commit
/// transaction).</item>
/// </list>
/// Rows are (id bigint, name text, amount double, ts timestamp). Each run writes a fresh table.
/// </summary>
public static class PostgresSinkBenchmark
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, amount DOUBLE, ts TIMESTAMP(6)");

    /// <summary>Runs every case <see cref="PostgresSinkBenchmarkOptions.Runs"/> times, alternating, and returns the fastest of each.</summary>
    public static IReadOnlyList<PostgresSinkResult> Run(PostgresSinkBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PostgresServer? server = options.ConnectionString is null ? PostgresServer.StartAsync().GetAwaiter().GetResult() : null;
        try
        {
            // No command timeout: on a loaded machine one statement over a million rows can outlast Npgsql's default 30 s, in every case alike.
            var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString ?? server!.ConnectionString()) { CommandTimeout = 0 }.ConnectionString;
            var rows = Rows(options.Rows);
            var best = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var run = 0; run < options.Runs; run++)
            {
                Keep(best, "npgsql append", NpgsqlAppend(connection, rows));
                Keep(best, "sink append", SinkAppend(connection, rows, upsert: false, SchemaEvolutionMode.None));
                Keep(best, "sink append (staged)", SinkAppend(connection, rows, upsert: false, SchemaEvolutionMode.AddColumns));
                Keep(best, "npgsql upsert", NpgsqlUpsert(connection, rows));
                Keep(best, "sink upsert", SinkAppend(connection, rows, upsert: true, SchemaEvolutionMode.None));
                Keep(best, "sink upsert (staged)", SinkAppend(connection, rows, upsert: true, SchemaEvolutionMode.AddColumns));
            }
            return [.. best.Select(b => new PostgresSinkResult(b.Key, options.Rows, b.Value))];
        }
        finally
        {
            server?.Dispose();
        }
    }

    private static void Keep(Dictionary<string, double> best, string name, double seconds) =>
        best[name] = best.TryGetValue(name, out var previous) ? Math.Min(previous, seconds) : seconds;

    private static Row[] Rows(int count)
    {
        var rows = new Row[count];
        var start = new DateTime(2026, 12, 6, 0, 0, 0, DateTimeKind.Unspecified);
        for (var i = 0; i < count; i++)
        {
            rows[i] = Row.Of(s_schema, (long)i, "customer-" + (i % 10_000), i * 0.5, start.AddMilliseconds(i));
        }
        return rows;
    }

    private static string NewTable(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    private static double SinkAppend(string connection, Row[] rows, bool upsert, SchemaEvolutionMode evolution)
    {
        var table = NewTable(upsert ? "sink_upsert" : "sink_append");
        var sink = PostgresSink.ForRows(
            upsert
                ? new PostgresSinkOptions
                {
                    ConnectionString = connection,
                    Table = table,
                    Mode = PostgresWriteMode.Upsert,
                    PrimaryKey = ["id"],
                    SchemaEvolution = evolution,
                    // One writer: every key reaches one subtask, the prepared path's contract.
                    UpsertMode = evolution == SchemaEvolutionMode.None ? PostgresUpsertMode.Prepared : PostgresUpsertMode.Staging,
                }
                : new PostgresSinkOptions { ConnectionString = connection, Table = table, SchemaEvolution = evolution },
            s_schema);
        sink.AbortPending(0);
        if (upsert)
        {
            Fill(connection, table, rows); // every row of the measured run updates an existing key
        }
        var watch = Stopwatch.StartNew();
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("bench", 0, 1, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance }))
        {
            foreach (var row in rows)
            {
                writer.Write(row, 0);
            }
            sink.Commit(1, 0, writer.PrepareCommit(1));
        }
        var seconds = watch.Elapsed.TotalSeconds;
        sink.AbortPending(1); // resolves what the run left prepared (nothing: it committed)
        Drop(connection, table, "_sluice_stage_" + table);
        return seconds;
    }

    private static double NpgsqlAppend(string connection, Row[] rows)
    {
        var table = NewTable("npgsql_append");
        Execute(connection, $"CREATE TABLE {table} (id bigint NOT NULL, name text, amount double precision, ts timestamp(6))");
        var watch = Stopwatch.StartNew();
        Fill(connection, table, rows);
        var seconds = watch.Elapsed.TotalSeconds;
        Drop(connection, table);
        return seconds;
    }

    private static double NpgsqlUpsert(string connection, Row[] rows)
    {
        var table = NewTable("npgsql_upsert");
        Execute(connection, $"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, amount double precision, ts timestamp(6))");
        Fill(connection, table, rows);
        var watch = Stopwatch.StartNew();
        using (var db = new NpgsqlConnection(connection))
        {
            db.Open();
            using var transaction = db.BeginTransaction();
            using (var create = new NpgsqlCommand("CREATE TEMP TABLE incoming (id bigint, name text, amount double precision, ts timestamp(6)) ON COMMIT DROP", db, transaction))
            {
                create.ExecuteNonQuery();
            }
            Copy(db, "incoming", rows);
            using (var upsert = new NpgsqlCommand($"INSERT INTO {table} SELECT * FROM incoming ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, ts = EXCLUDED.ts", db, transaction))
            {
                upsert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        var seconds = watch.Elapsed.TotalSeconds;
        Drop(connection, table);
        return seconds;
    }

    private static void Fill(string connection, string table, Row[] rows)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        Copy(db, table, rows);
    }

    private static void Copy(NpgsqlConnection db, string table, Row[] rows)
    {
        using var copy = db.BeginBinaryImport($"COPY {table} (id, name, amount, ts) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            copy.StartRow();
            copy.Write(row.GetInt64(0), NpgsqlDbType.Bigint);
            copy.Write(row.GetString(1)!, NpgsqlDbType.Text);
            copy.Write(row.GetDouble(2), NpgsqlDbType.Double);
            copy.Write(row.GetTimestamp(3), NpgsqlDbType.Timestamp);
        }
        copy.Complete();
    }

    private static void Drop(string connection, params string[] tables) => Execute(connection, $"DROP TABLE IF EXISTS {string.Join(", ", tables)}");

    private static void Execute(string connection, string sql)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        using var command = new NpgsqlCommand(sql, db);
        command.ExecuteNonQuery();
    }
}
