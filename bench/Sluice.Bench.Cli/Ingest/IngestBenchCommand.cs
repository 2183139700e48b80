using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Server;
using Spectre.Console;

namespace Sluice.Bench.Cli.Ingest;

/// <summary>
/// <c>sluice bench ingest</c>: starts a Sluice server on loopback over a scratch data directory (the default flush
/// policy: fsync per append, group-committed), in-process or (<c>--server-process</c>) as a child process, and drives
/// <c>POST /ingest/{topic}</c> with <see cref="IngestLoad"/>; prints events/s, requests/s, p50/p99/max latency and
/// the CPU per request, split between server and load generator when they run apart (docs/benchmarks.md).
/// </summary>
internal static class IngestBenchCommand
{
    /// <summary>Builds the <c>ingest</c> subcommand of <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var mode = new Option<string>("--mode")
        {
            Description = "batched: NDJSON bodies of --batch events; single: one JSON object per request; healthz: GET /healthz, the HTTP stack and load generator alone (a baseline).",
            DefaultValueFactory = _ => "batched",
        }.MustSatisfy(m => m is "batched" or "single" or "healthz", "must be batched, single or healthz");
        var batch = new Option<int>("--batch") { Description = "Events per request in batched mode (1 to 100000).", DefaultValueFactory = _ => 1000 }.MustBeBetween(1, 100_000);
        var clients = new Option<int>("--clients") { Description = "Concurrent keep-alive clients (1 to 1024).", DefaultValueFactory = _ => 32 }.MustBeBetween(1, 1024);
        var duration = new Option<int>("--duration") { Description = "Seconds measured, after --warmup (1 to 3600).", DefaultValueFactory = _ => 10 }.MustBeBetween(1, 3600);
        var warmup = new Option<int>("--warmup") { Description = "Seconds of load before measuring (0 to 600).", DefaultValueFactory = _ => 3 }.MustBeBetween(0, 600);
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the bench topic (1 to 64).", DefaultValueFactory = _ => 1 }.MustBeBetween(1, 64);
        var dir = new Option<string?>("--dir") { Description = "Scratch directory for the server's data (default: system temp; deleted after)." }
            .MustSatisfy(d => !File.Exists(d), "must name a directory, not a file");
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of a table." };
        var serverProcess = new Option<bool>("--server-process")
        {
            Description = "Run the server in a child process (chaos ingest-server) instead of in-process, so the load generator's CPU is measured apart from the server's.",
        };
        var command = new Command("ingest", "Benchmark HTTP ingest: N keep-alive clients POST NDJSON batches or single events to a server on loopback (in-process, or a child process with --server-process).")
        {
            mode, batch, clients, duration, warmup, partitions, dir, json, serverProcess,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new IngestLoadOptions(parse.GetValue(mode) == "batched", parse.GetValue(batch), parse.GetValue(clients),
                TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup)), parse.GetValue(mode) == "healthz");
            var parent = parse.GetValue(dir) ?? Path.GetTempPath();
            Directory.CreateDirectory(parent);
            var data = Directory.CreateDirectory(Path.Combine(parent, "sluice-bench-ingest-" + Guid.NewGuid().ToString("N")[..8])).FullName;
            IngestLoadResult result;
            try
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"ingest/bench?create=true&partitions={parse.GetValue(partitions)}");
                if (parse.GetValue(serverProcess))
                {
                    var child = await ChildIngestServer.StartAsync(data, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        result = await IngestLoad.RunAsync(new Uri(child.Address, path), child.Token, options, () => child.CpuTime, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        await child.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    }
                }
                else
                {
                    await using var server = await SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = data, Port = 0 }, cancellationToken).ConfigureAwait(false);
                    result = await IngestLoad.RunAsync(new Uri(server.Address, path), server.Token, options, serverCpu: null, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
            Print(parse.GetValue(json), options, result);
            return result.Failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static void Print(bool json, IngestLoadOptions options, IngestLoadResult r)
    {
        var modeName = options.Baseline ? "healthz (baseline)" : options.Batched ? string.Create(CultureInfo.InvariantCulture, $"batched ({options.Batch}/request)") : "single";
        var apart = r.ServerCpuSeconds is not null;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                mode = modeName,
                options.Clients,
                r.Seconds,
                r.Requests,
                r.Events,
                r.Failures,
                r.RequestsPerSecond,
                r.EventsPerSecond,
                r.P50Ms,
                r.P99Ms,
                r.MaxMs,
                r.CpuMicrosPerRequest,
                r.ServerCpuMicrosPerRequest,
                r.ClientCpuMicrosPerRequest,
                r.CoresUsed,
            }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            return;
        }
        var table = new Table().AddColumns("mode", "clients", "seconds", "events/s", "requests/s", "p50 ms", "p99 ms", "max ms", apart ? "CPU µs/request (server + client)" : "CPU µs/request", "cores", "failed");
        table.AddRow(
            Markup.Escape(modeName),
            options.Clients.ToString(CultureInfo.InvariantCulture),
            r.Seconds.ToString("F1", CultureInfo.InvariantCulture),
            r.EventsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
            r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
            r.P50Ms.ToString("F2", CultureInfo.InvariantCulture),
            r.P99Ms.ToString("F2", CultureInfo.InvariantCulture),
            r.MaxMs.ToString("F2", CultureInfo.InvariantCulture),
            apart
                ? string.Create(CultureInfo.InvariantCulture, $"{r.CpuMicrosPerRequest:F0} ({r.ServerCpuMicrosPerRequest:F0} + {r.ClientCpuMicrosPerRequest:F0})")
                : r.CpuMicrosPerRequest.ToString("F0", CultureInfo.InvariantCulture),
            r.CoresUsed.ToString("F2", CultureInfo.InvariantCulture),
            r.Failures.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
