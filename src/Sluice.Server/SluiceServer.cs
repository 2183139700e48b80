using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Connectors;
using Sluice.Server.Dags;
using Sluice.Server.Dashboard;
using Sluice.Server.Decisions;
using Sluice.Server.Health;
using Sluice.Server.Ingest;
using Sluice.Server.Jobs;
using Sluice.Server.Log;
using Sluice.Server.Metrics;
using Sluice.Server.PgWire;
using Sluice.Server.Security;
using Sluice.Server.Views;

namespace Sluice.Server;

/// <summary>
/// A running Sluice server: an ASP.NET Core application over one data directory (<see cref="SluiceServerOptions"/>)
/// serving the REST API, <c>/metrics</c>, the dashboard, HTTP ingest and the schema registry (<c>/registry</c>). Lifecycle: <see cref="StartAsync"/> opens the
/// data directory and listens; <see cref="StopAsync"/> (or <see cref="DisposeAsync"/>) stops serving, stops the jobs
/// and releases the directory. Start and stop are each called once; the members are thread-safe.
/// </summary>
public sealed class SluiceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerContext _context;
    private readonly PgWireEndpoint? _pgWire;
    private int _stopped;

    private SluiceServer(WebApplication app, ServerContext context, Uri address, PgWireEndpoint? pgWire)
    {
        _app = app;
        _context = context;
        Address = address;
        _pgWire = pgWire;
    }

    /// <summary>The address the server listens on, with the port it bound (<c>http://127.0.0.1:8081/</c>).</summary>
    public Uri Address { get; }

    /// <summary>
    /// The port of the PostgreSQL wire-protocol endpoint (docs/server.md, "PostgreSQL wire protocol"), on the same
    /// address as <see cref="Address"/>; null when <see cref="SluiceServerOptions.PgWire"/> is null.
    /// </summary>
    public int? PgPort => _pgWire?.Port;

    /// <summary>The PostgreSQL endpoint, for in-process tests (its live connection count).</summary>
    internal PgWireEndpoint? PgWire => _pgWire;

    /// <summary>The full path of the data directory.</summary>
    public string DataDirectory => _context.DataDirectory;

    /// <summary>The file holding the API token mutating calls need.</summary>
    public string TokenFile => _context.Token.FilePath;

    /// <summary>Whether this start created the API token (a first start).</summary>
    public bool TokenCreated => _context.Token.Created;

    /// <summary>The API token. Show it to the user who started the server, never log it.</summary>
    public string Token => _context.Token.Value;

    /// <summary>
    /// The server's embedded log (topics under <c>log/</c> of the data directory), for jobs a host embedding the server
    /// runs in its own process over the topics clients ingest into. Open until the server stopped; thread-safe.
    /// </summary>
    public Sluice.Log.PartitionedLog Log => _context.Log;

    /// <summary>The host's services (for tests and in-process tools that reach a feature's singleton).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Ends when the server stopped: after <see cref="StopAsync"/>, or after the host was asked to stop.</summary>
    public Task Completion => _app.WaitForShutdownAsync();

    /// <summary>What the server owns (its log, token, directories); for in-process tests and tools.</summary>
    internal ServerContext Context => _context;

    /// <summary>Opens the data directory, starts the jobs it holds, and listens.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    /// <exception cref="Sluice.Log.DataDirectoryLockedException">Another process holds the data directory.</exception>
    /// <exception cref="IOException">The address is in use or the directory cannot be written.</exception>
    public static async Task<SluiceServer> StartAsync(SluiceServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        if (options.Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"The server port {options.Port} is not a TCP port: give 1-65535, or 0 for any free port.", nameof(options));
        }
        if (options.MaxRequestBodyBytes <= 0)
        {
            throw new ArgumentException($"The largest request body ({options.MaxRequestBodyBytes} bytes) must be positive.", nameof(options));
        }

        if (options.PgWire is { } pg && (pg.Port is < 0 or > IPEndPoint.MaxPort || pg.MaxConnections < 1 || pg.MaxMessageBytes < 1024))
        {
            throw new ArgumentException($"The PostgreSQL endpoint options are out of range ({pg}): the port must be 0-65535, at least one connection, messages of at least 1024 bytes.", nameof(options));
        }

        var context = ServerContext.Open(options, DefaultConnectors());
        WebApplication? app = null;
        PgWireEndpoint? pgWire = null;
        try
        {
            app = Build(options, context);
            var logger = context.LoggerFactory.CreateLogger<SluiceServer>();
            if (!IPAddress.IsLoopback(options.ListenAddress))
            {
                ServerLog.NotLoopback(logger, options.ListenAddress.ToString());
            }
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            // Jobs saved at the last shutdown (or before a crash) run again before the server reports ready.
            await app.Services.GetRequiredService<ServerJobs>().ResumeAsync(cancellationToken).ConfigureAwait(false);
            if (options.PgWire is { } pgOptions)
            {
                // Without configured users, user 'sluice' logs in with the API token as password: one secret to keep.
                var users = pgOptions.Users.Count > 0 ? pgOptions.Users : new Dictionary<string, string> { [PgWireOptions.DefaultUser] = context.Token.Value };
                pgWire = PgWireEndpoint.Start(pgOptions, options.ListenAddress, users, new PgWarehouse(context.WarehousePath, context.LakeDirectory) { Server = app.Services.GetRequiredService<ServerSql>() }, context.LoggerFactory.CreateLogger<PgWireEndpoint>());
            }
            context.MarkReady();
            ServerLog.Listening(logger, address.ToString(), context.DataDirectory);
            return new SluiceServer(app, context, address, pgWire);
        }
        catch
        {
            if (pgWire is not null)
            {
                await pgWire.DisposeAsync().ConfigureAwait(false);
            }
            // A failure after listening began (resuming the saved jobs, say) must not leave the port bound.
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
            context.Dispose();
            throw;
        }
    }

    /// <summary>Stops serving, stops the jobs (see docs/server.md, "Shutdown") and releases the data directory; idempotent.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        try
        {
            if (_pgWire is not null)
            {
                await _pgWire.DisposeAsync().ConfigureAwait(false);
            }
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _context.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>The connectors a server's SQL jobs can name: every connector assembly the server references.</summary>
    internal static ConnectorRegistry DefaultConnectors() =>
        ConnectorRegistry.FromLoadedAssemblies()
            .AddAssembly(typeof(Sluice.Connectors.Nexmark.NexmarkConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Kafka.KafkaConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Log.LogConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.DuckDb.DuckDbConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Postgres.PostgresConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Connectors.Redis.RedisConnectorFactory).Assembly)
            .AddAssembly(typeof(Sluice.Formats.Registry.AvroConfluentFormat).Assembly);

    private static WebApplication Build(SluiceServerOptions options, ServerContext context)
    {
        // The content root is the data directory, where every ingest append writes. With the host's default
        // reloadConfigOnChange, appsettings*.json are watched by a recursive FileSystemWatcher over that root, whose
        // thread then wakes on every log append (2 % of the server's CPU samples in a single-event ingest profile,
        // docs/benchmarks.md): configuration is read once at start instead.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Sluice.Server",
            ContentRootPath = context.DataDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenAddress, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            // A client that sends its headers or body too slowly is cut off instead of holding a connection forever.
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(5));
        });
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(context.Token);
        builder.Services.AddSluice();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1");
        JobEndpoints.AddServices(builder.Services, context);
        builder.Services.AddSingleton<ServerSql>();
        LogEndpoints.AddServices(builder.Services, context);
        MetricsEndpoints.AddServices(builder.Services, context);
        // The schema registry's state, in the server's log (topic _schemas): served at /registry, read by ingest's ?format=.
        var registry = SchemaRegistry.Storage.SchemaStore.Open(context.Log);
        IngestEndpoints.AddServices(builder.Services, context, registry);
        DashboardEndpoints.AddServices(builder.Services, context);
        DecisionEndpoints.AddServices(builder.Services, context);
        DagEndpoints.AddServices(builder.Services, context, options);
        Lineage.LineageEndpoints.AddServices(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<TokenAuthorization>();
        app.MapOpenApi("/openapi/{documentName}.json");
        HealthEndpoints.Map(app);
        JobEndpoints.Map(app);
        LogEndpoints.Map(app);
        MetricsEndpoints.Map(app);
        IngestEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        DecisionEndpoints.Map(app, context);
        DagEndpoints.Map(app);
        Lineage.LineageEndpoints.Map(app);
        // The schema registry (Confluent's REST API) at /registry, its schemas in the server's log (topic _schemas);
        // the token rule above covers it: writes need the token, as Bearer or as basic auth's password.
        SchemaRegistry.Api.RegistryEndpoints.Map(app, "/registry", registry);
        return app;
    }
}

/// <summary>The server's log messages (source-generated; never the token).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Sluice server listening on {Address} (data directory {DataDirectory})")]
    public static partial void Listening(ILogger logger, string address, string dataDirectory);

    [LoggerMessage(2, LogLevel.Warning, "Listening on {Address}, which is not a loopback address: every call from another machine needs the API token, which travels in clear text over HTTP. Put the server behind TLS or bind 127.0.0.1.")]
    public static partial void NotLoopback(ILogger logger, string address);
}
