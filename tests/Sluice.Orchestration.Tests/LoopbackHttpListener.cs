using System.Net;
using Sluice.Tests.Shared;

namespace Sluice.Orchestration.Tests;

/// <summary>Starts an <see cref="HttpListener"/> on a free 127.0.0.1 port.</summary>
internal static class LoopbackHttpListener
{
    /// <summary>
    /// A started listener on <c>http://127.0.0.1:{port}/</c>. The port is found free and then bound, so another test
    /// may take it in between ("Address already in use"): then another port is tried, up to 20 times.
    /// </summary>
    public static (HttpListener Listener, int Port) Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close(); // taken meanwhile: try another free port
            }
        }
    }
}
