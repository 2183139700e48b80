using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Sluice.Server.PgWire;

/// <summary>
/// The PostgreSQL wire-protocol listener of <c>sluice server</c>: accepts clients on one TCP port and serves each on
/// its own task (<see cref="PgConnection"/>). Holds what connections share: the options, the users' SCRAM verifiers
/// (derived once at start; no password is kept), the warehouse, the connection slots, and the live connections by
/// process id for CancelRequest. Lifecycle: <see cref="Start"/> binds and accepts; <see cref="DisposeAsync"/> stops
/// accepting, closes every connection (interrupting their queries) and waits for their tasks. Thread-safe.
/// </summary>
internal sealed class PgWireEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IReadOnlyDictionary<string, ScramCredential> _credentials;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, PgConnection> _connections = new();
    private readonly ConcurrentDictionary<Task, bool> _tasks = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _nextProcessId = 1000;
    private int _slots;

    private PgWireEndpoint(PgWireOptions options, TcpListener listener, IReadOnlyDictionary<string, ScramCredential> credentials, PgWarehouse warehouse, ILogger logger)
    {
        Options = options;
        _listener = listener;
        _credentials = credentials;
        Warehouse = warehouse;
        _logger = logger;
    }

    public PgWireOptions Options { get; }

    /// <summary>What the connections query.</summary>
    public PgWarehouse Warehouse { get; }

    /// <summary>The port bound (the configured one, or the one picked for 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections past startup that hold a slot (at most <see cref="PgWireOptions.MaxConnections"/>).</summary>
    public int ActiveConnections => Volatile.Read(ref _slots);

    /// <summary>How many connections have a query running on DuckDB now (a snapshot).</summary>
    public int RunningQueries => _connections.Values.Count(c => c.IsRunningQuery);

    /// <summary>
    /// Binds <paramref name="address"/>:<see cref="PgWireOptions.Port"/> and starts accepting. <paramref name="users"/>
    /// are the users and passwords that may log in; each password is turned into a SCRAM verifier here and not kept.
    /// </summary>
    /// <exception cref="IOException">The port is in use (the message names it).</exception>
    public static PgWireEndpoint Start(PgWireOptions options, IPAddress address, IReadOnlyDictionary<string, string> users, PgWarehouse warehouse, ILogger logger)
    {
        var credentials = users.ToDictionary(u => u.Key, u => ScramCredential.Derive(u.Value), StringComparer.Ordinal);
        var listener = new TcpListener(address, options.Port);
        try
        {
            listener.Start(backlog: 512);
        }
        catch (SocketException e)
        {
            throw new IOException($"The PostgreSQL endpoint cannot listen on {address}:{options.Port} ({e.Message}): pass another --pg-port, or 0 to turn it off.", e);
        }
        var endpoint = new PgWireEndpoint(options, listener, credentials, warehouse, logger);
        endpoint._acceptLoop = endpoint.AcceptLoopAsync();
        PgWireLog.Listening(logger, $"{address}:{endpoint.Port}", options.MaxConnections);
        return endpoint;
    }

    /// <summary>The SCRAM verifier of <paramref name="user"/>, or null for an unknown user.</summary>
    public ScramCredential? Credential(string user) => _credentials.GetValueOrDefault(user);

    /// <summary>Takes a connection slot; false when all <see cref="PgWireOptions.MaxConnections"/> are taken.</summary>
    public bool TryAcquireSlot()
    {
        while (true)
        {
            var taken = Volatile.Read(ref _slots);
            if (taken >= Options.MaxConnections)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _slots, taken + 1, taken) == taken)
            {
                return true;
            }
        }
    }

    /// <summary>Returns a slot taken with <see cref="TryAcquireSlot"/>.</summary>
    public void ReleaseSlot()
    {
        var left = Interlocked.Decrement(ref _slots);
        Debug.Assert(left >= 0, "A connection slot was released twice.");
    }

    /// <summary>A CancelRequest: interrupts the running query of the connection with this process id and secret; ignored otherwise (as PostgreSQL does).</summary>
    public void Cancel(int processId, int secretKey)
    {
        if (_connections.TryGetValue(processId, out var connection) && connection.SecretKey == secretKey)
        {
            PgWireLog.CancelRequested(_logger, processId);
            connection.CancelQuery();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }
        await Task.WhenAll(_tasks.Keys).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException e)
            {
                // One failed accept (the client reset before it completed) does not stop the listener.
                PgWireLog.AcceptFailed(_logger, e.Message);
                continue;
            }
            var processId = Interlocked.Increment(ref _nextProcessId);
            var connection = new PgConnection(socket, this, processId, RandomNumberGenerator.GetInt32(int.MaxValue), _logger);
            _connections[processId] = connection;
            var task = ServeAsync(connection);
            _tasks[task] = true;
            _ = task.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(done, out _), _tasks, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(PgConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.ProcessId, out _);
            connection.Dispose();
            PgWireLog.SessionEnded(_logger, connection.ProcessId);
        }
    }
}

/// <summary>The endpoint's log messages (source-generated). Never a password, a SCRAM message or a query's parameters.</summary>
internal static partial class PgWireLog
{
    [LoggerMessage(40, LogLevel.Information, "PostgreSQL endpoint listening on {Address} (at most {MaxConnections} connections)")]
    public static partial void Listening(ILogger logger, string address, int maxConnections);

    [LoggerMessage(41, LogLevel.Debug, "PostgreSQL session {ProcessId} started for user {User} ({Application})")]
    public static partial void SessionStarted(ILogger logger, int processId, string user, string application);

    [LoggerMessage(42, LogLevel.Debug, "PostgreSQL session {ProcessId} ended")]
    public static partial void SessionEnded(ILogger logger, int processId);

    [LoggerMessage(43, LogLevel.Warning, "PostgreSQL session {ProcessId}: password authentication failed for user {User}")]
    public static partial void AuthenticationFailed(ILogger logger, int processId, string user);

    [LoggerMessage(44, LogLevel.Debug, "PostgreSQL session {ProcessId}: the client went away ({Reason})")]
    public static partial void ConnectionLost(ILogger logger, int processId, string reason);

    [LoggerMessage(45, LogLevel.Error, "PostgreSQL session {ProcessId} failed")]
    public static partial void ConnectionFailed(ILogger logger, int processId, Exception exception);

    [LoggerMessage(46, LogLevel.Information, "PostgreSQL session {ProcessId}: cancel requested")]
    public static partial void CancelRequested(ILogger logger, int processId);

    [LoggerMessage(47, LogLevel.Warning, "PostgreSQL endpoint: accepting a connection failed ({Reason})")]
    public static partial void AcceptFailed(ILogger logger, string reason);
}
