using System.CommandLine;
using Sluice.Benchmarks.Redis;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench redis [--records N] [--entities N] [--runs N] [--configuration C] [--json]</c>: the Redis feature-store sink against a raw pipelined StackExchange.Redis loop, in one run.</summary>
internal static class RedisBenchCommand
{
    /// <summary>Builds the <c>redis</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var records = new Option<int>("--records") { Description = "Feature updates per run and case (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var entities = new Option<int>("--entities") { Description = "Distinct entities updated (at least 1).", DefaultValueFactory = _ => 100_000 }.MustBeAtLeast(1);
        var runs = new Option<int>("--runs") { Description = "Runs per case, alternating; the fastest is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var configuration = new Option<string?>("--configuration") { Description = "A StackExchange.Redis configuration of a server to use (default: start a private redis-server)." };
        var command = new Command("redis", "Benchmark the Redis feature-store sink against a raw pipelined StackExchange.Redis HSET loop doing the same writes.") { json, records, entities, runs, configuration };
        command.SetAction(r =>
        {
            var results = RedisSinkBenchmark.Run(new RedisSinkBenchmarkOptions
            {
                Records = r.GetValue(records),
                Entities = r.GetValue(entities),
                Runs = r.GetValue(runs),
                Configuration = r.GetValue(configuration),
            });
            return CaseReport.Print([.. results.Select(static x => new BenchCase(x.Case, x.Records, x.Seconds, ServerCpuSeconds: x.ServerCpuSeconds, ClientCpuSeconds: x.ClientCpuSeconds))], r.GetValue(json), "records",
                ("sink", "raw pipelined HSET", "sink ÷ raw throughput"));
        });
        return command;
    }
}
