using System.Diagnostics;
using System.Globalization;

namespace Sluice.Server.Tests.PgWire;

/// <summary>Runs Debian's psql as a child process against a loopback endpoint and returns its exit code and output.</summary>
internal static class PsqlRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(int port, string user, string password, params string[] args)
    {
        var info = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", "sluice" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PGPASSWORD"] = password;
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        info.Environment["PGSSLMODE"] = "prefer";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"psql {string.Join(' ', args)} did not finish in 30 s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
