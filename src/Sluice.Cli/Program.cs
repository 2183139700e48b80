using System.CommandLine;
using Sluice.Cli.Bench;
using Sluice.Cli.Chaos;
using Sluice.Cli.Checkpoints;
using Sluice.Cli.Demo;
using Sluice.Cli.Log;

namespace Sluice.Cli;

/// <summary>Entry point of the <c>sluice</c> command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command; returns the process exit code.</summary>
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

    /// <summary>The command tree (also used by tests).</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("Sluice: real-time streaming data platform.")
        {
            DemoCommand.Create(),
            QueryCommand.Create(),
            ChaosCommand.Create(),
            LogCommands.Create(),
            CheckpointsCommand.Create(),
            BenchCommand.Create(NexmarkCommand.Create(), LogBenchCommand.Create(), CheckpointBenchCommand.Create(), KafkaBenchCommand.Create()),
        };
        return root;
    }
}
