using System.CommandLine;
using System.Net;
using Sluice.Server;
using Sluice.Server.Metrics;
using Sluice.Server.PgWire;

namespace Sluice.Cli.Server;

/// <summary>
/// <c>sluice server</c>: runs a <see cref="SluiceServer"/> over a data directory until Ctrl+C or SIGTERM, then shuts it
/// down gracefully. At the first start over a directory it prints the API token it created (once; it is never logged).
/// </summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The server's data directory: log, checkpoints, warehouse, jobs, API token.", DefaultValueFactory = _ => "sluice-data" };
        var port = new Option<int>("--port") { Description = "The TCP port to listen on (0: any free port).", DefaultValueFactory = _ => SluiceServerOptions.DefaultPort }.MustBeBetween(0, IPEndPoint.MaxPort);
        var listen = new Option<string>("--listen") { Description = "The address to listen on. Anything but loopback exposes the API to other machines (a warning is printed).", DefaultValueFactory = _ => "127.0.0.1" };
        listen.Validators.Add(r =>
        {
            if (!IPAddress.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--listen '{r.GetValueOrDefault<string>()}' is not an IP address: give one such as 127.0.0.1 or 0.0.0.0.");
            }
        });
        var otlp = new Option<string?>("--otlp-endpoint") { Description = $"Export traces and metrics over OTLP to this collector (such as http://localhost:4317); default: the {MetricsEndpoints.OtlpEndpointVariable} environment variable, else off." };
        otlp.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !Uri.TryCreate(text, UriKind.Absolute, out _))
            {
                r.AddError($"--otlp-endpoint '{text}' is not an absolute URI: give one such as http://localhost:4317.");
            }
        });
        var pgPort = new Option<int>("--pg-port") { Description = $"The PostgreSQL wire-protocol port, on the --listen address (0: off). User '{PgWireOptions.DefaultUser}' logs in with the API token as password.", DefaultValueFactory = _ => PgWireOptions.DefaultPort }.MustBeBetween(0, IPEndPoint.MaxPort);
        var pgTrust = new Option<bool>("--pg-trust-loopback") { Description = "Let PostgreSQL clients on this machine (loopback) in without a password, as PostgreSQL's 'trust'." };
        var pgMax = new Option<int>("--pg-max-connections") { Description = "The most PostgreSQL connections served at once; more are refused (SQLSTATE 53300).", DefaultValueFactory = _ => 100 }.MustBeBetween(1, 10_000);
        var dagsDir = new Option<string?>("--dags-dir") { Description = "A folder of DAG files (*.yml) to schedule (docs/orchestration.md); default: none." };
        var command = new Command("server", "Run the Sluice server: REST API, /metrics, web dashboard, HTTP ingest and a PostgreSQL wire-protocol endpoint over one data directory.") { dataDir, port, listen, otlp, pgPort, pgTrust, pgMax, dagsDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = DataDirectories.CreateWritable(parse.GetValue(dataDir)!, "server data directory");
            var options = new SluiceServerOptions
            {
                DataDirectory = directory,
                Port = parse.GetValue(port),
                ListenAddress = IPAddress.Parse(parse.GetValue(listen)!),
                LoggerFactory = CommandLineHost.LoggerFactory(parse),
                OtlpEndpoint = parse.GetValue(otlp) is { } endpoint ? new Uri(endpoint) : null,
                DagsDirectory = parse.GetValue(dagsDir) is { } dags ? DataDirectories.RequireExisting(dags, "DAGs folder") : null,
                PgWire = parse.GetValue(pgPort) is var pg and > 0
                    ? new PgWireOptions { Port = pg, TrustLoopback = parse.GetValue(pgTrust), MaxConnections = parse.GetValue(pgMax) }
                    : null,
            };
            SluiceServer server;
            try
            {
                server = await SluiceServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CommandFailedException($"The server cannot start on {options.ListenAddress}:{options.Port}{(options.PgWire is { } pgOptions ? $" (PostgreSQL {pgOptions.Port})" : "")} ({e.Message.TrimEnd('.')}).", e);
            }

            await using (server.ConfigureAwait(false))
            {
                Console.WriteLine($"Sluice server listening on {server.Address} (data directory {server.DataDirectory}).");
                Console.WriteLine(server.TokenCreated
                    ? $"API token (created now, saved in {server.TokenFile}; mutating calls need it as 'Authorization: Bearer <token>'): {server.Token}"
                    : $"API token: in {server.TokenFile}.");
                if (server.PgPort is { } listening)
                {
                    Console.WriteLine($"PostgreSQL endpoint on {options.ListenAddress}:{listening} (psql -h {options.ListenAddress} -p {listening} -U {PgWireOptions.DefaultUser}; password: the API token).");
                }
                Console.WriteLine("Press Ctrl+C to stop.");
                try
                {
                    await server.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
                Console.WriteLine("Stopping the server…");
            }
            return 0;
        });
        return command;
    }
}
