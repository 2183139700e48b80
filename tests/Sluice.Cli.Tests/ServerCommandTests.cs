using System.Diagnostics;
using System.Net;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice server</c> as a user runs it: a child process, stopped with SIGTERM.</summary>
public sealed class ServerCommandTests
{
    [Fact]
    public async Task Server_FirstAndSecondStart_PrintsTokenOnceServesAndStopsOnSigterm()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-server-cli-").FullName;
        try
        {
            var (firstOut, firstExit) = await RunUntilHealthyThenTerminateAsync(directory);
            var token = (await File.ReadAllTextAsync(Path.Combine(directory, "server.token"))).Trim();
            firstExit.ShouldBe(0);
            firstOut.ShouldContain($"saved in {Path.Combine(directory, "server.token")}");
            firstOut.ShouldContain(token);
            firstOut.ShouldContain("Stopping the server");

            var (secondOut, secondExit) = await RunUntilHealthyThenTerminateAsync(directory);
            secondExit.ShouldBe(0);
            secondOut.ShouldNotContain(token);
            secondOut.ShouldContain($"API token: in {Path.Combine(directory, "server.token")}.");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Server_ListenNotAnAddress_IsUsageErrorNamingIt()
    {
        var result = CliProcess.Run(null, "server", "--listen", "localhost:80");

        result.ExitCode.ShouldBe(Program.UsageErrorExitCode);
        result.Stderr.ShouldContain("--listen 'localhost:80' is not an IP address");
    }

    [Fact]
    public void Server_OtlpEndpointNotAUri_IsUsageErrorNamingIt()
    {
        var result = CliProcess.Run(null, "server", "--otlp-endpoint", "localhost 4317");

        result.ExitCode.ShouldBe(Program.UsageErrorExitCode);
        result.Stderr.ShouldContain("--otlp-endpoint 'localhost 4317' is not an absolute URI");
    }

    [Fact]
    public void Server_PortOutOfRange_IsUsageErrorNamingIt()
    {
        var result = CliProcess.Run(null, "server", "--port", "70000");

        result.ExitCode.ShouldBe(Program.UsageErrorExitCode);
        result.Stderr.ShouldContain("--port");
    }

    /// <summary>Starts the server on a free port (no PostgreSQL endpoint: 4566 may be taken by a parallel run), waits for its "listening" line, checks /healthz, sends SIGTERM.</summary>
    private static async Task<(string Stdout, int ExitCode)> RunUntilHealthyThenTerminateAsync(string directory)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sluice.dll"), "server", "--data-dir", directory, "--port", "0", "--pg-port", "0" })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            Uri? address = null;
            while (address is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"sluice server exited before listening: {output}{await stderr}");
                output.AppendLine(line);
                const string prefix = "Sluice server listening on ";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    address = new Uri(line[prefix.Length..line.IndexOf(' ', prefix.Length)]);
                }
            }
            IPAddress.IsLoopback(IPAddress.Parse(address.Host)).ShouldBeTrue();
            using (var client = new HttpClient { BaseAddress = address })
            {
                (await client.GetStringAsync("/healthz", timeout.Token)).ShouldBe("ok\n");
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }
            output.Append(await process.StandardOutput.ReadToEndAsync(timeout.Token));
            await process.WaitForExitAsync(timeout.Token);
            return (output.ToString(), process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
