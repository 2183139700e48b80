using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Sluice.Examples.Orders;

/// <summary>
/// A private PostgreSQL cluster for the orders example when no server is given: <c>initdb</c> of the Debian
/// <c>postgresql</c> package (version 15 or later) in a temporary directory, started with <c>wal_level=logical</c> and
/// <c>max_prepared_transactions=16</c> on a free port of 127.0.0.1 only, a superuser <c>sluice</c> with a random
/// password; stopped and deleted on dispose. Under root the server runs as the package's <c>postgres</c> user
/// (PostgreSQL refuses to run as root).
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string User = "sluice";
    private readonly string _directory;
    private readonly string _binaries;
    private readonly string _password;
    private bool _stopped;

    private LocalPostgresCluster(string directory, string binaries, string password, int port)
    {
        _directory = directory;
        _binaries = binaries;
        _password = password;
        Port = port;
    }

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string of database <c>postgres</c> as the superuser.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={User};Password={_password};Database=postgres");

    /// <summary>The directory of the newest installed PostgreSQL (15 or later) binaries, or null when none is installed.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(d => d.Version >= 15 && File.Exists(Path.Combine(d.Directory, "bin", "initdb")))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "bin"))
            .FirstOrDefault();
    }

    /// <summary>Creates and starts a cluster with the binaries in <paramref name="binaries"/>; returns once it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">A tool failed (the message holds its output and the server's log).</exception>
    public static async Task<LocalPostgresCluster> StartAsync(string binaries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binaries);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The private PostgreSQL cluster runs the Debian package's binaries (Linux).");
        }
        var directory = Path.Combine(Path.GetTempPath(), "sluice-example-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        // Under root the server runs as user postgres, which must create its files here: world-writable with the sticky
        // bit (as /tmp), so nobody can rename or replace another's file. Otherwise the owner's alone.
        var asRoot = Environment.UserName == "root";
        File.SetUnixFileMode(directory, asRoot ? (UnixFileMode)0b1_111_111_111 : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var cluster = new LocalPostgresCluster(directory, binaries, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), port);
        try
        {
            var passwordFile = Path.Combine(directory, "pwfile");
            await File.WriteAllTextAsync(passwordFile, cluster._password, cancellationToken).ConfigureAwait(false);
            // Readable by initdb only: under root it runs as postgres, so the file is readable for the moment initdb runs.
            File.SetUnixFileMode(passwordFile, asRoot ? (UnixFileMode)0b110_100_100 : UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await cluster.RunAsync(cancellationToken, "initdb", "-D", cluster.DataDirectory, "-U", User, "--pwfile", passwordFile,
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").ConfigureAwait(false);
            File.Delete(passwordFile);
            var options = string.Create(CultureInfo.InvariantCulture,
                $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c wal_level=logical -c max_prepared_transactions=16 -c max_replication_slots=8 -c max_wal_senders=8");
            await cluster.RunAsync(cancellationToken, "pg_ctl", "-D", cluster.DataDirectory, "-l", cluster.LogFile, "-o", options, "-w", "-t", "60", "start").ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogFile => Path.Combine(_directory, "server.log");

    /// <summary>Stops the server and deletes the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunAsync(CancellationToken.None, "pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "stop").ConfigureAwait(false);
        }
        Directory.Delete(_directory, recursive: true);
    }

    private async Task RunAsync(CancellationToken cancellationToken, string tool, params string[] args)
    {
        var asPostgresUser = Environment.UserName == "root";
        var info = new ProcessStartInfo(asPostgresUser ? "runuser" : Path.Combine(_binaries, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", Path.Combine(_binaries, tool) })
            {
                info.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = File.Exists(LogFile) ? "\nserver log:\n" + await File.ReadAllTextAsync(LogFile, cancellationToken).ConfigureAwait(false) : "";
            throw new InvalidOperationException($"{tool} exited with {process.ExitCode}:\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}{log}");
        }
    }
}
