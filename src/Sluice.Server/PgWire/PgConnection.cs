using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Sluice.Server.PgWire;

/// <summary>
/// One client connection of the wire endpoint (PostgreSQL protocol 3.0): the startup exchange (SSLRequest and
/// GSSENCRequest answered <c>N</c>, CancelRequest handed to the endpoint), authentication (SCRAM-SHA-256 or trust on
/// loopback), then the message loop (<see cref="PgConnection"/>'s Query part: simple and extended query protocol).
/// Owns its socket, buffers and SQL session, all released when <see cref="RunAsync"/> ends, whether the client said
/// Terminate, vanished mid-query, or broke the protocol. Runs on one task; <see cref="CancelQuery"/> and
/// <see cref="Abort"/> may be called from others.
/// </summary>
internal sealed partial class PgConnection : IDisposable
{
    private const int ProtocolVersion3 = 196608;
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;
    private const int CancelRequestCode = 80877102;

    /// <summary>The largest SASL message read before login: PostgreSQL's own ceiling (PG_MAX_AUTH_TOKEN_LENGTH).</summary>
    private const int MaxAuthenticationMessageBytes = 65_535;

    /// <summary>How long a client has to finish startup and authentication (PostgreSQL's authentication_timeout is 60 s).</summary>
    private static readonly TimeSpan s_startupTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PgMessageReader _reader;
    private readonly PgMessageWriter _writer;
    private readonly PgWireEndpoint _endpoint;
    private readonly ILogger _logger;
    private PgSqlSession? _sql;
    private bool _holdsSlot;

    // True once the client proved its password (SCRAM); false for a trusted loopback login, which may only read.
    private bool _passwordVerified;

    public PgConnection(Socket socket, PgWireEndpoint endpoint, int processId, int secretKey, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _endpoint = endpoint;
        _logger = logger;
        _reader = new PgMessageReader(_stream, endpoint.Options.MaxMessageBytes);
        _writer = new PgMessageWriter(_stream);
        ProcessId = processId;
        SecretKey = secretKey;
    }

    /// <summary>The process id BackendKeyData reports (unique among the endpoint's live connections).</summary>
    public int ProcessId { get; }

    /// <summary>The secret a CancelRequest must carry with <see cref="ProcessId"/>.</summary>
    public int SecretKey { get; }

    /// <summary>Whether the connection's query runs on DuckDB now. Thread-safe.</summary>
    public bool IsRunningQuery => _sql?.IsRunning ?? false;

    /// <summary>Interrupts the running query, if any (a CancelRequest for this connection). Thread-safe.</summary>
    public void CancelQuery() => _sql?.Cancel();

    /// <summary>Closes the socket (server shutdown): the loop ends with an I/O error. Thread-safe.</summary>
    public void Abort()
    {
        _sql?.Cancel();
        _socket.Close();
    }

    /// <summary>Serves the connection until the client leaves or the endpoint stops; never throws.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            string user;
            string application;
            using (var startup = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                startup.CancelAfter(s_startupTimeout);
                (string, string)? accepted;
                try
                {
                    accepted = await StartupAsync(startup.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    throw new PgException(PgSqlState.ProtocolViolation, "The client did not complete startup and authentication within 10 s.", fatal: true);
                }
                if (accepted is null)
                {
                    return;
                }
                (user, application) = accepted.Value;
            }
            _sql = new PgSqlSession(_endpoint.Warehouse, user, application, _passwordVerified);
            foreach (var name in PgSettings.Reported)
            {
                _writer.Begin('S');
                _writer.WriteCString(name);
                _writer.WriteCString(_sql.Setting(name));
                _writer.End();
            }
            _writer.Begin('K');
            _writer.WriteInt32(ProcessId);
            _writer.WriteInt32(SecretKey);
            _writer.End();
            WriteReadyForQuery();
            await _writer.FlushAsync(stopping).ConfigureAwait(false);
            PgWireLog.SessionStarted(_logger, ProcessId, user, application);
            await MessageLoopAsync(stopping).ConfigureAwait(false);
        }
        catch (PgException e) when (e.Fatal || e.SqlState == PgSqlState.ProtocolViolation)
        {
            await TrySendFatalAsync(e).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or EndOfStreamException)
        {
            // The client went away (or the server is stopping): nothing to answer.
            PgWireLog.ConnectionLost(_logger, ProcessId, e.Message);
        }
        catch (Exception e)
        {
            PgWireLog.ConnectionFailed(_logger, ProcessId, e);
            await TrySendFatalAsync(new PgException(PgSqlState.InternalError, "The server failed serving this connection; see its log.", fatal: true)).ConfigureAwait(false);
        }
        finally
        {
            CloseAll();
            if (_holdsSlot)
            {
                _endpoint.ReleaseSlot();
            }
        }
    }

    public void Dispose()
    {
        CloseAll();
        _sql?.Dispose();
        _reader.Dispose();
        _writer.Dispose();
        _stream.Dispose();
    }

    /// <summary>
    /// The startup exchange up to AuthenticationOk; the user and application name, or null when the connection ends
    /// here (a CancelRequest, or a client that left).
    /// </summary>
    private async Task<(string User, string Application)?> StartupAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = await _reader.ReadStartupAsync(cancellationToken).ConfigureAwait(false);
            if (packet is null)
            {
                return null;
            }
            var code = packet.ReadInt32("protocol version");
            switch (code)
            {
                case SslRequestCode or GssEncRequestCode:
                    // No TLS and no GSSAPI encryption here: 'N', and the client continues in clear text or gives up.
                    _writer.WriteByte((byte)'N');
                    await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                case CancelRequestCode:
                    _endpoint.Cancel(packet.ReadInt32("process id"), packet.ReadInt32("secret key"));
                    return null;
                case ProtocolVersion3:
                    break;
                default:
                    throw new PgException(PgSqlState.FeatureNotSupported, $"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}: server supports 3.0", fatal: true);
            }
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            while (packet.Remaining > 1)
            {
                var name = packet.ReadCString("startup parameter name");
                parameters[name] = packet.ReadCString($"startup parameter '{name}'");
            }
            if (!_endpoint.TryAcquireSlot())
            {
                throw new PgException(PgSqlState.TooManyConnections, $"sorry, too many clients already (the Sluice endpoint serves {_endpoint.Options.MaxConnections} connections at once)", fatal: true);
            }
            _holdsSlot = true;
            if (!parameters.TryGetValue("user", out var user) || user.Length == 0)
            {
                throw new PgException(PgSqlState.InvalidAuthorization, "no PostgreSQL user name specified in startup packet", fatal: true);
            }
            await AuthenticateAsync(user, cancellationToken).ConfigureAwait(false);
            return (user, parameters.GetValueOrDefault("application_name", ""));
        }
    }

    private async Task AuthenticateAsync(string user, CancellationToken cancellationToken)
    {
        var loopback = _socket.RemoteEndPoint is IPEndPoint remote && IPAddress.IsLoopback(remote.Address);
        if (!(_endpoint.Options.TrustLoopback && loopback))
        {
            await ScramAsync(user, cancellationToken).ConfigureAwait(false);
            _passwordVerified = true;
        }
        WriteAuthentication(0);
        _writer.End();
    }

    private async Task ScramAsync(string user, CancellationToken cancellationToken)
    {
        WriteAuthentication(10);
        _writer.WriteCString(ScramSha256.Mechanism);
        _writer.WriteByte(0);
        _writer.End();
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);

        var initial = await ExpectPasswordMessageAsync("SASLInitialResponse", cancellationToken).ConfigureAwait(false);
        var mechanism = initial.ReadCString("SASL mechanism");
        if (mechanism != ScramSha256.Mechanism)
        {
            throw new PgException(PgSqlState.InvalidAuthorization, $"SASL mechanism {mechanism} is not supported: the endpoint offers {ScramSha256.Mechanism}.", fatal: true);
        }
        var length = initial.ReadInt32("SASL response length");
        var scram = new ScramSha256(_endpoint.Credential(user) ?? ScramCredential.ForUnknownUser(user));
        var serverFirst = scram.Begin(Encoding.UTF8.GetString(initial.ReadBytes(length, "SASL response")));
        WriteAuthentication(11);
        _writer.WriteUtf8(serverFirst);
        _writer.End();
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);

        var response = await ExpectPasswordMessageAsync("SASLResponse", cancellationToken).ConfigureAwait(false);
        var serverFinal = scram.Complete(Encoding.UTF8.GetString(response.ReadBytes(response.Remaining, "SASL response")));
        if (serverFinal is null)
        {
            PgWireLog.AuthenticationFailed(_logger, ProcessId, user);
            throw new PgException(PgSqlState.InvalidPassword, $"password authentication failed for user \"{user}\"", fatal: true);
        }
        WriteAuthentication(12);
        _writer.WriteUtf8(serverFinal);
        _writer.End();
    }

    private async Task<PgBody> ExpectPasswordMessageAsync(string what, CancellationToken cancellationToken)
    {
        var message = await _reader.ReadMessageAsync(cancellationToken, MaxAuthenticationMessageBytes).ConfigureAwait(false)
            ?? throw new EndOfStreamException($"The client closed the connection before its {what}.");
        if (message.Type != 'p')
        {
            throw new PgException(PgSqlState.ProtocolViolation, $"expected a {what} ('p') during authentication, got message '{message.Type}'", fatal: true);
        }
        return message.Body;
    }

    private void WriteAuthentication(int code)
    {
        _writer.Begin('R');
        _writer.WriteInt32(code);
    }

    private void WriteReadyForQuery()
    {
        _writer.Begin('Z');
        _writer.WriteByte((byte)(_sql?.TransactionStatus ?? 'I'));
        _writer.End();
    }

    /// <summary>Writes an ErrorResponse (severity ERROR or FATAL, SQLSTATE, message).</summary>
    private void WriteError(PgException error)
    {
        _writer.Abandon();
        var severity = error.Fatal ? "FATAL" : "ERROR";
        _writer.Begin('E');
        _writer.WriteByte((byte)'S');
        _writer.WriteCString(severity);
        _writer.WriteByte((byte)'V');
        _writer.WriteCString(severity);
        _writer.WriteByte((byte)'C');
        _writer.WriteCString(error.SqlState);
        _writer.WriteByte((byte)'M');
        _writer.WriteCString(error.Message);
        _writer.WriteByte(0);
        _writer.End();
    }

    private async Task TrySendFatalAsync(PgException error)
    {
        try
        {
            WriteError(error.Fatal ? error : new PgException(error.SqlState, error.Message, fatal: true));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _writer.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is gone already.
        }
    }
}
