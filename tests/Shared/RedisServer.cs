using System.Diagnostics;
using System.Globalization;

namespace Sluice.Tests.Shared;

/// <summary>
/// A real Redis server for tests: the Debian <c>redis-server</c> started on a free loopback port (bound to 127.0.0.1,
/// no persistence, its directory a temporary one) with a password, and killed and removed on dispose.
/// <c>./test.sh</c> installs the package; when it is missing, <see cref="StartAsync"/> fails saying so (a test never
/// silently passes without its server). Start one per test class or collection; a start takes a few milliseconds.
/// </summary>
public sealed class RedisServer : IAsyncDisposable, IDisposable
{
    /// <summary>The password every test connects with.</summary>
    public const string Password = "sluice-test-redis-password";

    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server, with the password.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},password={Password}");

    /// <summary>Starts a server; returns once it logs that it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or it exited before it was ready (the message holds its output).</exception>
    public static async Task<RedisServer> StartAsync()
    {
        const string binary = "/usr/bin/redis-server";
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException("These tests need redis-server from the Debian package 'redis-server'. ./test.sh installs it; or run: apt-get install redis-server");
        }
        var directory = Path.Combine(Path.GetTempPath(), "sluice-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = LoopbackPort.Free();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory, "--requirepass", Password, "--daemonize", "no", "--loglevel", "notice" })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server exited before it was ready:\n{output}"));
                return;
            }
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, port);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
