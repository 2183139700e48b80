using System.CommandLine;
using System.Globalization;
using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Running;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench nexmark</c>: runs Nexmark queries on Sluice and the baselines over the same generated events.</summary>
internal static class NexmarkCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var query = new Option<string>("--query") { Description = "Query to run: q0, q1, q2, q3, q4, q5, q7, q8, q11, q12, a comma-separated list, or all.", DefaultValueFactory = _ => "all" }
            .MustSatisfy(q => Parses(q, NexmarkQueries.Parse), "must be q0, q1, q2, q3, q4, q5, q7, q8, q11, q12, a comma-separated list of them, or all");
        var events = new Option<long>("--events") { Description = "Number of events to generate (persons, auctions and bids in the spec's 1:3:46 proportions; at least 1).", DefaultValueFactory = _ => 1_000_000 }
            .MustBeAtLeast(1);
        var parallelism = new Option<int>("--parallelism") { Description = "Sluice subtasks per operator and DuckDB threads (hand-written and Rx are single-threaded; 1 to 256).", DefaultValueFactory = _ => 1 }
            .MustBeBetween(1, 256);
        var engine = new Option<string>("--engine") { Description = "Engine: sluice, sql, handwritten, rx, duckdb, a comma-separated list, or all.", DefaultValueFactory = _ => "all" }
            .MustSatisfy(e => Parses(e, ParseEngines), "must be sluice, sql, handwritten, rx, duckdb, a comma-separated list of them, or all");
        var checkpoint = new Option<double?>("--checkpoint-interval") { Description = "Checkpoint interval in seconds for Sluice jobs (into a temporary directory per run; greater than 0, at most 3600)." }
            .MustBePositive(3600);
        var json = new Option<bool>("--json") { Description = "Print one JSON object per line per (query, engine) instead of a table." };
        var output = new Option<string?>("--out") { Description = "Write the events to DIR/events.jsonl and each engine's sorted results to DIR/<query>.<engine>.jsonl." };
        var stateBackend = new Option<string>("--state-backend") { Description = "Where Sluice jobs keep keyed state: heap or rocksdb (in a temporary directory per run).", DefaultValueFactory = _ => "heap" }
            .MustSatisfy(b => b is "heap" or "rocksdb", "must be heap or rocksdb");
        var seed = new Option<ulong>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 42UL };

        var command = new Command("nexmark", "Nexmark benchmark: Sluice vs hand-written C#, System.Reactive and DuckDB on the same events.");
        foreach (var option in new Option[] { query, events, parallelism, engine, checkpoint, stateBackend, json, output, seed })
        {
            command.Options.Add(option);
        }
        command.SetAction(parseResult =>
        {
            var queries = NexmarkQueries.Parse(parseResult.GetValue(query) ?? "all");
            var engines = ParseEngines(parseResult.GetValue(engine) ?? "all");
            var count = parseResult.GetValue(events);
            var p = parseResult.GetValue(parallelism);
            var interval = parseResult.GetValue(checkpoint);
            var asJson = parseResult.GetValue(json);
            var options = new NexmarkOptions
            {
                Queries = queries,
                Engines = engines,
                Events = count,
                Parallelism = p,
                Seed = parseResult.GetValue(seed),
                CheckpointInterval = interval is { } s ? TimeSpan.FromSeconds(s) : null,
                StateBackend = parseResult.GetValue(stateBackend) == "rocksdb" ? new State.RocksDbStateBackend() : State.HeapStateBackend.Instance,
                OutputDirectory = parseResult.GetValue(output),
                Log = message => Console.Error.WriteLine(message),
            };
            var results = NexmarkRunner.Run(options);
            if (asJson)
            {
                foreach (var r in results)
                {
                    Console.Out.WriteLine(r.ToJson());
                }
            }
            else
            {
                AnsiConsole.Write(Table(results));
            }
            return 0;
        });
        return command;
    }

    /// <summary>True when <paramref name="parse"/> accepts <paramref name="text"/> and names at least one item.</summary>
    private static bool Parses<T>(string text, Func<string, IReadOnlyList<T>> parse)
    {
        try
        {
            return parse(text).Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static IReadOnlyList<NexmarkEngine> ParseEngines(string text)
    {
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return [NexmarkEngine.Sluice, NexmarkEngine.Sql, NexmarkEngine.Handwritten, NexmarkEngine.Rx, NexmarkEngine.DuckDb];
        }
        var result = new List<NexmarkEngine>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<NexmarkEngine>(part, ignoreCase: true, out var e) || !Enum.IsDefined(e))
            {
                throw new ArgumentException($"Unknown engine '{part}': use sluice, sql, handwritten, rx, duckdb or all.");
            }
            result.Add(e);
        }
        return result;
    }

    private static Table Table(IReadOnlyList<NexmarkResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "query", "engine", "events/s/core", "events/s", "seconds", "cpu s", "alloc MB", "peak MB", "rows", "checksum", "vs sluice", "vs Flink/core" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (var r in results)
        {
            var sluice = results.FirstOrDefault(x => x.Query == r.Query && x.Engine == NexmarkEngine.Sluice);
            var vsSluice = sluice is null || r.Engine == NexmarkEngine.Sluice || r.EventsPerCoreSecond == 0
                ? ""
                : (sluice.EventsPerCoreSecond / r.EventsPerCoreSecond).ToString("F2", CultureInfo.InvariantCulture) + "×";
            var flink = r.Query.FlinkPublishedPerCore() is { } f ? (r.EventsPerCoreSecond / f).ToString("F1", CultureInfo.InvariantCulture) + "×" : "n/a";
            var agrees = sluice is null || r.Query == NexmarkQuery.Q12 || sluice.Checksum == r.Checksum ? "" : " [red]≠[/]";
            table.AddRow(
                r.Query.Name(),
                NexmarkRunner.Name(r.Engine),
                r.EventsPerCoreSecond.ToString("N0", CultureInfo.InvariantCulture),
                r.EventsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                r.Seconds.ToString("F3", CultureInfo.InvariantCulture),
                r.CpuSeconds.ToString("F3", CultureInfo.InvariantCulture),
                (r.AllocBytes / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                r.PeakMb.ToString("F0", CultureInfo.InvariantCulture),
                r.Results.ToString("N0", CultureInfo.InvariantCulture),
                r.ChecksumHex[..8] + agrees,
                vsSluice,
                flink);
        }
        table.Caption("vs sluice = Sluice's events/s/core ÷ this engine's; vs Flink/core = events/s/core ÷ Flink 1.13's published per-core figure (nexmark GUIDE_V1)");
        return table;
    }
}
