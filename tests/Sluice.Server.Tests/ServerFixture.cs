using System.Net.Http.Headers;
using Sluice.Server;

namespace Sluice.Server.Tests;

/// <summary>
/// A real <see cref="SluiceServer"/> on a free loopback port over a fresh temporary data directory, with two clients:
/// <see cref="Anonymous"/> (no token) and <see cref="Authorized"/> (the server's token). Start with
/// <see cref="StartAsync"/>; disposing stops the server and deletes the directory.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private ServerFixture(SluiceServer server, bool ownsDirectory)
    {
        Server = server;
        _ownsDirectory = ownsDirectory;
        Anonymous = new HttpClient { BaseAddress = server.Address };
        Authorized = new HttpClient { BaseAddress = server.Address };
        Authorized.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
    }

    /// <summary>The running server.</summary>
    public SluiceServer Server { get; }

    /// <summary>A client that sends no token.</summary>
    public HttpClient Anonymous { get; }

    /// <summary>A client that sends the server's token.</summary>
    public HttpClient Authorized { get; }

    /// <summary>Starts a server over <paramref name="dataDirectory"/>, or over a new temporary directory deleted at dispose.</summary>
    public static async Task<ServerFixture> StartAsync(string? dataDirectory = null, Func<SluiceServerOptions, SluiceServerOptions>? configure = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("sluice-server-").FullName;
        var options = new SluiceServerOptions { DataDirectory = dataDirectory, Port = 0 };
        var server = await SluiceServer.StartAsync(configure is null ? options : configure(options));
        return new ServerFixture(server, owns);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Anonymous.Dispose();
        Authorized.Dispose();
        await Server.DisposeAsync();
        if (_ownsDirectory)
        {
            Directory.Delete(Server.DataDirectory, recursive: true);
        }
    }
}
