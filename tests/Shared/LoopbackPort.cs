using System.Net;
using System.Net.Sockets;

namespace Sluice.Tests.Shared;

/// <summary>TCP ports on 127.0.0.1 for the servers tests start.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port nothing listens on: the system's choice, bound and released. It is free until something else takes it,
    /// so a caller binding it later must handle it being taken meanwhile.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
