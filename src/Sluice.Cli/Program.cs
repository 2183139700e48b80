using System.CommandLine;
using Sluice.Cli.Checkpoints;
using Sluice.Cli.Connectors;
using Sluice.Cli.Dags;
using Sluice.Cli.Delta;
using Sluice.Cli.Demo;
using Sluice.Cli.Dlq;
using Sluice.Cli.Jobs;
using Sluice.Cli.Log;
using Sluice.Cli.Models;
using Sluice.Cli.Quality;
using Sluice.Cli.Registry;
using Sluice.Cli.Server;
using Sluice.Cli.Sql;

namespace Sluice.Cli;

/// <summary>
/// Entry point of the <c>sluice</c> command (exit codes and error reporting: <see cref="CommandLineHost"/>). The
/// benchmarks and the kill harness are not part of it: they live in the repository's <c>sluice-bench</c> tool
/// (bench/Sluice.Bench.Cli), which <c>./sluice bench …</c> and <c>./sluice chaos …</c> run.
/// </summary>
internal static class Program
{
    /// <summary>Exit code of a command line that does not parse or whose option values are out of range.</summary>
    public const int UsageErrorExitCode = CommandLineHost.UsageErrorExitCode;

    /// <summary>Parses the command line and runs the chosen command; returns the process exit code.</summary>
    public static int Main(string[] args) => CommandLineHost.Run(BuildRoot(), args);

    /// <summary>The command tree (also used by tests).</summary>
    internal static SluiceRootCommand BuildRoot()
    {
        var root = new SluiceRootCommand("Sluice: real-time streaming data platform.")
        {
            DemoCommand.Create(),
            ExampleCommands.ExampleCommand.Create(),
            QueryCommand.Create(),
            LogCommands.Create(),
            DlqCommand.Create(),
            QualityCommand.Create(),
            CheckpointsCommand.Create(),
            ConnectorsCommand.Create(),
            SqlCommand.Create(),
            ServerCommand.Create(),
            JobsCommand.Create(),
            ModelsCommand.Create(),
            DagsCommand.Create(),
            RegistryCommand.Create(),
            DeltaCommand.Create(),
            BenchToolPointer.Create("bench", "Benchmarks: in the sluice-bench tool of the Sluice repository (./sluice bench … in a clone).",
                "Benchmarks live in the sluice-bench tool of the Sluice repository: run ./sluice bench … in a clone of it."),
            BenchToolPointer.Create("chaos", "The kill harness: in the sluice-bench tool of the Sluice repository (./sluice chaos … in a clone).",
                "The kill harness lives in the sluice-bench tool of the Sluice repository: run ./sluice chaos … in a clone of it."),
        };
        root.Options.Add(CommandLineHost.Verbose);
        return root;
    }
}
