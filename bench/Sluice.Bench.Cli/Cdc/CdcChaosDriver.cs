using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using DuckDB.NET.Data;
using Npgsql;
using Sluice.Bench.Cli.Chaos;
using Sluice.Tests.Shared;

namespace Sluice.Bench.Cli.Cdc;

/// <summary>Settings of one <c>sluice chaos postgres-cdc</c> run.</summary>
internal sealed record CdcChaosOptions
{
    /// <summary>Kills of the child (at least this many; more when the job needs more runs to catch up).</summary>
    public int Kills { get; init; } = 5;

    /// <summary>Committed row changes of the workload.</summary>
    public int Changes { get; init; } = 100_000;

    /// <summary>Rows per table before the job starts (its initial snapshot).</summary>
    public int InitialRows { get; init; } = 2_000;

    /// <summary>Concurrent writers of the workload.</summary>
    public int Writers { get; init; } = 4;

    /// <summary>Percentage of the workload's transactions rolled back.</summary>
    public int RollbackPercent { get; init; } = 10;

    /// <summary>Cap on the workload's statements per second (0 = none).</summary>
    public int ChangesPerSecond { get; init; }

    /// <summary>Checkpoint interval of the child, ms.</summary>
    public int IntervalMs { get; init; } = 1_000;

    /// <summary>A kill comes after 1..N completed checkpoints of a child, plus a random part of an interval.</summary>
    public int MaxCheckpointsPerRun { get; init; } = 4;

    /// <summary>Seed of the workload and the kill points.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A superuser connection string of a server with wal_level=logical; null starts a private cluster.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Where the child's data goes (default: a new temp directory, deleted on PASS).</summary>
    public string? WorkDir { get; init; }

    /// <summary>Echo the child's lines.</summary>
    public bool Verbose { get; init; }
}

/// <summary>
/// The CDC kill harness's driver. It prepares a source database (three tables with initial rows) and an empty replica
/// database, starts the workload (<see cref="CdcChaosWorkload"/>), and runs the job as a child process
/// (<c>chaos postgres-cdc-job</c>) that it kills with SIGKILL after a seeded number of completed checkpoints plus a
/// seeded part of an interval — so kills land anywhere between and during checkpoints and commits — and restarts from
/// its latest checkpoint, until the requested kills happened and the workload is done. A last child runs until a
/// checkpoint covers every slot past the WAL position at the workload's end, then stops gracefully. The verdict: each
/// replica table, in DuckDB and in the replica database, equals its source table exactly, and every slot sample
/// (<see cref="CdcSlotSample.Problem"/>, <see cref="CdcSlotSample.LagProblem"/>) was never confirmed past its checkpoint nor behind one
/// completed an interval earlier. Exit code 0 = PASS, 1 = FAIL.
/// </summary>
internal sealed class CdcChaosDriver(CdcChaosOptions options)
{
    /// <summary>The source database's name.</summary>
    public const string SourceDatabase = "sluice_chaos_source";

    /// <summary>The replica database's name (the PostgreSQL sink's).</summary>
    public const string ReplicaDatabase = "sluice_chaos_replica";

    /// <summary>The child's environment variable holding the source database's connection string (kept off its command line).</summary>
    public const string SourceVariable = "SLUICE_CHAOS_PG_SOURCE";

    /// <summary>The child's environment variable holding the replica database's connection string.</summary>
    public const string ReplicaVariable = "SLUICE_CHAOS_PG_REPLICA";

    private static readonly TimeSpan s_lineTimeout = TimeSpan.FromSeconds(120);
    private readonly List<string> _problems = [];
    private int _samples;
    private ulong _maxConfirmedLag;
    private ulong _maxRestartLag;
    private string _source = "";
    private string _replica = "";

    public int Run()
    {
        var clock = Stopwatch.StartNew();
        using var server = options.ConnectionString is null ? PostgresServer.StartAsync().GetAwaiter().GetResult() : null;
        var admin = options.ConnectionString ?? server!.ConnectionString();
        _source = WithDatabase(admin, SourceDatabase);
        _replica = WithDatabase(admin, ReplicaDatabase);
        var ownWorkDir = options.WorkDir is null;
        var dataDir = options.WorkDir ?? Path.Combine(Path.GetTempPath(), "sluice-cdc-chaos-" + Guid.NewGuid().ToString("N"));
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }
        Directory.CreateDirectory(dataDir);
        PrepareDatabases(admin);
        CdcChaosWorkload.CreateTables(_source, options.InitialRows);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cdc chaos: {(server is null ? "the given server" : $"a private PostgreSQL on 127.0.0.1:{server.Port}")}, 3 tables × {options.InitialRows} rows, then {options.Changes} changes by {options.Writers} writers ({options.RollbackPercent}% of transactions rolled back), checkpoints every {options.IntervalMs} ms, data in {dataDir}"));

        var workload = new CdcChaosWorkload(new CdcChaosWorkloadOptions(_source, options.Changes, options.Writers, options.RollbackPercent, options.ChangesPerSecond, options.Seed));
        using var stopWorkload = new CancellationTokenSource();
        var writing = Task.Run(() => workload.RunAsync(options.InitialRows, stopWorkload.Token));
        var random = new Random(options.Seed);
        var kills = 0;
        var killsDuringWorkload = 0;
        var runs = 0;
        try
        {
            while (kills < options.Kills)
            {
                runs++;
                var afterCheckpoints = random.Next(1, options.MaxCheckpointsPerRun + 1);
                var extraMs = random.Next(0, options.IntervalMs);
                var outcome = RunChild(dataDir, afterCheckpoints, TimeSpan.FromMilliseconds(extraMs), untilLsn: 0);
                if (!outcome.Killed)
                {
                    _problems.Add($"child run {runs} exited with code {outcome.ExitCode} without being killed:{Environment.NewLine}{outcome.Stderr}");
                    return Verdict(dataDir, ownWorkDir, clock, kills, killsDuringWorkload, runs, workload: null);
                }
                kills++;
                var writingNow = !writing.IsCompleted;
                killsDuringWorkload += writingNow ? 1 : 0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"kill {kills}: SIGKILL {extraMs} ms after checkpoint {outcome.LastCheckpoint} ({outcome.Checkpoints} in this run), {workload.Changes} changes committed{(writingNow ? "" : " (workload done)")}"));
            }
            var result = writing.GetAwaiter().GetResult();
            var end = CurrentLsn();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"workload: {result.Changes} changes ({result.Inserts} inserts, {result.Updates} updates, {result.Deletes} deletes) in {result.Committed} transactions, {result.RolledBack} rolled back, {result.Seconds:F1} s; WAL at {CdcSlotSample.Text(end)}"));
            runs++;
            var final = RunChild(dataDir, int.MaxValue, TimeSpan.Zero, untilLsn: end);
            if (final.Killed || final.ExitCode != 0)
            {
                _problems.Add($"the final run exited with code {final.ExitCode}:{Environment.NewLine}{final.Stderr}");
            }
            return Verdict(dataDir, ownWorkDir, clock, kills, killsDuringWorkload, runs, result);
        }
        finally
        {
            stopWorkload.Cancel();
            writing.ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
            DropSlots();
        }
    }

    private int Verdict(string dataDir, bool ownWorkDir, Stopwatch clock, int kills, int killsDuringWorkload, int runs, CdcChaosWorkloadResult? workload)
    {
        if (workload is not null)
        {
            Compare(dataDir);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos: {kills} kills ({killsDuringWorkload} while the workload ran), {runs} child runs, {_samples} slot samples (confirmed flush at most {_maxConfirmedLag} bytes behind its checkpoint, restart LSN at most {_maxRestartLag} bytes), {clock.Elapsed.TotalSeconds:F1} s"));
        if (_problems.Count > 0)
        {
            Console.WriteLine($"verdict: FAIL — {string.Join("; ", _problems)} (data kept in {dataDir})");
            return 1;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verdict: PASS — the DuckDB and PostgreSQL replicas equal the 3 source tables exactly, and every slot was confirmed within one checkpoint interval, never past a completed checkpoint ({kills} kills)"));
        if (ownWorkDir)
        {
            Directory.Delete(dataDir, recursive: true);
        }
        return 0;
    }

    /// <summary>Compares every source table with both replicas, adding a problem per difference.</summary>
    private void Compare(string dataDir)
    {
        using var source = new NpgsqlConnection(_source);
        source.Open();
        using var replica = new NpgsqlConnection(_replica);
        replica.Open();
        using var duckDb = new DuckDBConnection($"Data Source={CdcChaosJob.DuckDbPath(dataDir)};access_mode=READ_ONLY");
        duckDb.Open();
        foreach (var table in CdcChaosTables.All)
        {
            var expected = CdcChaosTables.ReadRows(source, table);
            var inDuckDb = CdcReplicaComparison.Compare($"DuckDB {table.Name}", expected, CdcChaosTables.ReadRows(duckDb, table), _problems);
            var inPostgres = CdcReplicaComparison.Compare($"PostgreSQL replica {table.Name}", expected, CdcChaosTables.ReadRows(replica, table), _problems);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"compare {table.Name}: {expected.Count} source rows; DuckDB {(inDuckDb ? "equal" : "DIFFERENT")}, PostgreSQL replica {(inPostgres ? "equal" : "DIFFERENT")}"));
        }
    }

    /// <summary>How a child run ended.</summary>
    private sealed record ChildOutcome(bool Killed, int ExitCode, int Checkpoints, long LastCheckpoint, string Stderr);

    /// <summary>
    /// Runs the child. With <paramref name="untilLsn"/> 0 it is killed (SIGKILL, whole tree) <paramref name="extra"/>
    /// after its <paramref name="afterCheckpoints"/>-th completed checkpoint; otherwise its stdin is closed (a graceful
    /// stop) once a checkpoint's positions of every slot reach <paramref name="untilLsn"/>. Every slot sample is checked.
    /// </summary>
    private ChildOutcome RunChild(string dataDir, int afterCheckpoints, TimeSpan extra, ulong untilLsn)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[typeof(CdcChaosDriver).Assembly.Location, "chaos", "postgres-cdc-job", "--data-dir", dataDir,
                     "--interval-ms", options.IntervalMs.ToString(CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment[SourceVariable] = _source;
        info.Environment[ReplicaVariable] = _replica;
        using var child = ChaosChildProcess.Start(info, "the CDC chaos child process");
        var process = child.Process;
        var lines = child.Lines;
        var checkpoints = 0;
        long last = 0;
        DateTime? killAt = null;
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var history = new Dictionary<string, List<CdcSlotSample>>(StringComparer.Ordinal); // this run's samples per slot
        var stopping = false;
        while (true)
        {
            var wait = killAt is { } at ? at - DateTime.UtcNow : s_lineTimeout;
            string? line = null;
            var ended = false;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(wait);
                    if (lines.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult())
                    {
                        lines.TryRead(out line);
                    }
                    else
                    {
                        ended = true;
                    }
                }
                catch (OperationCanceledException) when (killAt is null)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"The CDC chaos child printed nothing for {s_lineTimeout.TotalSeconds} s (after {checkpoints} checkpoints); killed it.");
                }
                catch (OperationCanceledException)
                {
                    // The kill point.
                }
            }
            if (ended)
            {
                process.WaitForExit();
                return new ChildOutcome(false, process.ExitCode, checkpoints, last, child.Stderr);
            }
            if (line is null)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return new ChildOutcome(true, process.ExitCode, checkpoints, last, child.Stderr);
            }
            if (options.Verbose)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  child [{process.Id}]: {line}"));
            }
            if (CdcSlotSample.TryParse(line) is { } sample)
            {
                Check(sample, history);
                if (untilLsn > 0 && sample.Streaming && sample.Position >= untilLsn)
                {
                    reached.Add(sample.Slot);
                }
            }
            else if (line.StartsWith("checkpoint ", StringComparison.Ordinal))
            {
                checkpoints++;
                last = long.Parse(line.AsSpan("checkpoint ".Length), CultureInfo.InvariantCulture);
                if (untilLsn == 0 && checkpoints == afterCheckpoints)
                {
                    killAt = DateTime.UtcNow + extra;
                }
                if (untilLsn > 0 && !stopping && reached.Count == CdcChaosTables.All.Count)
                {
                    stopping = true;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final run: checkpoint {last} covers every slot past {CdcSlotSample.Text(untilLsn)}; stopping the job"));
                    process.StandardInput.Close();
                }
                reached.Clear();
            }
        }

    }

    /// <summary>Checks a sample: never confirmed past its checkpoint, and confirmed up to the latest checkpoint of this run that completed at least one interval earlier.</summary>
    private void Check(CdcSlotSample sample, Dictionary<string, List<CdcSlotSample>> history)
    {
        _samples++;
        if (!history.TryGetValue(sample.Slot, out var earlier))
        {
            history[sample.Slot] = earlier = [];
        }
        CdcSlotSample? older = null;
        foreach (var e in earlier)
        {
            if (e.AtMs <= sample.AtMs - options.IntervalMs)
            {
                older = e;
            }
        }
        earlier.Add(sample);
        foreach (var problem in (string?[])[sample.Problem(), older is null ? null : sample.LagProblem(older)])
        {
            if (problem is not null)
            {
                _problems.Add(problem);
                Console.WriteLine("slot problem: " + problem);
            }
        }
        if (sample.Streaming && sample.Position >= sample.Confirmed)
        {
            _maxConfirmedLag = Math.Max(_maxConfirmedLag, sample.Position - sample.Confirmed);
        }
        if (sample.Streaming && sample.Position >= sample.Restart && sample.Restart > 0)
        {
            _maxRestartLag = Math.Max(_maxRestartLag, sample.Position - sample.Restart);
        }
    }

    /// <summary>(Re)creates the two databases, dropping the harness's slots of an earlier run first.</summary>
    private void PrepareDatabases(string admin)
    {
        using var connection = new NpgsqlConnection(admin);
        connection.Open();
        Execute(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'chaos\\_%' AND NOT active");
        foreach (var database in (string[])[SourceDatabase, ReplicaDatabase])
        {
            Execute(connection, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            Execute(connection, $"CREATE DATABASE {database}");
        }
    }

    /// <summary>Drops the harness's slots: a slot keeps WAL for as long as it exists.</summary>
    private void DropSlots()
    {
        try
        {
            using var connection = new NpgsqlConnection(_source);
            connection.Open();
            Execute(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'chaos\\_%' AND NOT active");
        }
        catch (NpgsqlException e)
        {
            Console.WriteLine($"Could not drop the chaos replication slots (drop them by hand: they keep WAL): {e.Message}");
        }
    }

    private ulong CurrentLsn()
    {
        using var connection = new NpgsqlConnection(_source);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", connection);
        return (ulong)NpgsqlTypes.NpgsqlLogSequenceNumber.Parse((string)command.ExecuteScalar()!);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    private static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }
}
