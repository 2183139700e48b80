using System.Diagnostics;
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

    /// <inheritdoc />
    public void Dispose() => Process.Dispose();
}
