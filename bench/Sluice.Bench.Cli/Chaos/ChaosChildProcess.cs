using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>
/// A kill harness's child process: its standard output as a channel of lines (completed when the output ends) and its
/// standard error kept in memory, for the failure message. The harness reads the lines on its own thread; the
/// process's reader threads write them. Dispose after the process exited or was killed.
/// </summary>
internal sealed class ChaosChildProcess : IDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();

    private ChaosChildProcess(Process process)
    {
        Process = process;
    }

    /// <summary>The process.</summary>
    public Process Process { get; }

    /// <summary>The lines the child printed, in order; completed when its output ended.</summary>
    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>What the child wrote to standard error so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="info"/> (which must redirect standard output and error) and begins reading both.</summary>
    /// <param name="info">The child's command line and environment.</param>
    /// <param name="what">The child, for the error when it cannot start ("the CDC chaos child process").</param>
    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    public static ChaosChildProcess Start(ProcessStartInfo info, string what)
    {
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {what}.");
        var child = new ChaosChildProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._stderr)
                {
                    child._stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
            }
            else
            {
                child._lines.Writer.TryWrite(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return child;
    }

    /// <summary>
    /// Runs this assembly's <c>chaos …-run-job</c> child with <paramref name="arguments"/> until it exits, or until it
    /// printed <paramref name="killAfterCheckpoints"/> lines <c>checkpoint N</c> (completed checkpoints), then kills it
    /// (SIGKILL, the whole tree).
    /// </summary>
    /// <param name="arguments">The child's arguments after the assembly ("chaos", "redis-run-job", …).</param>
    /// <param name="environment">Variables to set in the child, or null.</param>
    /// <param name="killAfterCheckpoints">How many completed checkpoints to let it report; int.MaxValue to let it finish.</param>
    /// <param name="what">The child, for errors ("the Delta chaos child").</param>
    /// <exception cref="TimeoutException">The child printed nothing for 60 s (it is killed).</exception>
    public static CheckpointKillOutcome RunUntilCheckpoints(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, int killAfterCheckpoints, string what)
    {
        var path = Environment.ProcessPath;
        var info = new ProcessStartInfo(path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ChaosChildProcess).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var child = Start(info, what);
        var process = child.Process;
        var checkpoints = 0;
        long last = 0;
        while (true)
        {
            string? line;
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                try
                {
                    line = child.Lines.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult() && child.Lines.TryRead(out var read) ? read : null;
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"{what} printed nothing for 60 s (after {checkpoints} checkpoints); killed it.");
                }
            }
            if (line is null)
            {
                process.WaitForExit();
                return new CheckpointKillOutcome(false, process.ExitCode, last, child.Stderr);
            }
            if (line.StartsWith("checkpoint ", StringComparison.Ordinal))
            {
                checkpoints++;
                last = long.Parse(line.AsSpan("checkpoint ".Length), CultureInfo.InvariantCulture);
                if (checkpoints >= killAfterCheckpoints)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                    return new CheckpointKillOutcome(true, process.ExitCode, last, "");
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Process.Dispose();
}

/// <summary>How a child of <see cref="ChaosChildProcess.RunUntilCheckpoints"/> ended.</summary>
/// <param name="Killed">True when the harness killed it; false when it exited by itself.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="LastCheckpoint">The id of the last completed checkpoint it reported (0: none).</param>
/// <param name="Stderr">What it wrote to standard error (empty when killed).</param>
internal sealed record CheckpointKillOutcome(bool Killed, int ExitCode, long LastCheckpoint, string Stderr);
