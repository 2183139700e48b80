using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sluice.Connectors.Postgres.Cdc;
using Sluice.Schemas;
using Sluice.Sources;
using Sluice.Tests.Shared;

namespace Sluice.Benchmarks.Postgres;

/// <summary>Settings of <see cref="PostgresCdcBenchmark"/>.</summary>
public sealed record PostgresCdcBenchmarkOptions
{
    /// <summary>Changes per run: half inserts, a quarter updates, a quarter deletes; also the snapshot's row count.</summary>
    public int Changes { get; init; } = 400_000;

    /// <summary>Rows per transaction of the workload.</summary>
    public int TransactionSize { get; init; } = 1_000;

    /// <summary>Runs; the report keeps the fastest of each case (the machine is shared).</summary>
    public int Runs { get; init; } = 3;

    /// <summary>A server to use (Npgsql connection string); null starts a private cluster (the Debian postgresql package) and removes it afterwards.</summary>
    public string? ConnectionString { get; init; }
}

/// <summary>One case's fastest run.</summary>
/// <param name="Case">What was measured: <c>snapshot</c> (rows) or <c>stream</c> (changes).</param>
/// <param name="Count">Rows or changes per run.</param>
/// <param name="Seconds">The fastest run, from the reader's creation to its last row.</param>
public sealed record PostgresCdcResult(string Case, int Count, double Seconds)
{
    /// <summary>Rows or changes per second.</summary>
    public double PerSecond => Count / Seconds;
}

/// <summary>
/// The throughput of the PostgreSQL CDC source's reader, polled as the runtime polls it (a counting output, no job
/// around it), on a table of (id bigint, name text, amount double, ts timestamp) with REPLICA IDENTITY FULL:
/// <list type="bullet">
/// <item><c>snapshot</c>: <see cref="PostgresCdcBenchmarkOptions.Changes"/> rows read by the initial snapshot;</item>
/// <item><c>stream</c>: as many changes (inserts, then updates — each a <c>-U</c>/<c>+U</c> pair — then deletes, in
/// transactions of <see cref="PostgresCdcBenchmarkOptions.TransactionSize"/> rows) written while no reader ran, then
/// read by a reader restored from a checkpoint taken before them: the decoding of WAL already written, by PostgreSQL's
/// walsender and the reader sharing the machine.</item>
/// </list>
/// </summary>
public static class PostgresCdcBenchmark
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, amount DOUBLE, ts TIMESTAMP(6)");

    /// <summary>Runs both cases <see cref="PostgresCdcBenchmarkOptions.Runs"/> times and returns the fastest of each.</summary>
    public static IReadOnlyList<PostgresCdcResult> Run(PostgresCdcBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Changes, 4);
        PostgresServer? server = options.ConnectionString is null ? PostgresServer.StartAsync().GetAwaiter().GetResult() : null;
        try
        {
            var connection = options.ConnectionString ?? server!.ConnectionString();
            double snapshot = double.MaxValue, stream = double.MaxValue;
            for (var run = 0; run < options.Runs; run++)
            {
                var (s, c) = RunOnce(connection, options);
                snapshot = Math.Min(snapshot, s);
                stream = Math.Min(stream, c);
            }
            return [new PostgresCdcResult("snapshot", options.Changes, snapshot), new PostgresCdcResult("stream", options.Changes, stream)];
        }
        finally
        {
            server?.Dispose();
        }
    }

    private static (double Snapshot, double Stream) RunOnce(string connection, PostgresCdcBenchmarkOptions options)
    {
        var table = "cdc_bench_" + Guid.NewGuid().ToString("N")[..12];
        var inserts = options.Changes / 2;
        var updates = options.Changes / 4;
        var deletes = options.Changes - inserts - updates;
        Execute(connection, $"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, amount double precision, ts timestamp(6)); ALTER TABLE {table} REPLICA IDENTITY FULL");
        Execute(connection, $"INSERT INTO {table} SELECT i, 'customer-' || (i % 10000), i * 0.5, TIMESTAMP '2026-12-06' + i * INTERVAL '1 ms' FROM generate_series(1, {options.Changes}) i");
        var source = new PostgresCdcSource(new PostgresCdcOptions
        {
            ConnectionString = connection,
            Table = table,
            SlotName = table,
            HeartbeatInterval = TimeSpan.Zero,
        }, s_schema);
        try
        {
            IReadOnlyDictionary<string, byte[]> checkpoint;
            double snapshotSeconds;
            using (var signal = new SemaphoreSlim(0))
            {
                var watch = Stopwatch.StartNew();
                using var reader = source.CreateReader(Context(signal, new Dictionary<string, byte[]>()));
                var output = new CountingOutput();
                PollUntil(reader, output, signal, options.Changes);
                snapshotSeconds = watch.Elapsed.TotalSeconds;
                // Until the position is past the snapshot (phase byte 1, streaming from the slot's consistent point).
                var checkpointed = (ICheckpointedSourceReader)reader;
                while (checkpointed.SnapshotSplit(0)[1] != 1)
                {
                    if (reader.PollNext(output) == SourceStatus.NothingAvailable)
                    {
                        signal.Wait(TimeSpan.FromMilliseconds(100));
                    }
                }
                checkpoint = new Dictionary<string, byte[]> { [checkpointed.SplitId(0)] = checkpointed.SnapshotSplit(0) };
            }

            var id = options.Changes;
            for (var written = 0; written < inserts; written += options.TransactionSize)
            {
                var n = Math.Min(options.TransactionSize, inserts - written);
                Execute(connection, $"INSERT INTO {table} SELECT i, 'customer-' || (i % 10000), i * 0.5, TIMESTAMP '2026-12-06' + i * INTERVAL '1 ms' FROM generate_series({id + 1}, {id + n}) i");
                id += n;
            }
            var first = options.Changes + 1;
            for (var written = 0; written < updates; written += options.TransactionSize)
            {
                var n = Math.Min(options.TransactionSize, updates - written);
                Execute(connection, string.Create(CultureInfo.InvariantCulture, $"UPDATE {table} SET amount = amount + 1 WHERE id BETWEEN {first + written} AND {first + written + n - 1}"));
            }
            for (var written = 0; written < deletes; written += options.TransactionSize)
            {
                var n = Math.Min(options.TransactionSize, deletes - written);
                Execute(connection, string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE id BETWEEN {first + written} AND {first + written + n - 1}"));
            }

            // An update emits two rows (-U, +U).
            var expectedRows = inserts + (2 * updates) + deletes;
            double streamSeconds;
            using (var signal = new SemaphoreSlim(0))
            {
                var watch = Stopwatch.StartNew();
                using var reader = source.CreateReader(Context(signal, checkpoint));
                PollUntil(reader, new CountingOutput(), signal, expectedRows);
                streamSeconds = watch.Elapsed.TotalSeconds;
            }
            return (snapshotSeconds, streamSeconds);
        }
        finally
        {
            DropSlot(connection, table);
            Execute(connection, $"DROP TABLE IF EXISTS {table}; DROP PUBLICATION IF EXISTS sluice_{table}");
        }
    }

    private static SourceReaderContext Context(SemaphoreSlim signal, IReadOnlyDictionary<string, byte[]> restored) =>
        new(0, 1, TimeProvider.System, () => signal.Release(), 1024) { RestoredSplits = restored };

    private static void PollUntil(ISourceReader<Row> reader, CountingOutput output, SemaphoreSlim signal, long rows)
    {
        while (output.Rows < rows)
        {
            if (reader.PollNext(output) == SourceStatus.NothingAvailable && !signal.Wait(TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException($"The CDC reader emitted {output.Rows} of {rows} rows and then nothing for two minutes.");
            }
        }
    }

    private static void DropSlot(string connection, string slot)
    {
        // The last reader's walsender lets go of the slot shortly after its connection closed.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                Execute(connection, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
            {
                Execute(connection, "SELECT pg_sleep(0.05)");
            }
        }
    }

    private static void Execute(string connection, string sql)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 600 };
        command.ExecuteNonQuery();
    }

    private sealed class CountingOutput : ISourceOutput<Row>
    {
        public long Rows { get; private set; }

        public void Collect(int split, Row value, long timestamp = EventTime.NoTimestamp) => Rows++;

        public void CollectBatch(int split, ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps) => Rows += values.Length;

        public void EmitWatermark(int split, long watermark) { }

        public void MarkSplitFinished(int split) { }

        public void MarkSplitIdle(int split, bool idle) { }

        public void ReportDeadLetter(DeadLetter letter) => throw new InvalidOperationException($"Unexpected dead letter: {letter.Reason}");
    }
}
