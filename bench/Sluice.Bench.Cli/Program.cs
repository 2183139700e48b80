using System.CommandLine;
using Sluice.Bench.Cli.Chaos;
using Sluice.Bench.Cli.Ingest;
using Sluice.Bench.Cli.Suites;
using Sluice.Cli;

namespace Sluice.Bench.Cli;

/// <summary>
/// Entry point of <c>sluice-bench</c>, the repository's tool for measurements and the kill harness: <c>bench …</c>
/// (BenchmarkDotNet suites, Nexmark, state, checkpoints, Kafka, log) and <c>chaos …</c>. The <c>./sluice</c> script
/// runs it for <c>./sluice bench …</c> and <c>./sluice chaos …</c>, so its commands read as <c>sluice</c> commands;
/// exit codes and error reporting are the <c>sluice</c> tool's (<see cref="CommandLineHost"/>). Not packed: it
/// ships BenchmarkDotNet, the baselines and the test support the <c>sluice</c> tool must not.
/// </summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command; returns the process exit code.</summary>
    public static int Main(string[] args) => CommandLineHost.Run(BuildRoot(), args);

    /// <summary>The command tree (also used by tests).</summary>
    internal static SluiceRootCommand BuildRoot()
    {
        var root = new SluiceRootCommand("Sluice benchmarks and kill harness (run as ./sluice bench … and ./sluice chaos …).")
        {
            ChaosCommand.Create(),
            BenchCommand.Create(NexmarkCommand.Create(), LogBenchCommand.Create(), CheckpointBenchCommand.Create(), KafkaBenchCommand.Create(), StateBenchCommand.Create(), FilesBenchCommand.Create(), IngestBenchCommand.Create(), PostgresBenchCommand.Create(), PostgresCdcBenchCommand.Create(), RedisBenchCommand.Create(), LookupBenchCommand.Create(), FreshnessBenchCommand.Create(), ScoreBenchCommand.Create(), PgWireBenchCommand.Create(), MaterializedViewBenchCommand.CreateFreshness(), MaterializedViewBenchCommand.CreateLoad(), DeltaMergeBenchCommand.Create(), DeltaBenchCommand.Create(), DeltaUpsertBenchCommand.Create()),
        };
        root.Options.Add(CommandLineHost.Verbose);
        return root;
    }
}
