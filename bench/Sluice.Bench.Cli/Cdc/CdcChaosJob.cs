using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb;
using Sluice.Connectors.Postgres;
using Sluice.Connectors.Postgres.Cdc;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Bench.Cli.Cdc;

/// <summary>
/// The job of the CDC kill harness's child (<c>chaos postgres-cdc-job</c>): per table of <see cref="CdcChaosTables"/> a
/// PostgreSQL CDC source (its own slot) → an upsert into the DuckDB file <c>replica.duckdb</c> and an upsert through the
/// PostgreSQL sink into the replica database; checkpoints in <c>checkpoints/</c> of the data directory, restored on start.
/// Parallelism 1: each table's changes stay in commit order all the way to both sinks.
/// </summary>
internal static class CdcChaosJob
{
    /// <summary>The job's name (also its sinks' job in <c>_sluice_commits</c>).</summary>
    public const string JobName = "cdc-chaos";

    /// <summary>The checkpoint directory in <paramref name="dataDir"/>.</summary>
    public static string CheckpointDirectory(string dataDir) => Path.Combine(dataDir, "checkpoints");

    /// <summary>The DuckDB replica in <paramref name="dataDir"/>.</summary>
    public static string DuckDbPath(string dataDir) => Path.Combine(dataDir, "replica.duckdb");

    /// <summary>
    /// Builds the job into <paramref name="env"/>; returns the sources, each wrapped to expose the position its reader
    /// last checkpointed.
    /// </summary>
    public static IReadOnlyList<PositionRecordingSource> Build(StreamEnvironment env, string sourceConnection, string replicaConnection, string dataDir, TimeSpan heartbeat)
    {
        var sources = new List<PositionRecordingSource>();
        foreach (var table in CdcChaosTables.All)
        {
            var cdc = new PositionRecordingSource(table, new PostgresCdcSource(new PostgresCdcOptions
            {
                ConnectionString = sourceConnection,
                Table = table.Name,
                SlotName = table.SlotName,
                HeartbeatInterval = heartbeat,
            }, table.Schema));
            sources.Add(cdc);
            var rows = env.FromSource(cdc, name: $"PostgresCdc({table.Name})").Uid("cdc-" + table.Name);
            rows.ToDuckDb(DuckDbPath(dataDir), table.Name, table.Schema, new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = table.Key })
                .Uid("duckdb-" + table.Name);
            rows.ToPostgres(new PostgresSinkOptions { ConnectionString = replicaConnection, Table = table.Name, Mode = PostgresWriteMode.Upsert, PrimaryKey = table.Key }, table.Schema)
                .Uid("postgres-" + table.Name);
        }
        return sources;
    }

    /// <summary>Job options: parallelism 1, checkpoints every <paramref name="interval"/> restored on start, no restarts (a failure ends the child).</summary>
    public static JobOptions Options(string dataDir, TimeSpan interval, ILoggerFactory loggerFactory) => new()
    {
        LoggerFactory = loggerFactory,
        JobName = JobName,
        Parallelism = 1,
        Checkpoints = CheckpointOptions.InDirectory(CheckpointDirectory(dataDir), interval),
        Restart = RestartStrategy.None,
    };

    /// <summary>
    /// Runs the child: starts the job and, at each completed checkpoint — on the coordinator's thread, before the next
    /// one can start — samples each slot in <c>pg_replication_slots</c> and prints one line per slot, then
    /// <c>checkpoint &lt;id&gt;</c> (see <see cref="CdcSlotSample"/> for the format). Closing stdin stops the job
    /// gracefully (a final checkpoint); exit code 0 when it stopped, 2 when it failed.
    /// </summary>
    public static int Run(string dataDir, string sourceConnection, string replicaConnection, TimeSpan interval, TimeSpan heartbeat, ILoggerFactory loggerFactory)
    {
        var env = StreamEnvironment.Create(Options(dataDir, interval, loggerFactory));
        var sources = Build(env, sourceConnection, replicaConnection, dataDir, heartbeat);
        using var slots = new NpgsqlConnection(sourceConnection);
        slots.Open();
        var job = env.Start();
        job.CheckpointCompleted += id =>
        {
            foreach (var source in sources)
            {
                var sample = Sample(slots, id, source);
                Console.Out.WriteLine(sample.ToLine());
                source.Previous = source.LastCheckpointed;
            }
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint {id}"));
        };
        Console.Out.WriteLine("started");
        _ = Task.Run(() =>
        {
            Console.In.ReadToEnd();
            _ = job.StopAsync();
        });
        try
        {
            var result = job.Completion.GetAwaiter().GetResult();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finished restored={result.RestoredCheckpointId} checkpoints={result.CheckpointsCompleted}"));
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"cdc chaos job failed: {e}");
            return 2;
        }
    }

    private static CdcSlotSample Sample(NpgsqlConnection connection, long checkpointId, PositionRecordingSource source)
    {
        using var command = new NpgsqlCommand("SELECT confirmed_flush_lsn::text, restart_lsn::text FROM pg_replication_slots WHERE slot_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = source.Table.SlotName });
        using var reader = command.ExecuteReader();
        string? confirmed = null, restart = null;
        if (reader.Read())
        {
            confirmed = reader.IsDBNull(0) ? null : reader.GetString(0);
            restart = reader.IsDBNull(1) ? null : reader.GetString(1);
        }
        var position = source.LastCheckpointed;
        return new CdcSlotSample(checkpointId, source.Table.SlotName, position?.Phase == PostgresCdcPhase.Stream, Lsn(position), Lsn(source.Previous), Parse(confirmed), Parse(restart),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        static ulong Lsn(PostgresCdcPosition? position) => position is null || position.IsNothingYet ? 0 : (ulong)position.Lsn;

        static ulong Parse(string? lsn) => lsn is null ? 0 : (ulong)NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(lsn);
    }
}

/// <summary>
/// A CDC source wrapped by the kill harness: its reader remembers the last position it checkpointed (and the restored
/// one), so the child can print each completed checkpoint's slot positions. Otherwise it passes everything through.
/// </summary>
internal sealed class PositionRecordingSource(CdcChaosTable table, PostgresCdcSource inner) : ISource<Row>
{
    private PostgresCdcPosition? _lastCheckpointed;

    /// <summary>The captured table.</summary>
    public CdcChaosTable Table { get; } = table;

    /// <summary>The position in the last checkpoint the reader took (null before its first); any thread.</summary>
    public PostgresCdcPosition? LastCheckpointed => Volatile.Read(ref _lastCheckpointed);

    /// <summary>The position of the previous completed checkpoint (the restored one before the first); set by the child's checkpoint handler.</summary>
    public PostgresCdcPosition? Previous { get; set; }

    /// <inheritdoc />
    public bool IsBounded => inner.IsBounded;

    /// <inheritdoc />
    public int MaxParallelism => inner.MaxParallelism;

    /// <inheritdoc />
    public ISourceReader<Row> CreateReader(SourceReaderContext context)
    {
        var reader = inner.CreateReader(context);
        var checkpointed = (ICheckpointedSourceReader)reader;
        if (context.RestoredSplits.TryGetValue(checkpointed.SplitId(0), out var restored))
        {
            Previous = PostgresCdcPosition.Decode(checkpointed.SplitId(0), restored);
        }
        return new Reader(this, reader, checkpointed);
    }

    private sealed class Reader(PositionRecordingSource source, ISourceReader<Row> inner, ICheckpointedSourceReader checkpointed) : ISourceReader<Row>, ICheckpointedSourceReader
    {
        public int SplitCount => inner.SplitCount;

        public SourceStatus PollNext(ISourceOutput<Row> output) => inner.PollNext(output);

        public string SplitId(int split) => checkpointed.SplitId(split);

        public byte[] SnapshotSplit(int split)
        {
            var bytes = checkpointed.SnapshotSplit(split);
            Volatile.Write(ref source._lastCheckpointed, PostgresCdcPosition.Decode(SplitId(split), bytes));
            return bytes;
        }

        public void NotifyCheckpointComplete(long checkpointId) => checkpointed.NotifyCheckpointComplete(checkpointId);

        public void Dispose() => inner.Dispose();
    }
}
