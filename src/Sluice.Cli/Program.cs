using System.CommandLine;

namespace Sluice.Cli;

/// <summary>Entry point of the <c>sluice</c> command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Sluice: real-time streaming data platform.");
        return root.Parse(args).Invoke();
    }
}
