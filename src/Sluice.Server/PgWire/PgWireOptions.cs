using System.Collections.Frozen;
using System.Text;

namespace Sluice.Server.PgWire;

/// <summary>
/// The PostgreSQL wire-protocol endpoint of the server (docs/server.md, "PostgreSQL wire protocol"): where it listens,
/// who may log in, how many connections it serves. Immutable; validated by <see cref="SluiceServer.StartAsync"/>.
/// </summary>
public sealed record PgWireOptions
{
    /// <summary>The default port, as RisingWave's: 4566.</summary>
    public const int DefaultPort = 4566;

    /// <summary>The TCP port, on <see cref="SluiceServerOptions.ListenAddress"/>; 0 picks a free one (read it back from <see cref="SluiceServer.PgPort"/>).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The user that logs in with the server's API token as password when <see cref="Users"/> is empty.</summary>
    public const string DefaultUser = "sluice";

    /// <summary>
    /// The users who may log in, each with its password (checked with SCRAM-SHA-256; the password never crosses the
    /// wire and is never logged). Empty by default: then user <see cref="DefaultUser"/> logs in with the server's API
    /// token (<see cref="SluiceServer.Token"/>) as password.
    /// </summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// Whether a client connecting from a loopback address is let in without a password (PostgreSQL's <c>trust</c>
    /// method), as any user name. False by default.
    /// </summary>
    public bool TrustLoopback { get; init; }

    /// <summary>
    /// The most connections served at once; one more is answered with SQLSTATE 53300 (too many connections) and
    /// closed, and the others keep being served. Default 100.
    /// </summary>
    public int MaxConnections { get; init; } = 100;

    /// <summary>The largest protocol message accepted from a client (bytes); a larger one ends the connection with SQLSTATE 08P01. Default 16 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 16 << 20;

    // The record's ToString (also printed within SluiceServerOptions') names the users, never their passwords.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Port = ").Append(Port)
            .Append(", Users = [").Append(string.Join(", ", Users.Keys)).Append(']')
            .Append(", TrustLoopback = ").Append(TrustLoopback)
            .Append(", MaxConnections = ").Append(MaxConnections)
            .Append(", MaxMessageBytes = ").Append(MaxMessageBytes);
        return true;
    }
}
