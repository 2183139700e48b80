using System.Diagnostics;

namespace Sluice.Server.Tests.Metrics;

/// <summary>Runs Prometheus' <c>promtool</c> (<c>/usr/bin/promtool</c>, installed by test.sh) and returns its exit code and output.</summary>
internal static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>Runs promtool with <paramref name="arguments"/> in <paramref name="workingDirectory"/>, feeding <paramref name="stdin"/>; waits at most a minute.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string? stdin = null, string? workingDirectory = null)
    {
        File.Exists(Path).ShouldBeTrue($"{Path} is missing: install it with 'apt-get install prometheus' (test.sh does).");
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
