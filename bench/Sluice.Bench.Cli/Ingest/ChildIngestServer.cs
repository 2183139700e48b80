using System.Diagnostics;

namespace Sluice.Bench.Cli.Ingest;

/// <summary>
/// A Sluice server in a child process (<c>chaos ingest-server</c>, this tool started again): the kill target of
/// <c>chaos ingest</c>, and with <c>bench ingest --server-process</c> the server measured apart from the load generator.
/// Not thread-safe: one owner starts, measures and stops it.
/// </summary>
internal sealed class ChildIngestServer(Process process, Uri address, string token)
{
    /// <summary>The server's base address (loopback, a free port).</summary>
    public Uri Address { get; } = address;

    /// <summary>The server's API token.</summary>
    public string Token { get; } = token;

    /// <summary>Whether the child has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>CPU time (user and system) the child has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Starts a server over <paramref name="dataDirectory"/> and waits (up to 60 s) until it listens.</summary>
    /// <exception cref="TimeoutException">It printed nothing for 60 s (it is killed).</exception>
    /// <exception cref="InvalidOperationException">It exited before listening (the message holds its stderr).</exception>
    public static async Task<ChildIngestServer> StartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Environment.ProcessPath;
        var info = new ProcessStartInfo(path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[typeof(ChildIngestServer).Assembly.Location, "chaos", "ingest-server", "--data-dir", dataDirectory])
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("The ingest server child process did not start.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException("The ingest server child process printed nothing for 60 s; killed it.");
        }
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            throw new InvalidOperationException($"The ingest server child process exited with {process.ExitCode} before listening: {await stderr.ConfigureAwait(false)}");
        }
        var parts = line.Split(' ');
        return new ChildIngestServer(process, new Uri(parts[1]), parts[2]);
    }

    /// <summary>SIGKILL, and waits for the process to be gone.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>
    /// Closes its stdin (it shuts down cleanly) and waits for it up to <paramref name="timeout"/>; a child still running
    /// then is killed, so a hung shutdown never hangs the bench (nor keeps its scratch directory).
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        try
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            Kill();
        }
        finally
        {
            process.Dispose();
        }
    }
}
