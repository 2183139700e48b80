using System.CommandLine;
using Sluice.Benchmarks;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench</c>: the project's measurements (see docs/benchmarks.md for recorded figures).</summary>
internal static class BenchCommand
{
    public static Command Create(params Command[] suites)
    {
        var command = new Command("bench", "Measure Sluice: micro-benchmarks and end-to-end suites.");
        command.Subcommands.Add(Micro());
        foreach (var suite in suites)
        {
            command.Subcommands.Add(suite);
        }
        return command;
    }

    private static Command Micro()
    {
        var quick = new Option<bool>("--quick") { Description = "BenchmarkDotNet ShortRun (fewer iterations)." };
        var filter = new Option<string>("--filter") { Description = "BenchmarkDotNet filter, e.g. '*Chained*'.", DefaultValueFactory = _ => "*" };
        var command = new Command("micro", "BenchmarkDotNet suites (in-process): per-record cost and allocation of engine hot paths.") { quick, filter };
        command.SetAction(parse => EngineBenchmarkRunner.Run(["--filter", parse.GetValue(filter)!], parse.GetValue(quick)));
        return command;
    }
}
