using System.CommandLine;
using Sluice.Benchmarks.Redis;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench lookup [--events N] [--hot-users N] [--runs N] [--configuration C] [--json]</c>: an async lookup join into Redis (≈90 % cache hits) against raw batched HGETALLs, in one run.</summary>
internal static class LookupBenchCommand
{
    /// <summary>Builds the <c>lookup</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var events = new Option<int>("--events") { Description = "Events per run and case (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var hot = new Option<int>("--hot-users") { Description = "Users looked up by 9 events in 10 (at least 1).", DefaultValueFactory = _ => 1_000 }.MustBeAtLeast(1);
        var runs = new Option<int>("--runs") { Description = "Runs per case, alternating; the fastest is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var configuration = new Option<string?>("--configuration") { Description = "A StackExchange.Redis configuration of a server to use (default: start a private redis-server)." };
        var command = new Command("lookup", "Benchmark an async lookup join (LookupAsync) into Redis with a ~90 % cache hit rate against raw batched, pipelined HGETALLs of the same keys.") { json, events, hot, runs, configuration };
        command.SetAction(r =>
        {
            var results = RedisLookupBenchmark.Run(new RedisLookupBenchmarkOptions
            {
                Events = r.GetValue(events),
                HotUsers = r.GetValue(hot),
                Runs = r.GetValue(runs),
                Configuration = r.GetValue(configuration),
            });
            return CaseReport.Print([.. results.Select(static x => new BenchCase(x.Case, x.Events, x.Seconds, x.HitRate))], r.GetValue(json), "events");
        });
        return command;
    }
}
