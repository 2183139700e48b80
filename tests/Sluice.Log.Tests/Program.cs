using Sluice.Log.Tests.Crash;

namespace Sluice.Log.Tests;

/// <summary>Entry point used only when a crash test runs this assembly as a child process.</summary>
public static class Program
{
    public static int Main(string[] args) =>
        args.Length > 0 && args[0] == "append-child" ? AppendChild.Run(args[1..]) : 2;
}
