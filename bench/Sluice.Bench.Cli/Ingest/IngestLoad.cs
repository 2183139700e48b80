using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Sluice.Bench.Cli.Ingest;

/// <summary>How <c>sluice bench ingest</c> loads the server.</summary>
/// <param name="Batched">True: NDJSON bodies of <paramref name="Batch"/> events; false: one JSON object per request.</param>
/// <param name="Batch">Events per request in batched mode.</param>
/// <param name="Clients">Concurrent clients, each with its own keep-alive connection.</param>
/// <param name="Duration">How long to measure (after the warm-up).</param>
/// <param name="Warmup">How long to load the server before measuring.</param>
/// <param name="Baseline">True: GET /healthz instead of ingesting (the HTTP stack and the load generator alone).</param>
internal sealed record IngestLoadOptions(bool Batched, int Batch, int Clients, TimeSpan Duration, TimeSpan Warmup, bool Baseline = false);

/// <summary>What one run measured: events and requests acknowledged (202) in the measured window, their latency, and
/// the CPU time used in that window: <paramref name="CpuSeconds"/> by this process (the load generator, and the server
/// when it runs in-process), <paramref name="ServerCpuSeconds"/> by the server's own process when it runs apart (else null).</summary>
internal sealed record IngestLoadResult(double Seconds, long Requests, long Events, long Failures, double P50Ms, double P99Ms, double MaxMs, double CpuSeconds, double? ServerCpuSeconds = null)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double EventsPerSecond => Events / Seconds;

    /// <summary>CPU time per acknowledged request (µs): server and client together (both processes when the server runs
    /// apart). Less sensitive to other processes on the machine than the rates, as long as they leave the run some CPU.</summary>
    public double CpuMicrosPerRequest => Requests == 0 ? 0 : (CpuSeconds + (ServerCpuSeconds ?? 0)) * 1e6 / Requests;

    /// <summary>The server process's CPU time per acknowledged request (µs), when it runs apart; else null.</summary>
    public double? ServerCpuMicrosPerRequest => ServerCpuSeconds is { } s && Requests > 0 ? s * 1e6 / Requests : null;

    /// <summary>The load generator's CPU time per acknowledged request (µs), when the server runs apart; else null.</summary>
    public double? ClientCpuMicrosPerRequest => ServerCpuSeconds is not null && Requests > 0 ? CpuSeconds * 1e6 / Requests : null;

    /// <summary>Cores the run (both processes when the server runs apart) used on average in the measured window.</summary>
    public double CoresUsed => (CpuSeconds + (ServerCpuSeconds ?? 0)) / Seconds;
}

/// <summary>
/// The load generator of <c>sluice bench ingest</c>: <see cref="IngestLoadOptions.Clients"/> tasks, each sending
/// requests back to back over one shared <see cref="SocketsHttpHandler"/> (one keep-alive connection per client),
/// timing each request from send to the end of its answer. Events are ~120-byte JSON objects with a unique id; bodies
/// are prepared before the run so the generator spends its CPU on HTTP only.
/// </summary>
internal static class IngestLoad
{
    /// <summary>Runs the load against <paramref name="url"/> (<c>…/ingest/{topic}</c>) and returns what was measured;
    /// <paramref name="serverCpu"/> reads the CPU time of a server running in another process (null: it runs in this one).</summary>
    public static async Task<IngestLoadResult> RunAsync(Uri url, string token, IngestLoadOptions options, Func<TimeSpan>? serverCpu, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var bodies = Bodies(options);
        var healthz = new Uri(url, "/healthz");
        var mediaType = new MediaTypeHeaderValue(options.Batched ? "application/x-ndjson" : "application/json");
        var eventsPerRequest = options.Batched ? options.Batch : 1;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        var perClient = new List<long>[options.Clients];
        var failures = new long[options.Clients];
        var tasks = new Task[options.Clients];
        for (var c = 0; c < options.Clients; c++)
        {
            var index = c;
            perClient[c] = new List<long>(1 << 16);
            tasks[c] = Task.Run(async () =>
            {
                var i = index;
                while (!cancellationToken.IsCancellationRequested)
                {
                    var sent = Stopwatch.GetTimestamp();
                    if (sent >= measureTo)
                    {
                        return;
                    }
                    using var content = new ByteArrayContent(bodies[i++ % bodies.Length]);
                    content.Headers.ContentType = mediaType;
                    using var response = options.Baseline
                        ? await client.GetAsync(healthz, cancellationToken).ConfigureAwait(false)
                        : await client.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
                    await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                    var done = Stopwatch.GetTimestamp();
                    if (sent < measureFrom || done > measureTo)
                    {
                        continue;
                    }
                    if (response.StatusCode == (options.Baseline ? HttpStatusCode.OK : HttpStatusCode.Accepted))
                    {
                        perClient[index].Add(done - sent);
                    }
                    else
                    {
                        failures[index]++;
                    }
                }
            }, cancellationToken);
        }
        // The process's CPU time over the measured window (a timer, not a client, so it costs the clients nothing).
        var untilMeasured = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom);
        if (untilMeasured > TimeSpan.Zero)
        {
            await Task.Delay(untilMeasured, cancellationToken).ConfigureAwait(false);
        }
        var cpuFrom = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpuFrom = serverCpu?.Invoke() ?? TimeSpan.Zero;
        await Task.Delay(options.Duration, cancellationToken).ConfigureAwait(false);
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuFrom).TotalSeconds;
        double? serverCpuSeconds = serverCpu is null ? null : (serverCpu() - serverCpuFrom).TotalSeconds;
        await Task.WhenAll(tasks).ConfigureAwait(false);

        var all = new List<long>();
        foreach (var list in perClient)
        {
            all.AddRange(list);
        }
        all.Sort();
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double Percentile(double p) => all.Count == 0 ? 0 : Ms(all[Math.Min(all.Count - 1, (int)Math.Ceiling(p * all.Count) - 1)]);
        return new IngestLoadResult(options.Duration.TotalSeconds, all.Count, (long)all.Count * eventsPerRequest, failures.Sum(), Percentile(0.50), Percentile(0.99),
            all.Count == 0 ? 0 : Ms(all[^1]), cpuSeconds, serverCpuSeconds);
    }

    /// <summary>One event: a JSON object with a unique id, a user, a page and an amount (about 120 bytes).</summary>
    public static string Event(string id, int n) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"id":"{{id}}","user":"user-{{n % 9973}}","page":"/products/{{n % 311}}","amount":{{n % 1000}}.{{n % 100:D2}},"ts":{{1_796_000_000_000L + n}}}""");

    private static byte[][] Bodies(IngestLoadOptions options)
    {
        var bodies = new byte[Math.Max(64, options.Clients * 2)][];
        var n = 0;
        for (var b = 0; b < bodies.Length; b++)
        {
            if (!options.Batched)
            {
                bodies[b] = Encoding.UTF8.GetBytes(Event($"e{n}", n++));
                continue;
            }
            var text = new StringBuilder(options.Batch * 128);
            for (var e = 0; e < options.Batch; e++, n++)
            {
                text.Append(Event($"e{n}", n)).Append('\n');
            }
            bodies[b] = Encoding.UTF8.GetBytes(text.ToString());
        }
        return bodies;
    }
}
