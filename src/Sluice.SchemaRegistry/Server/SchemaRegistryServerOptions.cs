using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.SchemaRegistry.Server;

/// <summary>How <c>sluice registry</c> runs the registry standalone (inside <c>sluice server</c> it is mounted at /registry instead).</summary>
public sealed class SchemaRegistryServerOptions
{
    /// <summary>The data directory; the schemas live in its embedded log's compacted topic <c>_schemas</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; loopback by default.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 8082 by default, 0 for any free port (tests).</summary>
    public int Port { get; init; } = 8082;

    /// <summary>
    /// The token writes need (<c>Authorization: Bearer &lt;token&gt;</c>, or basic auth with the token as password), and
    /// reads from other machines; null for none, which is allowed only on a loopback address.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Where the server logs; null for none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
