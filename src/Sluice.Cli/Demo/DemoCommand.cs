using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Sluice.Connectors.Kafka;
using Sluice.Connectors.Kafka.Testing;
using Sluice.Examples.Clickstream.Demo;
using Spectre.Console;

namespace Sluice.Cli.Demo;

/// <summary>
/// <c>sluice demo</c>: the click-stream pipeline end to end — embedded log → bronze lake → silver (parse, DLQ, dedup,
/// late gate) → gold tables in DuckDB — with checkpoints, a live console view, and where the data landed. With
/// <c>--kafka &lt;bootstrap|mock&gt;</c> the input topic is on a Kafka cluster (an in-process mock for <c>mock</c>).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Input events; the run stops after them and flushes everything.", DefaultValueFactory = _ => 200_000 }
            .MustBeAtLeast(1);
        var rate = new Option<double?>("--rate") { Description = "Pace the job at this many events per second, greater than 0 (default: as fast as possible)." }
            .MustBePositive(100_000_000);
        var seed = new Option<int>("--seed") { Description = "Generator seed: the same seed and --events give identical gold tables.", DefaultValueFactory = _ => 42 };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Where the log, lake, warehouse and checkpoints live (default {DefaultDataDirectory}, or {DefaultKafkaDataDirectory} with --kafka)." };
        var kafka = new Option<string?>("--kafka")
        {
            Description = "Read the input from Kafka: produce it into topic clicks (created with 1 partition if missing) on these bootstrap servers, "
                + "and read it with a Kafka source. 'mock' starts an in-process mock cluster for the run (default --events 20,000 then).",
        };
        var kafkaConfig = new Option<FileInfo?>("--kafka-config")
        {
            Description = "A Kafka client properties file (key=value lines, e.g. the client.properties Confluent Cloud or MSK give you): SASL/SSL and "
                + "any other librdkafka setting, and bootstrap.servers unless --kafka names them. Implies --kafka; values are never printed.",
        }.MustSatisfy(f => f is { Exists: true }, "must name an existing file");
        var noUi = new Option<bool>("--no-ui") { Description = "Print plain progress lines instead of the live view." };
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks per operator (1 to 256).", DefaultValueFactory = _ => 2 }.MustBeBetween(1, 256);
        var explain = new Option<bool>("--explain") { Description = "Print the demo job's plan (tasks, operators, exchanges) for these options and exit: nothing runs, nothing is written." };
        var format = new Option<string>("--format") { Description = "The --explain format: text (default) or json.", DefaultValueFactory = _ => "text" }
            .MustSatisfy(f => f is "text" or "json", "must be text or json");
        var lakeFormat = new Option<string>("--lake-format")
        {
            Description = "How the lake is stored: parquet (default: bronze as hive-style folders of Parquet files, gold in DuckDB) or delta (bronze, silver "
                + "and gold as Delta tables in the lake, gold upserted by key: readers see committed checkpoints only, sluice query --delta-version reads older versions).",
            DefaultValueFactory = _ => "parquet",
        }.MustSatisfy(f => f is "parquet" or "delta", "must be parquet or delta");
        var command = new Command("demo", "Run the click-stream demo: embedded log → bronze lake (Parquet or Delta) → silver (parse, DLQ, dedup) → gold tables (DuckDB, or Delta with --lake-format delta), exactly-once.")
        {
            events, rate, seed, dataDir, noUi, parallelism, kafka, kafkaConfig, explain, format, lakeFormat,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(format) is { Implicit: false } && !result.GetValue(explain))
            {
                result.AddError("--format is for --explain: add --explain to print the plan.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(explain))
            {
                // Only the plan's shape matters: a Kafka source is described, never connected (no mock starts, no file is read).
                var servers = parse.GetValue(kafka);
                var planned = servers is null && parse.GetValue(kafkaConfig) is null ? null
                    : new DemoKafkaOptions(new KafkaConnectionOptions { BootstrapServers = string.IsNullOrWhiteSpace(servers) ? MockValue : servers });
                var plan = ClickstreamDemo.DescribePlan(new DemoOptions(parse.GetValue(events), parse.GetValue(seed), DefaultDataDirectory, parse.GetValue(rate), parse.GetValue(parallelism))
                {
                    Kafka = planned,
                    LakeFormat = LakeFormatOf(parse.GetValue(lakeFormat)),
                });
                Console.Out.Write(parse.GetValue(format) == "json" ? plan.ToJson() + "\n" : plan.ToText());
                return 0;
            }
            var n = parse.GetValue(events);
            if (parse.GetValue(kafka) == MockValue && parse.GetResult(events) is null or { Implicit: true })
            {
                n = MockDefaultEvents; // The mock keeps about 5 MB per partition: the default 200,000 lines would not fit.
            }
            var p = parse.GetValue(parallelism);
            var bootstrap = parse.GetValue(kafka);
            if (bootstrap is not null && string.IsNullOrWhiteSpace(bootstrap))
            {
                Console.Error.WriteLine("error: --kafka needs bootstrap servers (host:port[,host:port…]) or 'mock'.");
                return 2;
            }
            var configFile = parse.GetValue(kafkaConfig);
            if (configFile is not null && bootstrap == MockValue)
            {
                Console.Error.WriteLine("error: --kafka-config is for a real cluster; the in-process mock (--kafka mock) takes no client properties.");
                return 2;
            }
            KafkaConnectionOptions? configured = null;
            if (configFile is not null)
            {
                try
                {
                    configured = KafkaConnectionOptions.FromPropertiesFile(configFile.FullName, bootstrap);
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return 2;
                }
            }
            else if (bootstrap is not null && bootstrap != MockValue)
            {
                configured = new KafkaConnectionOptions { BootstrapServers = bootstrap };
            }
            // The mock cluster lives as long as this command: the job's consumer and the generator's producer use it.
            using var mock = bootstrap == MockValue ? new KafkaMockCluster() : null;
            DemoKafkaOptions? kafkaInput = null;
            if (mock is not null)
            {
                mock.CreateTopic(DemoInput.Topic, DemoInput.Partitions);
                kafkaInput = DemoKafkaOptions.ForMock(mock);
                Console.WriteLine($"Kafka: in-process mock cluster at {mock.BootstrapServers} (lives for this run; topic {DemoInput.Topic}, {DemoInput.Partitions} partition)");
            }
            else if (configured is not null)
            {
                kafkaInput = new DemoKafkaOptions(configured with { ClientId = configured.Properties.ContainsKey("client.id") ? null : "sluice-demo" });
                Console.WriteLine($"Kafka: {configured.BootstrapServers} (topic {DemoInput.Topic}, consumer group {DemoKafkaInput.GroupId}"
                    + (configFile is null ? ")" : $", {configured.Properties.Count} client properties from {configFile.Name})"));
            }
            var directory = parse.GetValue(dataDir) ?? (kafkaInput is null ? DefaultDataDirectory : DefaultKafkaDataDirectory);
            DemoSeedRecord.CheckOrRecord(DataDirectories.CreateWritable(directory, "demo data directory"), directory, parse.GetValue(seed));
            var options = new DemoOptions(n, parse.GetValue(seed), directory, parse.GetValue(rate), p) { Kafka = kafkaInput, LakeFormat = LakeFormatOf(parse.GetValue(lakeFormat)), InputAppended = DemoInputFault.FromEnvironment(), LoggerFactory = CommandLineHost.LoggerFactory(parse) };
            var stats = new DemoStats();
            DemoRun run;
            try
            {
                if (parse.GetValue(noUi) || Console.IsOutputRedirected)
                {
                    Console.WriteLine($"Sluice demo: {n:N0} events, seed {options.Seed}, parallelism {p}, data in {Path.GetFullPath(options.DataDirectory)}");
                    run = await ClickstreamDemo.RunAsync(options, stats,
                        client => client.CheckpointCompleted += id => Console.WriteLine($"checkpoint {id} ({stats.Ingested:N0} events read)"),
                        cancellationToken);
                }
                else
                {
                    run = await RunWithLiveView(options, stats, cancellationToken);
                }
            }
            catch (Exception e) when (e is KafkaException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (Sluice.Log.LogException e)
            {
                // E.g. the disk filled up while the input was appended: everything appended so far is kept.
                Console.Error.WriteLine($"error: {e.Message.TrimEnd('.')}; fix the cause (e.g. free disk space) and run the same command again: the demo resumes where it stopped.");
                return 1;
            }
            PrintSummary(run, stats, kafkaInput is not null);
            return 0;
        });
        return command;
    }

    /// <summary>The default data directory, relative to the working directory.</summary>
    public const string DefaultDataDirectory = ".sluice-data/demo";

    /// <summary>The default data directory with <c>--kafka</c> (a data directory holds one kind of input's checkpoints).</summary>
    public const string DefaultKafkaDataDirectory = ".sluice-data/demo-kafka";

    /// <summary>Events of <c>--kafka mock</c> when <c>--events</c> is not given (they fit in the mock's partition).</summary>
    public const int MockDefaultEvents = 20_000;

    /// <summary>The <c>--kafka</c> value that starts an in-process mock cluster.</summary>
    public const string MockValue = "mock";

    private static async Task<DemoRun> RunWithLiveView(DemoOptions options, DemoStats stats, CancellationToken cancellationToken)
    {
        JobClient? client = null;
        var running = ClickstreamDemo.RunAsync(options, stats, started => Volatile.Write(ref client, started), cancellationToken);
        using var refresh = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        await AnsiConsole.Live(View(stats, options, null)).StartAsync(async context =>
        {
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, refresh.WaitForNextTickAsync(cancellationToken).AsTask());
                context.UpdateTarget(View(stats, options, Volatile.Read(ref client)));
            }
        });
        return await running;
    }

    private static Rows View(DemoStats stats, DemoOptions options, JobClient? client) =>
        client is null ? new Rows(View(stats, options)) : new Rows(View(stats, options), Operators(client));

    /// <summary>Per operator (subtasks summed): records in and out, and the lowest watermark.</summary>
    private static Table Operators(JobClient client)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("operators").AddColumns("operator", "in", "out", "watermark");
        table.Columns[1].RightAligned();
        table.Columns[2].RightAligned();
        foreach (var op in client.GetOperatorMetrics().GroupBy(m => m.Uid))
        {
            var first = op.First();
            var watermark = op.Min(m => m.Watermark);
            table.AddRow(Markup.Escape(first.Operator), first.IsSource ? "" : $"{op.Sum(m => m.RecordsIn):N0}", $"{op.Sum(m => m.RecordsOut):N0}",
                watermark == EventTime.MinWatermark ? "-" : watermark == EventTime.MaxWatermark ? "end" : EventTime.Format(watermark));
        }
        return table;
    }

    private static Table View(DemoStats stats, DemoOptions options)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Sluice click-stream demo[/]").AddColumns("", "");
        table.AddRow("input events", $"{stats.Ingested:N0} / {options.Events:N0}");
        table.AddRow("silver: dead letters (clicks.dlq)", $"{stats.DeadLetteredCount:N0}");
        table.AddRow("silver: duplicates dropped", $"{stats.Duplicates:N0}");
        table.AddRow("silver: late events", $"{stats.Late:N0}");
        table.AddRow("gold: events in features", $"{stats.Output:N0}");
        var watermark = stats.CurrentWatermark;
        table.AddRow("watermark", watermark == EventTime.MinWatermark ? "-" : EventTime.Format(watermark));
        table.AddRow("checkpoints completed", $"{stats.Checkpoints:N0}");
        table.AddRow("top pages (views)", string.Join(", ", stats.TopPages(3).Select(p => $"{p.Page} {p.Views:N0}")));
        return table;
    }

    private static void PrintSummary(DemoRun run, DemoStats stats, bool kafka)
    {
        var truth = run.Truth;
        var summary = new Table().Border(TableBorder.Rounded).AddColumns("layer", "stage", "records");
        summary.Columns[2].RightAligned();
        summary.AddRow("bronze", kafka ? "input lines (Kafka topic clicks) → lake" : "input lines (topic clicks) → lake", N(truth.Lines.Count));
        summary.AddRow("silver", "→ dead letters (topic clicks.dlq)", N(stats.DeadLetteredCount));
        summary.AddRow("silver", "→ duplicates dropped", N(stats.Duplicates));
        summary.AddRow("silver", "→ late (table late_events)", N(stats.Late));
        summary.AddRow("gold", "→ on time, into gold", N(stats.Output));
        summary.AddRow("", "checkpoints", N(run.Result.CheckpointsCompleted));
        AnsiConsole.Write(summary);
        if (run.DeadLetters is { Records: > 0 } letters)
        {
            // The DLQ summary, from the topic itself (every run's letters), as `sluice dlq stats clicks` prints it.
            var dlq = new Table().Border(TableBorder.Rounded).Title("clicks.dlq").AddColumns("kind / reason", "records");
            dlq.Columns[1].RightAligned();
            foreach (var kind in letters.Kinds)
            {
                dlq.AddRow(Markup.Escape(kind.Name), N(kind.Count));
            }
            foreach (var reason in letters.Reasons.Take(3))
            {
                dlq.AddRow(Markup.Escape("  " + (reason.Reason.Length > 70 ? reason.Reason[..69] + "…" : reason.Reason)), N(reason.Count));
            }
            AnsiConsole.Write(dlq);
        }
        if (run.Result.RestoredCheckpointId > 0)
        {
            AnsiConsole.MarkupLine($"Resumed from checkpoint #{run.Result.RestoredCheckpointId}: counts above cover this run only; the tables hold everything.");
        }
        var paths = run.Paths;
        AnsiConsole.MarkupLine($"Done in {run.Result.Duration.TotalSeconds:F1} s. Data landed in [bold]{Markup.Escape(paths.Root)}[/]:");
        var delta = Sluice.Connectors.Delta.DeltaTable.Exists(paths.BronzeTable);
        AnsiConsole.MarkupLine($"  lake (bronze, {(delta ? "Delta table" : "Parquet")} by date/hour): {Markup.Escape(paths.BronzeTable)}");
        if (delta)
        {
            AnsiConsole.MarkupLine($"  lake (silver and gold, Delta tables): {Markup.Escape(paths.Lake)} — silver_clicks, page_minute, sessions, user_features");
            AnsiConsole.MarkupLine($"  warehouse (DuckDB): {Markup.Escape(paths.Warehouse)} — table late_events");
        }
        else
        {
            AnsiConsole.MarkupLine($"  warehouse (gold, DuckDB): {Markup.Escape(paths.Warehouse)} — tables page_minute, sessions, user_features, late_events");
        }
        AnsiConsole.MarkupLine($"  log ({(kafka ? "topic clicks.dlq; the input is in Kafka" : "topics clicks, clicks.dlq")}): {Markup.Escape(paths.Log)}");
        // Commands to copy into a shell: plain text (never wrapped, never ANSI) with quoted paths.
        var dir = paths.Root == Path.GetFullPath(DefaultDataDirectory) ? "" : $" --data-dir {ShellQuote(paths.Root)}";
        Console.WriteLine("Try:");
        Console.WriteLine($"  ./sluice query{dir} \"SELECT page, sum(views) AS views FROM page_minute GROUP BY page ORDER BY views DESC\"");
        Console.WriteLine($"  ./sluice query{dir} \"SELECT * FROM user_features ORDER BY spend_10m DESC LIMIT 5\"");
        Console.WriteLine($"  ./sluice query{dir} \"SELECT event_date, hour, count(*) FROM bronze_clicks GROUP BY ALL ORDER BY ALL\"");
        Console.WriteLine($"  ./sluice log consume clicks.dlq --from-beginning --max 3 --data-dir {ShellQuote(paths.Log)}");
        Console.WriteLine("  ./sluice example medallion   # bronze → silver → gold with rules between the layers, the DLQ and a replay after a fix");
    }

    private static DemoLakeFormat LakeFormatOf(string? value) => value == "delta" ? DemoLakeFormat.Delta : DemoLakeFormat.Parquet;

    /// <summary>A POSIX-shell single-quoted word: the shell passes it through literally, whatever it holds.</summary>
    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
