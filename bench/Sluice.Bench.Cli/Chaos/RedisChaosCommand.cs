using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sluice.Examples.Decision;
using Sluice.Log;
using Sluice.Tests.Shared;
using StackExchange.Redis;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>
/// <c>sluice chaos redis</c>: kill -9 for the Redis feature-store sink. The input — the decision example's generated
/// transactions — goes into an embedded-log topic; the decision pipeline (features per user → <c>user:{user_id}</c>,
/// decisions → <c>decision:{user_id}</c>) runs once uninterrupted into Redis database 0 (the reference), then as a child
/// process (<c>chaos redis-run-job</c>) writing database 1 that is killed (SIGKILL) after a seeded number of completed
/// checkpoints and restarted from its checkpoints, until the kills happened and a last run finished. Then every hash of
/// database 1 must equal database 0's, field by field, except the sink's version field (the checkpoint epoch of the
/// last write, which depends on where the kills landed). Exit code 0 = PASS.
/// </summary>
internal static class RedisChaosCommand
{
    /// <summary>The environment variable passing the Redis configuration (with its password) to the child: never on its command line.</summary>
    private const string RedisVariable = "SLUICE_CHAOS_REDIS";

    private const string VersionField = "_sluice_version";

    /// <summary>Builds <c>chaos redis</c>.</summary>
    public static Command Create()
    {
        var kills = new Option<int>("--kills") { Description = "Kills before the job may finish (0 to 1000).", DefaultValueFactory = _ => 5 }.MustBeBetween(0, 1000);
        var seed = new Option<int>("--seed") { Description = "Seed of the input and the kill points.", DefaultValueFactory = _ => 1 };
        var events = new Option<int>("--events") { Description = "Transactions in the input (at least 1).", DefaultValueFactory = _ => 200_000 }.MustBeAtLeast(1);
        var users = new Option<int>("--users") { Description = "Distinct users, so hashes per key pattern (at least 1).", DefaultValueFactory = _ => 5_000 }.MustBeAtLeast(1);
        var interval = new Option<int>("--interval-ms") { Description = "Checkpoint interval of the child (1 to 3600000).", DefaultValueFactory = _ => 100 }.MustBeBetween(1, 3_600_000);
        var maxCheckpoints = new Option<int>("--max-checkpoints") { Description = "A kill comes after 1..N completed checkpoints of the child.", DefaultValueFactory = _ => 6 }.MustBeAtLeast(1);
        var configuration = new Option<string?>("--configuration") { Description = "A Redis to use (StackExchange.Redis configuration; its databases 0 and 1 must be empty). Default: a private redis-server." };
        var workDir = new Option<string?>("--work-dir") { Description = "Where the logs and checkpoints go (default: a new temp directory, deleted on PASS)." };
        var command = new Command("redis", "Kill -9 the decision pipeline writing Redis at random checkpoints, restart it; check the final Redis state equals an uninterrupted run's.")
        {
            kills, seed, events, users, interval, maxCheckpoints, configuration, workDir,
        };
        command.SetAction(parse =>
        {
            var work = parse.GetValue(workDir);
            var root = work is null ? Directory.CreateTempSubdirectory("sluice-chaos-redis-").FullName : DataDirectories.CreateWritable(work, "chaos work directory");
            var given = parse.GetValue(configuration);
            using var server = given is null ? RedisServer.StartAsync().GetAwaiter().GetResult() : null;
            var options = new Options(parse.GetValue(kills), parse.GetValue(seed), parse.GetValue(events), parse.GetValue(users), parse.GetValue(interval),
                parse.GetValue(maxCheckpoints), given ?? server!.Configuration, root);
            var pass = Run(options);
            if (pass && work is null)
            {
                Directory.Delete(root, recursive: true);
            }
            return pass ? 0 : 1;
        });
        return command;
    }

    /// <summary>Builds <c>chaos redis-run-job</c>, the child: the decision pipeline over the data directory's log, into the
    /// Redis of <c>SLUICE_CHAOS_REDIS</c>, restoring its latest checkpoint; prints <c>checkpoint &lt;id&gt;</c> per completed checkpoint.</summary>
    public static Command CreateChild()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The data directory the driver prepared (log/, checkpoints/).", Required = true };
        var interval = new Option<int>("--interval-ms") { Description = "Checkpoint interval.", DefaultValueFactory = _ => 100 }.MustBeBetween(1, 3_600_000);
        var command = new Command("redis-run-job", $"The child of 'chaos redis': the decision pipeline into the Redis named by {RedisVariable}; prints 'checkpoint <id>' per completed checkpoint.") { dataDir, interval };
        command.SetAction(parse =>
        {
            var redis = Environment.GetEnvironmentVariable(RedisVariable);
            if (string.IsNullOrWhiteSpace(redis))
            {
                throw new CommandFailedException($"{RedisVariable} is not set: 'chaos redis' sets it for its child.");
            }
            var directory = DataDirectories.RequireExisting(parse.GetValue(dataDir)!, "chaos data directory");
            var result = RunPipeline(directory, redis, TimeSpan.FromMilliseconds(parse.GetValue(interval)), id => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint {id}")));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finished restored={result.RestoredCheckpointId} checkpoints={result.CheckpointsCompleted}"));
            return 0;
        });
        return command;
    }

    private sealed record Options(int Kills, int Seed, int Events, int Users, int IntervalMs, int MaxCheckpoints, string Redis, string WorkDirectory);

    private static bool Run(Options options)
    {
        var clock = Stopwatch.StartNew();
        var input = DecisionInput.Generate(options.Events, options.Users, options.Seed);
        var reference = Path.Combine(options.WorkDirectory, "reference");
        var run = Path.Combine(options.WorkDirectory, "run");
        using var client = ConnectionMultiplexer.Connect(options.Redis);
        foreach (var database in new[] { 0, 1 })
        {
            if (Keys(client, database).Count > 0)
            {
                Console.WriteLine($"verdict: FAIL — Redis database {database} at {string.Join(", ", client.GetEndPoints())} is not empty; chaos redis needs databases 0 and 1 empty (or omit --configuration for a private redis-server).");
                return false;
            }
        }
        Prepare(reference, input);
        Prepare(run, input);
        var result = RunPipeline(reference, Database(options.Redis, 0), TimeSpan.FromHours(1), onCheckpoint: null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reference: {input.Count:N0} transactions of {options.Users:N0} users -> {Keys(client, 0).Count:N0} keys in database 0 ({clock.ElapsedMilliseconds} ms, job {result.CheckpointsCompleted} checkpoints)"));

        var random = new Random(options.Seed);
        var kills = 0;
        var starts = 0;
        var finished = false;
        while (!finished && kills < options.Kills)
        {
            starts++;
            var outcome = RunChild(run, Database(options.Redis, 1), options.IntervalMs, killAfterCheckpoints: random.Next(1, options.MaxCheckpoints + 1));
            if (outcome.Killed)
            {
                kills++;
                Console.WriteLine($"kill {kills}: after checkpoint {outcome.LastCheckpoint}");
            }
            else if (outcome.ExitCode == 0)
            {
                finished = true;
            }
            else
            {
                Console.WriteLine($"verdict: FAIL — the child exited with code {outcome.ExitCode} without being killed:{Environment.NewLine}{outcome.Stderr}");
                return false;
            }
        }
        if (!finished)
        {
            starts++;
            var outcome = RunChild(run, Database(options.Redis, 1), options.IntervalMs, killAfterCheckpoints: int.MaxValue);
            if (outcome.ExitCode != 0)
            {
                Console.WriteLine($"verdict: FAIL — the final run exited with code {outcome.ExitCode}:{Environment.NewLine}{outcome.Stderr}");
                return false;
            }
        }

        var problems = Compare(client);
        if (kills < options.Kills)
        {
            problems.Add($"the job finished after {kills} of {options.Kills} kills: use more --events or a lower --max-checkpoints");
        }
        var hashes = Keys(client, 0).Count(k => !k.StartsWith(Sluice.Connectors.Redis.Sinks.RedisSink<CardTransaction>.EpochKeyPrefix, StringComparison.Ordinal));
        Console.WriteLine($"chaos redis: {kills} kills, {starts} child runs, {clock.Elapsed.TotalSeconds:F1} s");
        if (problems.Count > 0)
        {
            Console.WriteLine("verdict: FAIL — " + string.Join("; ", problems) + $" (data kept in {options.WorkDirectory})");
            return false;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verdict: PASS — every one of {hashes:N0} hashes after {kills} kills equals the uninterrupted run's, field by field (all but {VersionField})"));
        return true;
    }

    /// <summary>Creates <paramref name="directory"/>'s log with topic <c>transactions</c> (2 partitions, a user's transactions in one) holding <paramref name="input"/>.</summary>
    private static void Prepare(string directory, IReadOnlyList<CardTransaction> input)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        using var log = PartitionedLog.Open(Path.Combine(directory, "log"));
        var topic = log.CreateTopic(DecisionInput.Topic, new TopicConfig { Partitions = 2 });
        var batches = new[] { new List<ProducerRecord>(), new List<ProducerRecord>() };
        foreach (var t in input)
        {
            var partition = int.Parse(t.UserId.AsSpan(1), CultureInfo.InvariantCulture) % 2;
            batches[partition].Add(ProducerRecord.FromArrays(Encoding.UTF8.GetBytes(t.UserId), Encoding.UTF8.GetBytes(DecisionInput.Ndjson([t]).TrimEnd('\n')), t.Ts));
        }
        for (var p = 0; p < 2; p++)
        {
            var records = batches[p];
            for (var first = 0; first < records.Count; first += 1000)
            {
                topic.GetPartition(p).Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(records).Slice(first, Math.Min(1000, records.Count - first)));
            }
            topic.GetPartition(p).Flush();
        }
    }

    /// <summary>
    /// Runs the decision pipeline over <paramref name="directory"/> to the end of its topic (restoring its latest
    /// checkpoint), scoring with the decision model in the work directory's <c>model/</c> (trained by the reference run,
    /// which runs first, so the killed children only load it).
    /// </summary>
    private static JobResult RunPipeline(string directory, string redis, TimeSpan interval, Action<long>? onCheckpoint)
    {
        var model = DecisionModel.EnsureOnnx(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(directory))!, "model"));
        using var log = PartitionedLog.Open(Path.Combine(directory, "log"));
        var env = StreamEnvironment.Create(DecisionPipeline.JobOptions(Path.Combine(directory, "checkpoints"), parallelism: 2, interval));
        DecisionPipeline.Build(env, log, redis, Sluice.Ml.OnnxModel.Load(model, LogisticFraudModel.InputName, LogisticFraudModel.OutputName), bounded: true);
        var job = env.Start();
        if (onCheckpoint is not null)
        {
            job.CheckpointCompleted += onCheckpoint;
        }
        return job.Completion.GetAwaiter().GetResult();
    }

    /// <summary><paramref name="redis"/> with its default database set to <paramref name="database"/>.</summary>
    private static string Database(string redis, int database) => string.Create(CultureInfo.InvariantCulture, $"{redis},defaultDatabase={database}");

    private static List<string> Keys(ConnectionMultiplexer client, int database)
    {
        var server = client.GetServer(client.GetEndPoints()[0]);
        return [.. server.Keys(database, pageSize: 1000).Select(k => k.ToString())];
    }

    /// <summary>Every difference between databases 0 and 1: keys only in one, and fields (but the version) that differ.</summary>
    private static List<string> Compare(ConnectionMultiplexer client)
    {
        var problems = new List<string>();
        var expected = Keys(client, 0).Where(IsHash).ToHashSet(StringComparer.Ordinal);
        var actual = Keys(client, 1).Where(IsHash).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            problems.Add($"{missing.Count} keys missing (e.g. {string.Join(", ", missing.Take(3))}), {extra.Count} extra (e.g. {string.Join(", ", extra.Take(3))})");
        }
        var differing = new List<string>();
        foreach (var key in expected.Intersect(actual).Order(StringComparer.Ordinal))
        {
            var want = Fields(client.GetDatabase(0), key);
            var got = Fields(client.GetDatabase(1), key);
            if (want.Count != got.Count || want.Any(f => !got.TryGetValue(f.Key, out var value) || value != f.Value))
            {
                differing.Add($"{key}: {{{Show(want)}}} ≠ {{{Show(got)}}}");
            }
        }
        if (differing.Count > 0)
        {
            problems.Add($"{differing.Count} hashes differ, e.g. {string.Join("; ", differing.Take(3))}");
        }
        return problems;

        static bool IsHash(string key) => !key.StartsWith(Sluice.Connectors.Redis.Sinks.RedisSink<CardTransaction>.EpochKeyPrefix, StringComparison.Ordinal);

        static Dictionary<string, string> Fields(IDatabase database, string key) =>
            database.HashGetAll(key).Where(e => e.Name != VersionField).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);

        static string Show(Dictionary<string, string> fields) => string.Join(", ", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
    }

    /// <summary>Runs the child until it exits or reported <paramref name="killAfterCheckpoints"/> completed checkpoints, then kills it (SIGKILL).</summary>
    private static CheckpointKillOutcome RunChild(string dataDir, string redis, int intervalMs, int killAfterCheckpoints) =>
        ChaosChildProcess.RunUntilCheckpoints(
            ["chaos", "redis-run-job", "--data-dir", dataDir, "--interval-ms", intervalMs.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { [RedisVariable] = redis }, killAfterCheckpoints, "The Redis chaos child");
}
