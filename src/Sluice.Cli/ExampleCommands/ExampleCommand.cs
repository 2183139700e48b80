using System.CommandLine;
using System.Globalization;
using Sluice.Examples.Decision;
using Sluice.Examples.Medallion;
using Sluice.Examples.Orders;
using Spectre.Console;

namespace Sluice.Cli.ExampleCommands;

/// <summary>
/// <c>sluice example medallion</c>: the medallion example (examples/Sluice.Examples/Medallion) — topic <c>orders</c> →
/// bronze lake → silver (parse, rules, dedup; quarantine in <c>orders.dlq</c>) → gold — then the count of every layer
/// and the DLQ's summary. Run again with <c>--parser 2</c> after <c>sluice dlq replay</c>: it resumes from its last
/// checkpoint and reads only the replayed records.
/// </summary>
internal static class ExampleCommand
{
    /// <summary>The default data directory, relative to the working directory.</summary>
    public const string DefaultDataDirectory = ".sluice-data/medallion";

    public static Command Create()
    {
        var lines = new Option<int>("--lines") { Description = "Input lines generated into topic orders (once per data directory).", DefaultValueFactory = _ => 100_000 }.MustBeAtLeast(1);
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 42 };
        var dataDir = new Option<string>("--data-dir") { Description = $"Where the log, lake, warehouse and checkpoints live (default {DefaultDataDirectory}).", DefaultValueFactory = _ => DefaultDataDirectory };
        var parser = new Option<int>("--parser")
        {
            Description = "Silver's parser version: 1, or 2 (the fix: it also reads amounts written as decimal strings, which version 1 quarantines).",
            DefaultValueFactory = _ => 1,
        }.MustBeBetween(1, 2);
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks per operator (1 to 256).", DefaultValueFactory = _ => 2 }.MustBeBetween(1, 256);
        var medallion = new Command("medallion", "Run the medallion example: orders → bronze lake → silver (parse, rules, dedup, DLQ) → gold; print each layer's count and the DLQ summary.")
        {
            lines, seed, dataDir, parser, parallelism,
        };
        medallion.SetAction(async (parse, cancellationToken) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dataDir)!);
            var options = new MedallionOptions(parse.GetValue(lines), parse.GetValue(seed), directory, parse.GetValue(parser), parse.GetValue(parallelism));
            Console.WriteLine($"Sluice medallion example: {options.Lines:N0} lines, seed {options.Seed}, parser version {options.ParserVersion}, data in {directory}");
            var (_, result) = await MedallionExample.RunAsync(options, cancellationToken);
            Print(MedallionExample.ReadLayers(new MedallionPaths(directory)), result, directory);
            return 0;
        });
        return new Command("example", "Run an example pipeline of the repository.") { medallion, DecisionCommand(), OrdersCommand() };
    }

    private static void Print(MedallionLayers layers, JobResult result, string directory)
    {
        // bronze = silver + DLQ + duplicates + DROP-rule drops, exactly (MedallionTests pins it): a replayed record's
        // copy is in bronze and silver while its letter stays in the DLQ, so replays keep the identity.
        var accounted = layers.Bronze - layers.Silver - layers.DeadLetters.Records - layers.Duplicates;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("layer", "records");
        table.Columns[1].RightAligned();
        table.AddRow("bronze: every record of topic orders (lake/bronze_orders)", N(layers.Bronze));
        table.AddRow("silver: parsed, valid, unique (silver_orders)", N(layers.Silver));
        table.AddRow("  quarantined (topic orders.dlq)", N(layers.DeadLetters.Records));
        table.AddRow("  dropped: duplicates (silver_duplicates)", N(layers.Duplicates));
        table.AddRow("  dropped: rule not_a_test_order (DROP)", N(accounted));
        table.AddRow("gold: countries (gold_country_revenue)", N(layers.Gold.Count));
        table.AddRow("gold: orders in the totals", N(layers.Gold.Sum(g => g.Orders)));
        AnsiConsole.Write(table);
        var dlq = new Table().Border(TableBorder.Rounded).Title("orders.dlq").AddColumns("kind / rule", "records");
        dlq.Columns[1].RightAligned();
        foreach (var kind in layers.DeadLetters.Kinds)
        {
            dlq.AddRow(Markup.Escape(kind.Name), N(kind.Count));
        }
        foreach (var rule in layers.DeadLetters.Rules)
        {
            dlq.AddRow(Markup.Escape("  rule " + rule.Name), N(rule.Count));
        }
        AnsiConsole.Write(dlq);
        if (result.RestoredCheckpointId > 0)
        {
            Console.WriteLine($"Resumed from checkpoint #{result.RestoredCheckpointId}: this run read only the records appended since (the layers above hold everything).");
        }
        var log = Path.Combine(directory, "log");
        Console.WriteLine("Try:");
        Console.WriteLine($"  ./sluice dlq stats orders --data-dir {log}");
        Console.WriteLine($"  ./sluice dlq replay orders --kind schema --data-dir {log}   # after the fix: parser version 2");
        Console.WriteLine($"  ./sluice example medallion --parser 2 --data-dir {directory}");
    }

    /// <summary>
    /// <c>sluice example decision</c>: the decision path (examples/Sluice.Examples/Decision) — a server on 127.0.0.1, the
    /// generated transactions posted to its HTTP ingest, the pipeline writing features and decisions to Redis — then the
    /// verdicts and a few users' answers of <c>GET /api/decide/{user}</c>; with <c>--serve</c> it keeps serving.
    /// </summary>
    private static Command DecisionCommand()
    {
        var transactions = new Option<int>("--transactions") { Description = "Transactions generated and posted to POST /ingest/transactions.", DefaultValueFactory = _ => 20_000 }.MustBeAtLeast(1);
        var users = new Option<int>("--users") { Description = "Distinct users (card holders).", DefaultValueFactory = _ => 500 }.MustBeAtLeast(1);
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 42 };
        var redis = new Option<string>("--redis") { Description = "The feature store: a StackExchange.Redis configuration, host:port[,password=…].", DefaultValueFactory = _ => "127.0.0.1:6379" };
        var dataDir = new Option<string>("--data-dir") { Description = "Where the server's data and the job's checkpoints live.", DefaultValueFactory = _ => ".sluice-data/decision" };
        var port = new Option<int>("--port") { Description = "The server's port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0 }.MustBeBetween(0, 65535);
        var serve = new Option<bool>("--serve") { Description = "Keep the server and the job running after the run (Ctrl+C stops them), to try GET /api/decide/{user} and more ingest." };
        var decision = new Command("decision", "Run the decision path: HTTP ingest → features per user over the last 10 minutes → Redis → score and decide → Redis; GET /api/decide/{user}.")
        {
            transactions, users, seed, redis, dataDir, port, serve,
        };
        decision.SetAction(async (parse, cancellationToken) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dataDir)!);
            var input = DecisionInput.Generate(parse.GetValue(transactions), parse.GetValue(users), parse.GetValue(seed));
            var configuration = parse.GetValue(redis)!;
            Console.WriteLine($"Sluice decision example: {input.Count:N0} transactions of {parse.GetValue(users):N0} users, Redis at {RedisEndpoints(configuration)}, data in {directory}");
            await using var host = await DecisionHost.StartAsync(new DecisionOptions(directory, configuration, parse.GetValue(port)), cancellationToken);
            Console.WriteLine($"Server at {host.Address} (ingest needs the token in {Path.Combine(directory, "server", "server.token")}).");
            Console.WriteLine($"Scoring with {host.ModelPath} (ONNX, trained with ML.NET on the pipeline's {DecisionModel.FeatureCount} features: {string.Join(", ", DecisionModel.Features)}).");
            var started = System.Diagnostics.Stopwatch.StartNew();
            if (host.RecordsAtStart == 0)
            {
                await host.IngestAsync(input, cancellationToken: cancellationToken);
                Console.WriteLine($"Posted {input.Count:N0} transactions to POST /ingest/transactions in {started.Elapsed.TotalSeconds:F1} s.");
            }
            else
            {
                Console.WriteLine($"Topic transactions already holds {host.RecordsAtStart:N0} records: posting nothing (the job resumes from its last checkpoint).");
            }
            if (!await host.WaitUntilDecidedAsync(input, TimeSpan.FromMinutes(5), cancellationToken))
            {
                Console.Error.WriteLine("The pipeline did not decide every user's latest transaction within 5 minutes.");
                return 1;
            }
            Console.WriteLine($"Every user's latest transaction decided in Redis {started.Elapsed.TotalSeconds:F1} s after the first post.");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("GET /api/decide/{user}", "status", "answer");
            foreach (var user in input.Select(t => t.UserId).Distinct().Take(5).Append("nobody"))
            {
                var (status, body) = await host.DecideAsync(user, cancellationToken);
                table.AddRow(Markup.Escape(user), status.ToString(CultureInfo.InvariantCulture), Markup.Escape(body));
            }
            AnsiConsole.Write(table);
            Console.WriteLine("Try:");
            Console.WriteLine($"  curl {host.Address}api/decide/{input[^1].UserId}");
            Console.WriteLine($"  redis-cli HGETALL user:{input[^1].UserId}");
            if (parse.GetValue(serve))
            {
                Console.WriteLine("Serving; Ctrl+C stops the job and the server.");
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            return 0;
        });
        return decision;
    }

    /// <summary>
    /// <c>sluice example orders</c>: CDC of a PostgreSQL <c>orders</c> table (examples/Sluice.Examples/Orders), enriched
    /// with the customers' regions, aggregated per region into DuckDB and back into a PostgreSQL summary table; prints
    /// both sinks next to the summary PostgreSQL computes from the source tables. Without <c>--connection</c> it starts
    /// a private cluster from the Debian <c>postgresql</c> package, and fails saying what to pass when there is none.
    /// </summary>
    private static Command OrdersCommand()
    {
        var orders = new Option<int>("--orders") { Description = "Orders generated: half before the job starts (snapshot), half while it runs, then about one update, delete or customer move per three orders.", DefaultValueFactory = _ => 10_000 }.MustBeAtLeast(1);
        var customers = new Option<int>("--customers") { Description = "Customers generated.", DefaultValueFactory = _ => 200 }.MustBeAtLeast(1);
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 42 };
        var connection = new Option<string?>("--connection")
        {
            Description = $"An Npgsql connection string of a PostgreSQL server with wal_level=logical, as a role with REPLICATION that may create schema {OrdersExample.Schema} (dropped and recreated). Default: a private cluster from the postgresql package.",
        };
        var dataDir = new Option<string>("--data-dir") { Description = "Where the DuckDB file and the checkpoints live (cleared at the start).", DefaultValueFactory = _ => ".sluice-data/orders" };
        var command = new Command("orders", "Run the orders example: PostgreSQL CDC of orders and customers → enrich → aggregate per region → DuckDB and a PostgreSQL summary table.")
        {
            orders, customers, seed, connection, dataDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dataDir)!);
            var given = parse.GetValue(connection);
            LocalPostgresCluster? cluster = null;
            if (given is null)
            {
                var binaries = LocalPostgresCluster.FindBinaries()
                    ?? throw new CommandFailedException("sluice example orders needs PostgreSQL: pass --connection 'Host=…;Username=…;Password=…;Database=…' (a server with wal_level=logical, a role with REPLICATION), or install the Debian package postgresql (15 or later) to let it start a private cluster.");
                Console.WriteLine($"Starting a private PostgreSQL cluster ({binaries})…");
                cluster = await LocalPostgresCluster.StartAsync(binaries, cancellationToken);
            }
            await using (cluster)
            {
                var options = new OrdersOptions(given ?? cluster!.ConnectionString, directory, parse.GetValue(orders), parse.GetValue(customers), parse.GetValue(seed));
                Console.WriteLine($"Sluice orders example: {options.Orders:N0} orders of {options.Customers:N0} customers, seed {options.Seed}, data in {directory}");
                var run = await OrdersExample.RunAsync(options, cancellationToken: cancellationToken);
                var table = new Table().Border(TableBorder.Rounded).AddColumns("region", "DuckDB region_revenue", "PostgreSQL order_summary", "computed from the source tables");
                foreach (var region in run.Source.Select(s => s.Region).Union(run.DuckDb.Select(d => d.Region)).Union(run.Postgres.Select(p => p.Region)).Order(StringComparer.Ordinal))
                {
                    table.AddRow(Markup.Escape(region), Cell(run.DuckDb, region), Cell(run.Postgres, region), Cell(run.Source, region));
                }
                AnsiConsole.Write(table);
                var equal = run.DuckDb.SequenceEqual(run.Source) && run.Postgres.SequenceEqual(run.Source);
                Console.WriteLine(equal
                    ? $"Both sinks equal the source's summary ({run.Workload.Changes.Count:N0} changes streamed after a snapshot of {run.Workload.InitialOrders.Count:N0} orders; {run.DuckDbJob.CheckpointsCompleted} + {run.PostgresJob.CheckpointsCompleted} checkpoints)."
                    : "The sinks differ from the source's summary.");
                return equal ? 0 : 1;
            }
        });
        return command;

        static string Cell(IReadOnlyList<RegionSummary> rows, string region) =>
            rows.FirstOrDefault(r => r.Region == region) is { } r ? $"{N(r.Orders)} orders, {(r.RevenueCents / 100m).ToString("N2", CultureInfo.InvariantCulture)}" : "-";
    }

    /// <summary>The endpoints of a Redis configuration, for messages: never its password.</summary>
    private static string RedisEndpoints(string configuration) =>
        string.Join(", ", StackExchange.Redis.ConfigurationOptions.Parse(configuration, ignoreUnknown: true).EndPoints);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
