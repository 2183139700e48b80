using System.CommandLine;

namespace Sluice.Bench.Cli.Cdc;

/// <summary>
/// <c>sluice chaos postgres-cdc</c>: kill -9 for the PostgreSQL CDC source and the exactly-once sinks behind it (see
/// <see cref="CdcChaosDriver"/>), and its child, <c>chaos postgres-cdc-job</c> (see <see cref="CdcChaosJob"/>).
/// </summary>
internal static class CdcChaosCommand
{
    /// <summary>Builds <c>chaos postgres-cdc</c>.</summary>
    public static Command Create()
    {
        var kills = new Option<int>("--kills") { Description = "Kills of the job (0 to 1000).", DefaultValueFactory = _ => 5 }.MustBeBetween(0, 1000);
        var changes = new Option<int>("--changes") { Description = "Committed row changes of the workload: inserts, updates, deletes over 3 tables (at least 1).", DefaultValueFactory = _ => 100_000 }.MustBeAtLeast(1);
        var initialRows = new Option<int>("--initial-rows") { Description = "Rows per table before the job starts, read by its initial snapshot (0 to 8192, one snapshot chunk).", DefaultValueFactory = _ => 2_000 }.MustBeBetween(0, 8192);
        var writers = new Option<int>("--writers") { Description = "Concurrent writer connections of the workload (1 to 64).", DefaultValueFactory = _ => 4 }.MustBeBetween(1, 64);
        var rollbacks = new Option<int>("--rollback-percent") { Description = "Share of the workload's transactions rolled back (0 to 100).", DefaultValueFactory = _ => 10 }.MustBeBetween(0, 100);
        var rate = new Option<int>("--changes-per-second") { Description = "Cap on the workload's statements per second (0 = as fast as PostgreSQL takes them).", DefaultValueFactory = _ => 0 }.MustBeAtLeast(0);
        var interval = IntervalOption();
        var maxCheckpoints = new Option<int>("--max-checkpoints-per-run") { Description = "A kill comes after 1..N completed checkpoints of a run, plus a random part of an interval (at least 1).", DefaultValueFactory = _ => 4 }.MustBeAtLeast(1);
        var seed = new Option<int>("--seed") { Description = "Seed of the workload and the kill points.", DefaultValueFactory = _ => 1 };
        var connection = new Option<string?>("--connection") { Description = "A superuser Npgsql connection string of a server with wal_level=logical, where the databases sluice_chaos_source and sluice_chaos_replica are (re)created (default: start a private cluster from the postgresql package)." };
        var workDir = new Option<string?>("--work-dir") { Description = "The job's data directory (checkpoints, replica.duckdb); default a new temp directory, deleted on PASS." };
        var command = new Command("postgres-cdc", "Kill harness for PostgreSQL CDC: a random workload over 3 tables while the CDC job is killed with SIGKILL and restarted; the DuckDB and PostgreSQL replicas must equal the source exactly.")
        {
            kills, changes, initialRows, writers, rollbacks, rate, interval, maxCheckpoints, seed, connection, workDir,
        };
        command.SetAction(parse =>
        {
            var work = parse.GetValue(workDir);
            if (work is not null)
            {
                DataDirectories.CreateWritable(work, "chaos work directory");
            }
            return new CdcChaosDriver(new CdcChaosOptions
            {
                Kills = parse.GetValue(kills),
                Changes = parse.GetValue(changes),
                InitialRows = parse.GetValue(initialRows),
                Writers = parse.GetValue(writers),
                RollbackPercent = parse.GetValue(rollbacks),
                ChangesPerSecond = parse.GetValue(rate),
                IntervalMs = parse.GetValue(interval),
                MaxCheckpointsPerRun = parse.GetValue(maxCheckpoints),
                Seed = parse.GetValue(seed),
                ConnectionString = parse.GetValue(connection),
                WorkDir = work,
                Verbose = parse.GetValue(CommandLineHost.Verbose),
            }).Run();
        });
        return command;
    }

    /// <summary>Builds <c>chaos postgres-cdc-job</c>, the child; the connection strings come in environment variables (never on a command line).</summary>
    public static Command CreateJob()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The job's data directory (checkpoints/, replica.duckdb).", Required = true };
        var interval = IntervalOption();
        var command = new Command("postgres-cdc-job", $"The child of 'chaos postgres-cdc': the CDC job, restoring its latest checkpoint; prints each slot's sample and 'checkpoint <id>' per completed checkpoint; stops when stdin closes. Reads {CdcChaosDriver.SourceVariable} and {CdcChaosDriver.ReplicaVariable}.")
        {
            dataDir, interval,
        };
        command.SetAction(parse =>
        {
            var source = Environment.GetEnvironmentVariable(CdcChaosDriver.SourceVariable);
            var replica = Environment.GetEnvironmentVariable(CdcChaosDriver.ReplicaVariable);
            if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(replica))
            {
                throw new CommandFailedException($"Set {CdcChaosDriver.SourceVariable} and {CdcChaosDriver.ReplicaVariable} to the source and replica databases' connection strings (the driver, 'chaos postgres-cdc', does).");
            }
            var every = TimeSpan.FromMilliseconds(parse.GetValue(interval));
            return CdcChaosJob.Run(DataDirectories.RequireExisting(parse.GetValue(dataDir)!, "chaos data directory"), source, replica, every,
                heartbeat: TimeSpan.FromMilliseconds(500), CommandLineHost.LoggerFactory(parse));
        });
        return command;
    }

    private static Option<int> IntervalOption() =>
        new Option<int>("--interval-ms") { Description = "Checkpoint interval of the job (50 to 3600000).", DefaultValueFactory = _ => 1_000 }.MustBeBetween(50, 3_600_000);
}
