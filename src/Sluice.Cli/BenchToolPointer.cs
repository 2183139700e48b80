using System.CommandLine;

namespace Sluice.Cli;

/// <summary>
/// <c>sluice bench</c> and <c>sluice chaos</c> in the installed tool: the benchmarks (with BenchmarkDotNet) and the
/// kill harness ship in the repository's <c>sluice-bench</c> tool, not in this one. The command accepts any arguments
/// and fails with one sentence saying where to run it (exit code 1).
/// </summary>
internal static class BenchToolPointer
{
    public static Command Create(string name, string description, string sentence)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(int (_) => throw new CommandFailedException(sentence));
        return command;
    }
}
