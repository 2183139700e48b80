using System.Diagnostics;
using Sluice.Examples.Clickstream.Demo;
using Sluice.Plans;

namespace Sluice.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-demo-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Demo_SmallBoundedRun_PrintsWhereDataLandedAndQueryReadsIt()
    {
        var data = Path.Combine(_dir, "small");
        var run = CliProcess.Run(null, "demo", "--events", "3000", "--data-dir", data);
        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("input lines (topic clicks)");
        run.Stdout.ShouldContain("warehouse (gold, DuckDB)");

        var query = CliProcess.Run(null, "query", "--data-dir", data, "--json", "SELECT count(*) AS n FROM bronze_clicks");
        query.ExitCode.ShouldBe(0, query.Stderr);
        query.Stdout.Trim().ShouldBe("{\"n\":3000}");
    }

    [Fact]
    public void Demo_LakeFormatDelta_WritesBronzeSilverAndGoldAsDeltaTablesThatQueriesReadAsTheParquetLakeAndDuckDbGold()
    {
        var parquet = Path.Combine(_dir, "parquet");
        var delta = Path.Combine(_dir, "delta");
        CliProcess.Run(null, "demo", "--events", "3000", "--no-ui", "--data-dir", parquet).ExitCode.ShouldBe(0);
        var run = CliProcess.Run(null, "demo", "--events", "3000", "--no-ui", "--lake-format", "delta", "--data-dir", delta);
        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("lake (bronze, Delta table by date/hour)");
        Sluice.Connectors.Delta.DeltaTable.Exists(Path.Combine(delta, "lake", "bronze_clicks")).ShouldBeTrue();

        // The demo's own bronze query, and the rows themselves, read the same from both formats.
        foreach (var sql in new[]
        {
            "SELECT event_date, hour, count(*) AS n FROM bronze_clicks GROUP BY ALL ORDER BY ALL",
            "SELECT \"partition\", \"offset\", ts, raw FROM bronze_clicks ORDER BY \"partition\", \"offset\"",
        })
        {
            var fromDelta = CliProcess.Run(null, "query", "--data-dir", delta, "--json", sql);
            fromDelta.ExitCode.ShouldBe(0, fromDelta.Stderr);
            fromDelta.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBeGreaterThan(0);
            fromDelta.Stdout.ShouldBe(CliProcess.Run(null, "query", "--data-dir", parquet, "--json", sql).Stdout);
        }
        CliProcess.Run(null, "query", "--data-dir", delta, "--json", "SELECT count(*) AS n FROM bronze_clicks").Stdout.Trim().ShouldBe("{\"n\":3000}");

        // Gold: the Delta tables the upsert sink merged hold exactly the rows of the DuckDB upsert tables.
        run.Stdout.ShouldContain("lake (silver and gold, Delta tables)");
        foreach (var table in new[] { "page_minute", "sessions", "user_features" })
        {
            Sluice.Connectors.Delta.DeltaTable.Exists(Path.Combine(delta, "lake", table)).ShouldBeTrue(table);
            var sql = $"SELECT * FROM {table} ORDER BY ALL";
            var fromDelta = CliProcess.Run(null, "query", "--data-dir", delta, "--json", sql);
            fromDelta.ExitCode.ShouldBe(0, fromDelta.Stderr);
            fromDelta.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBeGreaterThan(1, table);
            fromDelta.Stdout.ShouldBe(CliProcess.Run(null, "query", "--data-dir", parquet, "--json", sql).Stdout, table);
        }
        // Silver: the on-time clicks the demo reports, each event once.
        var onTime = System.Text.RegularExpressions.Regex.Match(run.Stdout, @"on time, into gold\s*│\s*([\d,]+)").Groups[1].Value.Replace(",", "", StringComparison.Ordinal);
        CliProcess.Run(null, "query", "--data-dir", delta, "--json", "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM silver_clicks").Stdout.Trim()
            .ShouldBe($"{{\"n\":{onTime},\"ids\":{onTime}}}");

        var mixed = CliProcess.Run(null, "demo", "--events", "3000", "--no-ui", "--data-dir", delta);
        mixed.ExitCode.ShouldBe(1);
        mixed.Stderr.ShouldContain("whose bronze layer is a Delta table, not Parquet files: rerun with --lake-format delta");
    }

    [Fact]
    public void DemoExplain_TextAndJson_PrintThePlanAndRunNothing()
    {
        var data = Path.Combine(_dir, "explain");

        var text = CliProcess.Run(null, "demo", "--explain", "--parallelism", "3", "--data-dir", data);
        var json = CliProcess.Run(null, "demo", "--explain", "--format", "json", "--kafka", "mock");

        text.ExitCode.ShouldBe(0, text.Stderr);
        text.Stdout.ShouldStartWith("job 'clickstream-demo': parallelism 3, 128 key groups, keyed state on heap\n");
        foreach (var op in new[] { "LogSource(clicks)", "Bronze", "Parse", "Dedup", "LateGate", "PageMinute", "Sessions", "UserFeatures" })
        {
            text.Stdout.ShouldContain(op);
        }
        text.Stdout.ShouldContain(" via hash\n");
        Directory.Exists(data).ShouldBeFalse("--explain writes nothing");
        json.ExitCode.ShouldBe(0, json.Stderr);
        json.Stdout.ShouldNotContain("mock cluster at");
        var plan = PlanDescription.FromJson(json.Stdout);
        plan.JobName.ShouldBe("clickstream-demo");
        plan.Parallelism.ShouldBe(2);
        plan.Operators.ShouldContain(static o => o.Kind == OperatorKind.Source && o.Name == "KafkaSource(clicks)");
        plan.Operators.Where(static o => o.Keyed).Select(static o => o.Uid).ShouldBe(["dedup", "page-minute", "sessions", "user-features"], ignoreOrder: true);
    }

    [Fact]
    public void Demo_KafkaMock_ReadsTheInputFromTheMockClusterAndRefusesToMixInputsInOneDataDirectory()
    {
        var data = Path.Combine(_dir, "kafka");
        var run = CliProcess.Run(null, "demo", "--kafka", "mock", "--events", "2000", "--data-dir", data);
        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("Kafka: in-process mock cluster at 127.0.0.1:");
        run.Stdout.ShouldContain("input lines (Kafka topic clicks)");
        run.Stderr.ShouldNotContain("CONFWARN");

        var query = CliProcess.Run(null, "query", "--data-dir", data, "--json", "SELECT count(*) AS n FROM bronze_clicks");
        query.ExitCode.ShouldBe(0, query.Stderr);
        query.Stdout.Trim().ShouldBe("{\"n\":2000}");

        var mixed = CliProcess.Run(null, "demo", "--events", "2000", "--data-dir", data);
        mixed.ExitCode.ShouldBe(1);
        mixed.Stderr.ShouldContain("holds a demo run whose input was the Kafka topic");
    }

    [Fact]
    public void Demo_KafkaConfigFile_ConnectsWithItsBootstrapAndProperties_AndAMalformedFileIsAUsageError()
    {
        // The cluster a user's client.properties points at; the test hosts it, the demo runs in another process.
        using var cluster = new Sluice.Connectors.Kafka.Testing.KafkaMockCluster();
        cluster.CreateTopic(DemoInput.Topic, DemoInput.Partitions); // The mock has no CreateTopics API.
        var config = Path.Combine(_dir, "client.properties");
        Directory.CreateDirectory(_dir);
        File.WriteAllLines(config,
        [
            "# as a managed service's file would carry SASL settings; the mock speaks PLAINTEXT",
            $"bootstrap.servers={cluster.BootstrapServers}",
            "session.timeout.ms=2000",
            "heartbeat.interval.ms=250",
        ]);

        var run = CliProcess.Run(null, "demo", "--kafka-config", config, "--events", "2000", "--no-ui", "--data-dir", Path.Combine(_dir, "configured"));

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain($"Kafka: {cluster.BootstrapServers} (topic clicks, consumer group {DemoKafkaInput.GroupId}, 2 client properties from client.properties)");
        run.Stdout.ShouldContain("input lines (Kafka topic clicks)");

        File.WriteAllLines(config, [$"bootstrap.servers={cluster.BootstrapServers}", "sasl.password hunter2"]);
        var bad = CliProcess.Run(null, "demo", "--kafka-config", config, "--data-dir", Path.Combine(_dir, "bad"));
        bad.ExitCode.ShouldBe(2);
        bad.Stderr.ShouldContain("line 2: expected key=value");
        bad.Stderr.ShouldNotContain("hunter2");
    }

    [Fact]
    public void Demo_NonPositiveEvents_FailsWithUsageError()
    {
        var run = CliProcess.Run(null, "demo", "--events", "0");
        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldStartWith("error: --events must be at least 1 (got 0).");
    }

    [Fact]
    public void Demo_OutputPiped_PrintsEachHintOnOneLineWithQuotedPathsAndNoAnsiCodes()
    {
        var data = Path.Combine(_dir, "a data dir with spaces, and a name long enough to pass eighty columns");
        var environment = new Dictionary<string, string?> { ["NO_COLOR"] = null, ["TERM"] = "xterm-256color" };

        var run = CliProcess.Run(TimeSpan.FromMinutes(2), null, environment, "demo", "--events", "2000", "--data-dir", data);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldNotContain("\u001b[");
        var lines = run.Stdout.Split('\n');
        lines.ShouldContain($"  ./sluice query --data-dir '{data}' \"SELECT page, sum(views) AS views FROM page_minute GROUP BY page ORDER BY views DESC\"");
        lines.ShouldContain($"  ./sluice log consume clicks.dlq --from-beginning --max 3 --data-dir '{Path.Combine(data, "log")}'");
    }

    [Fact]
    public void Demo_RerunWithAnotherSeed_FailsNamingTheSeedTheDirectoryWasMadeWith()
    {
        var data = Path.Combine(_dir, "seeded");
        var first = CliProcess.Run(null, "demo", "--events", "1000", "--seed", "5", "--data-dir", data);
        first.ExitCode.ShouldBe(0, first.Stderr);

        var rerun = CliProcess.Run(null, "demo", "--events", "1000", "--seed", "6", "--data-dir", data);

        rerun.ExitCode.ShouldBe(1);
        rerun.Stderr.ShouldBe($"error: The demo data directory '{data}' was made with --seed 5, not 6: rerun with --seed 5, or use another --data-dir.\n");
        rerun.Stdout.ShouldNotContain("seed 6");
    }

    [Fact]
    public async Task Demo_KilledAfterCheckpointsAndRunAgain_LeavesExactlyTheTablesOfAnUninterruptedRun()
    {
        const int Events = 12_000;
        var reference = await ClickstreamDemo.RunAsync(new DemoOptions(Events, Seed: 11, Path.Combine(_dir, "reference")), new DemoStats())
            .WaitAsync(TimeSpan.FromMinutes(3));
        var crashed = Path.Combine(_dir, "crashed");

        // Kill -9 the demo after its second checkpoint (paced, so it is mid-run), then run it again to the end.
        var killed = KillAfterCheckpoints(crashed, Events, checkpoints: 2);
        killed.ShouldBeTrue("the demo should checkpoint twice before finishing");
        var rerun = CliProcess.Run(TimeSpan.FromMinutes(3), null, "demo", "--events", Events.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", "11", "--data-dir", crashed);
        rerun.ExitCode.ShouldBe(0, rerun.Stderr);
        rerun.Stdout.ShouldContain("Resumed from checkpoint");

        var expected = Tables(reference.Paths.Root);
        var actual = Tables(crashed);
        var missing = expected.Except(actual).Take(5).ToList();
        var extra = actual.Except(expected).Take(5).ToList();
        (missing.Count + extra.Count).ShouldBe(0, $"missing: [{string.Join(", ", missing)}] extra: [{string.Join(", ", extra)}]");
        actual.Count.ShouldBe(expected.Count, "no row may be duplicated");
    }

    private static bool KillAfterCheckpoints(string dataDir, int events, int checkpoints)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "demo", "--events", events.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", "11", "--rate", "3000", "--data-dir", dataDir })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync();
        var seen = 0;
        while (process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult() is { } line)
        {
            if (line.StartsWith("checkpoint ", StringComparison.Ordinal) && ++seen == checkpoints)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return true;
            }
        }
        return false;
    }

    /// <summary>Every gold table's rows and every bronze row's position, sorted: equal sets mean nothing lost and nothing duplicated.</summary>
    internal static List<string> Tables(string dataDir)
    {
        var paths = new DemoPaths(dataDir);
        using var sql = DuckDbQueries.Open(paths.Warehouse);
        var rows = new List<string>();
        foreach (var query in new[]
        {
            "SELECT 'page_minute', * FROM page_minute",
            "SELECT 'sessions', * FROM sessions",
            "SELECT 'user_features', * FROM user_features",
            "SELECT 'late', event_id FROM late_events",
            $"SELECT 'bronze', \"partition\", \"offset\", ts FROM read_parquet('{paths.Lake}/bronze_clicks/**/*.parquet', hive_partitioning = true)",
        })
        {
            var result = sql.Query(query);
            for (var r = 0; r < result.RowCount; r++)
            {
                rows.Add(string.Join('|', Enumerable.Range(0, result.ColumnCount).Select(c =>
                    result.IsNull(r, c) ? "NULL" : Convert.ToString(result.GetValue(r, c), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
