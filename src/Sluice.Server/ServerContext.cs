using Microsoft.Extensions.Logging;
using Sluice.Connectors;
using Sluice.Connectors.Log;
using Sluice.IO;
using Sluice.Log;
using Sluice.Server.Security;

namespace Sluice.Server;

/// <summary>
/// What one running server owns, registered as a singleton for the endpoints: the data directory's layout, the lease
/// on its embedded log (shared with the 'sluice-log' tables its jobs open), the connector registry and the API token.
/// Created by <see cref="SluiceServer.StartAsync"/> and disposed after the web host stopped; thread-safe.
/// </summary>
internal sealed class ServerContext : IDisposable
{
    private readonly DirectoryLock _lock;
    private readonly SharedLogLease _log;
    private volatile bool _ready;

    private ServerContext(SluiceServerOptions options, string dataDirectory, DirectoryLock directoryLock, SharedLogLease log, ServerToken token, ConnectorRegistry connectors)
    {
        _lock = directoryLock;
        Options = options;
        DataDirectory = dataDirectory;
        _log = log;
        Token = token;
        Connectors = connectors;
    }

    /// <summary>The options the server started with.</summary>
    public SluiceServerOptions Options { get; }

    /// <summary>The data directory (full path).</summary>
    public string DataDirectory { get; }

    /// <summary>The embedded log's directory, <c>log/</c> under the data directory.</summary>
    public string LogDirectory => Path.Combine(DataDirectory, "log");

    /// <summary>Checkpoints and savepoints of the server's jobs, <c>checkpoints/</c> under the data directory.</summary>
    public string CheckpointDirectory => Path.Combine(DataDirectory, "checkpoints");

    /// <summary>The embedded DuckDB warehouse file.</summary>
    public string WarehousePath => Path.Combine(DataDirectory, "warehouse.duckdb");

    /// <summary>The Parquet lake: one folder per table under <c>lake/</c>, which the PostgreSQL endpoint shows as views.</summary>
    public string LakeDirectory => Path.Combine(DataDirectory, "lake");

    /// <summary>Where the server keeps the definitions of jobs to resume at the next start, <c>jobs/</c>.</summary>
    public string JobsDirectory => Path.Combine(DataDirectory, "jobs");

    /// <summary>The embedded log (owned by the lease; do not dispose).</summary>
    public PartitionedLog Log => _log.Log;

    /// <summary>The API token.</summary>
    public ServerToken Token { get; }

    /// <summary>The connectors SQL jobs may name.</summary>
    public ConnectorRegistry Connectors { get; }

    /// <summary>The logger factory of the server and its jobs.</summary>
    public ILoggerFactory LoggerFactory => Options.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>Whether the server finished starting (jobs resumed): <c>/readyz</c> answers 200 from then on.</summary>
    public bool IsReady => _ready;

    /// <summary>
    /// Opens the data directory: creates it when missing, locks it (<c>server.lock</c>, one server per directory, in
    /// this process or another), reads or creates its token, and leases its log.
    /// </summary>
    /// <exception cref="DataDirectoryLockedException">Another server, or another process, holds the data directory.</exception>
    /// <exception cref="InvalidDataException">The token file is damaged.</exception>
    public static ServerContext Open(SluiceServerOptions options, ConnectorRegistry connectors)
    {
        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        var directoryLock = DirectoryLock.Acquire(directory, (holder, e) => new DataDirectoryLockedException(
            $"The server data directory '{directory}' is in use by another Sluice server ({holder}; {Path.Combine(directory, "server.lock")} is locked): stop it or pass another --data-dir.", e), "server.lock");

        try
        {
            var token = ServerToken.LoadOrCreate(directory);
            var log = SharedLogs.Acquire(Path.Combine(directory, "log"));
            return new ServerContext(options, directory, directoryLock, log, token, connectors);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Marks the server ready (see <see cref="IsReady"/>).</summary>
    public void MarkReady() => _ready = true;

    /// <summary>Releases the log lease, then the directory lock.</summary>
    public void Dispose()
    {
        _log.Dispose();
        _lock.Dispose();
    }
}
