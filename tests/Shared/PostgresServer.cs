using System.Diagnostics;
using System.Globalization;

namespace Sluice.Tests.Shared;

/// <summary>
/// A real PostgreSQL server for tests: a fresh cluster from the Debian <c>postgresql</c> package's <c>initdb</c> in a
/// temporary directory, started with <c>wal_level=logical</c> and <c>max_prepared_transactions=64</c> on a free loopback port (TCP on 127.0.0.1 only, the Unix
/// socket in the temporary directory), password authentication (scram-sha-256) for a superuser with REPLICATION, and
/// removed with everything in it on dispose. <c>./test.sh</c> installs the package; when it is missing,
/// <see cref="StartAsync"/> fails saying so (a test never silently passes without its server). PostgreSQL refuses to
/// run as root: under root the server runs as the package's <c>postgres</c> user.
/// Use one per test class or collection (<c>IClassFixture</c>); each start costs about a second.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable, IDisposable
{
    /// <summary>The superuser every test connects as.</summary>
    public const string User = "sluice";

    /// <summary>The superuser's password.</summary>
    public const string Password = "sluice-test-password";

    private readonly string _directory;
    private readonly string _binaries;
    private readonly bool _asPostgresUser;
    private bool _stopped;

    private PostgresServer(string directory, string binaries, bool asPostgresUser, int port)
    {
        _directory = directory;
        _binaries = binaries;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string for database <paramref name="database"/> as <see cref="User"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database={database}");

    /// <summary>Creates and starts a cluster; returns once it accepts connections (<c>pg_ctl -w</c>).</summary>
    /// <param name="walLevel">The server's <c>wal_level</c>: <c>logical</c>, or <c>replica</c> to test the errors of a server without logical decoding.</param>
    /// <param name="maxPreparedTransactions">The server's <c>max_prepared_transactions</c>: the PostgreSQL sink appends through prepared transactions when it is above 0; 0 tests its staging fallback.</param>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed, or the cluster did not start (the message holds its log).</exception>
    public static async Task<PostgresServer> StartAsync(string walLevel = "logical", int maxPreparedTransactions = 64)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The PostgreSQL test server runs the Debian package's binaries (Linux).");
        }
        var binaries = FindBinaries();
        var asPostgresUser = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "sluice-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        if (asPostgresUser)
        {
            // The server's own user must create the data directory, the socket and the log in it.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }
        var server = new PostgresServer(directory, binaries, asPostgresUser, LoopbackPort.Free());
        try
        {
            var passwordFile = Path.Combine(directory, "pwfile");
            await File.WriteAllTextAsync(passwordFile, Password);
            File.SetUnixFileMode(passwordFile, (UnixFileMode)0b110_100_100);
            await server.RunAsync("initdb", "-D", server.DataDirectory, "-U", User, "--pwfile", passwordFile,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
            File.Delete(passwordFile);
            var options = string.Create(CultureInfo.InvariantCulture,
                $"-c listen_addresses=127.0.0.1 -p {server.Port} -k {directory} -c wal_level={walLevel} -c max_replication_slots=64 -c max_wal_senders=32 -c max_prepared_transactions={maxPreparedTransactions} -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            await server.RunAsync("pg_ctl", "-D", server.DataDirectory, "-l", Path.Combine(directory, "server.log"), "-o", options, "-w", "-t", "60", "start");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Stops the server immediately and deletes the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(_asPostgresUser ? "runuser" : Path.Combine(_binaries, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_asPostgresUser)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("postgres");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(Path.Combine(_binaries, tool));
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_directory, "server.log");
            throw new InvalidOperationException(
                $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}{await stderr}" +
                (File.Exists(log) ? "\nserver log:\n" + await File.ReadAllTextAsync(log) : ""));
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var binaries = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(d => d.Version >= 15 && File.Exists(Path.Combine(d.Directory, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Directory, "bin"))
                .FirstOrDefault()
            : null;
        return binaries ?? throw new InvalidOperationException(
            "These tests need PostgreSQL 15 or later from the Debian package 'postgresql' (not found under /usr/lib/postgresql). ./test.sh installs it; or run: apt-get install postgresql");
    }
}
