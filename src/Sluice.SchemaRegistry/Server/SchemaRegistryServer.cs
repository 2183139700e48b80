using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Sluice.Log;
using Sluice.SchemaRegistry.Api;
using Sluice.SchemaRegistry.Storage;

namespace Sluice.SchemaRegistry.Server;

/// <summary>
/// The schema registry running standalone on its own port (<c>sluice registry</c>), speaking Confluent Schema
/// Registry's REST API at the root. It owns the embedded log in <c>log/</c> under its data directory (the layout of
/// <c>sluice server</c>, so one directory can be served by either, one at a time). Disposing stops it and closes the
/// data directory.
/// </summary>
public sealed class SchemaRegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly PartitionedLog _log;
    private int _disposed;

    private SchemaRegistryServer(WebApplication app, PartitionedLog log, SchemaStore store, Uri baseAddress)
    {
        _app = app;
        _log = log;
        Store = store;
        BaseAddress = baseAddress;
    }

    /// <summary>The address clients use, such as <c>http://127.0.0.1:8082/</c> (the real port when 0 was asked).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The registry's state (for in-process tests and tools).</summary>
    internal SchemaStore Store { get; }

    /// <summary>Opens the data directory, loads <c>_schemas</c> and starts listening; returns once it listens.</summary>
    /// <exception cref="ArgumentException">The port is out of range, or a non-loopback address is asked without a token.</exception>
    /// <exception cref="DataDirectoryLockedException">Another process (a registry or a server) holds the data directory.</exception>
    /// <exception cref="InvalidDataException">A record of <c>_schemas</c> is damaged; the message names its offset.</exception>
    /// <exception cref="IOException">The address is in use.</exception>
    public static async Task<SchemaRegistryServer> StartAsync(SchemaRegistryServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        if (options.Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"The registry port {options.Port} is not a TCP port: give 1-65535, or 0 for any free port.", nameof(options));
        }
        if (!IPAddress.IsLoopback(options.ListenAddress) && string.IsNullOrEmpty(options.Token))
        {
            throw new ArgumentException($"The registry would listen on {options.ListenAddress}, which is not a loopback address, without a token: give one (--token-file) or listen on 127.0.0.1.", nameof(options));
        }

        var loggerFactory = options.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var log = PartitionedLog.Open(Path.Combine(Path.GetFullPath(options.DataDirectory), "log"), new LogOptions { Logger = loggerFactory.CreateLogger("Sluice.Log") });
        WebApplication? app = null;
        try
        {
            var store = SchemaStore.Open(log);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Sluice.SchemaRegistry" });
            builder.Logging.ClearProviders();
            builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(options.ListenAddress, options.Port);
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            });
            app = builder.Build();
            var token = string.IsNullOrEmpty(options.Token) ? null : new RegistryToken(options.Token);
            RegistryEndpoints.Map(app, "", store, token is null ? null : token.Authorize);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            RegistryLog.Listening(loggerFactory.CreateLogger<SchemaRegistryServer>(), address.ToString(), log.DataDirectory, token is not null);
            return new SchemaRegistryServer(app, log, store, address);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
            log.Dispose();
            throw;
        }
    }

    /// <summary>Stops listening, then closes the log; idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _log.Dispose();
        }
    }
}

/// <summary>The registry's log messages (source-generated; never the token).</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(1, LogLevel.Information, "Schema registry listening on {Address} (log {LogDirectory}; token required for writes: {TokenRequired})")]
    public static partial void Listening(ILogger logger, string address, string logDirectory, bool tokenRequired);
}
