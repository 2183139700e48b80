using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Sluice.Log;
using Sluice.Server;

namespace Sluice.Bench.Cli.Ingest;

/// <summary>
/// <c>sluice chaos ingest</c>: kill -9 for HTTP ingest. The driver runs a Sluice server as a child process
/// (<c>chaos ingest-server</c>) and drives it with clients that send NDJSON batches of events with unique ids, each
/// batch under its own Idempotency-Key, retrying a batch (same key, same body) until it is acknowledged. After a seeded
/// number of acknowledged batches it kills the server (SIGKILL), starts it again over the same data directory, and the
/// clients retry what was in flight. At the end every batch is acknowledged, and the topic must hold every event
/// exactly once: none lost (acknowledged, or retried after the kill) and none duplicated. Exit code 0 = PASS.
/// </summary>
internal static class IngestChaosCommand
{
    private const string Topic = "chaos-ingest";

    /// <summary>Builds <c>chaos ingest</c>.</summary>
    public static Command Create()
    {
        var kills = new Option<int>("--kills") { Description = "Kills of the server while the clients load it (0 to 1000).", DefaultValueFactory = _ => 3 }.MustBeBetween(0, 1000);
        var clients = new Option<int>("--clients") { Description = "Concurrent clients (1 to 256).", DefaultValueFactory = _ => 8 }.MustBeBetween(1, 256);
        var batches = new Option<int>("--batches") { Description = "Batches each client sends (1 to 1000000).", DefaultValueFactory = _ => 200 }.MustBeBetween(1, 1_000_000);
        var batch = new Option<int>("--batch") { Description = "Events per batch (1 to 10000).", DefaultValueFactory = _ => 20 }.MustBeBetween(1, 10_000);
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the topic; events are keyed by id, so a batch spans them (1 to 64).", DefaultValueFactory = _ => 2 }.MustBeBetween(1, 64);
        var seed = new Option<int>("--seed") { Description = "Seed of the kill points.", DefaultValueFactory = _ => 1 };
        var workDir = new Option<string?>("--work-dir") { Description = "Where the server's data directory goes (default: a new temp directory, deleted on PASS)." };
        var command = new Command("ingest", "Kill -9 the server under HTTP ingest load with retrying idempotent clients; check the topic holds every event exactly once.")
        {
            kills, clients, batches, batch, partitions, seed, workDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var work = parse.GetValue(workDir);
            var root = work is null ? Directory.CreateTempSubdirectory("sluice-chaos-ingest-").FullName : DataDirectories.CreateWritable(work, "chaos work directory");
            var options = new Options(parse.GetValue(kills), parse.GetValue(clients), parse.GetValue(batches), parse.GetValue(batch), parse.GetValue(partitions), parse.GetValue(seed), Path.Combine(root, "server"));
            var pass = await RunAsync(options, cancellationToken).ConfigureAwait(false);
            if (pass && work is null)
            {
                Directory.Delete(root, recursive: true);
            }
            return pass ? 0 : 1;
        });
        return command;
    }

    /// <summary>Builds <c>chaos ingest-server</c>, the child: a server on a free loopback port over a data directory;
    /// prints <c>listening URL TOKEN</c> and runs until killed or its stdin closes.</summary>
    public static Command CreateServer()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The server's data directory.", Required = true };
        var command = new Command("ingest-server", "The child of 'chaos ingest': a Sluice server on a free loopback port; prints 'listening <url> <token>' and runs until its stdin closes.") { dataDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var server = await SluiceServer.StartAsync(new SluiceServerOptions { DataDirectory = parse.GetValue(dataDir)!, Port = 0 }, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"listening {server.Address} {server.Token}");
            Console.Out.Flush();
            await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private sealed record Options(int Kills, int Clients, int Batches, int Batch, int Partitions, int Seed, string DataDirectory);

    private static async Task<bool> RunAsync(Options options, CancellationToken cancellationToken)
    {
        var total = (long)options.Clients * options.Batches;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos ingest: {options.Clients} clients × {options.Batches} batches × {options.Batch} events, {options.Partitions} partitions, {options.Kills} kills, data in {options.DataDirectory}"));
        var random = new Random(options.Seed);
        var killAt = new long[options.Kills];
        for (var k = 0; k < killAt.Length; k++)
        {
            killAt[k] = 1 + random.NextInt64(Math.Max(1, total * 9 / 10));
        }
        Array.Sort(killAt);

        var server = await ChildIngestServer.StartAsync(options.DataDirectory, cancellationToken).ConfigureAwait(false);
        var state = new LoadState(server);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, UseProxy = false };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var clients = new Task[options.Clients];
        for (var c = 0; c < clients.Length; c++)
        {
            clients[c] = RunClientAsync(http, state, options, c, cancellationToken);
        }
        var kills = 0;
        var retriesAfterKills = 0L;
        foreach (var point in killAt)
        {
            await state.WaitForAcknowledgedAsync(point, cancellationToken).ConfigureAwait(false);
            var acknowledged = state.Acknowledged;
            state.Current.Kill();
            kills++;
            var restarted = await ChildIngestServer.StartAsync(options.DataDirectory, cancellationToken).ConfigureAwait(false);
            state.Replace(restarted);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill {kills}: SIGKILL after {acknowledged} acknowledged batches; restarted at {restarted.Address}"));
        }
        await Task.WhenAll(clients).ConfigureAwait(false);
        retriesAfterKills = state.Retries;
        await state.Current.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

        var (events, duplicates, missing, unexpected) = Verify(options);
        var pass = duplicates == 0 && missing == 0 && unexpected == 0 && events == total * options.Batch;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos ingest: {kills} kills, {state.Acknowledged} batches acknowledged, {retriesAfterKills} retries, {events} events in the topic (expected {total * options.Batch}), {duplicates} duplicated, {missing} missing, {unexpected} unknown"));
        Console.WriteLine(pass ? "verdict: PASS" : "verdict: FAIL");
        return pass;
    }

    private static async Task RunClientAsync(HttpClient http, LoadState state, Options options, int client, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var body = new StringBuilder(options.Batch * 128);
        for (var b = 0; b < options.Batches; b++)
        {
            body.Clear();
            for (var e = 0; e < options.Batch; e++)
            {
                body.Append(IngestLoad.Event(EventId(client, b, e), (b * options.Batch) + e)).Append('\n');
            }
            var bytes = Encoding.UTF8.GetBytes(body.ToString());
            var key = string.Create(CultureInfo.InvariantCulture, $"c{client}-b{b}");
            var attempt = 0;
            while (true)
            {
                var server = state.Current;
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, string.Create(CultureInfo.InvariantCulture, $"ingest/{Topic}?key=id&create=true&partitions={options.Partitions}")))
                {
                    Content = new ByteArrayContent(bytes),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
                request.Headers.Add("Idempotency-Key", key);
                HttpStatusCode? status = null;
                try
                {
                    using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    status = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                if (status == HttpStatusCode.Accepted)
                {
                    state.OnAcknowledged(attempt > 0);
                    break;
                }
                if (status is not null and not HttpStatusCode.TooManyRequests and not HttpStatusCode.Conflict and < HttpStatusCode.InternalServerError)
                {
                    throw new InvalidOperationException($"Batch {key} was refused with {(int)status}: the chaos clients send only valid batches.");
                }
                attempt++;
                // The server is gone (killed) or busy: wait for the driver to start the next one, or back off briefly.
                await state.WaitForReplacementAsync(server, TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static string EventId(int client, int batch, int e) => string.Create(CultureInfo.InvariantCulture, $"c{client}-b{batch}-e{e}");

    private static (long Events, long Duplicates, long Missing, long Unexpected) Verify(Options options)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < options.Clients; c++)
        {
            for (var b = 0; b < options.Batches; b++)
            {
                for (var e = 0; e < options.Batch; e++)
                {
                    expected.Add(EventId(c, b, e));
                }
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long events = 0, duplicates = 0, unexpected = 0;
        using var log = PartitionedLog.Open(Path.Combine(options.DataDirectory, "log"), new LogOptions { ReadOnly = true, MaintenanceInterval = null });
        var topic = log.GetTopic(Topic);
        using var result = new FetchResult();
        foreach (var partition in topic.Partitions)
        {
            var offset = partition.LogStartOffset;
            while (offset < partition.EndOffset)
            {
                partition.Fetch(offset, new FetchOptions(MaxRecords: 10_000), result);
                foreach (var record in result)
                {
                    events++;
                    using var doc = JsonDocument.Parse(record.Value.ToArray());
                    var id = doc.RootElement.GetProperty("id").GetString()!;
                    if (!expected.Contains(id))
                    {
                        unexpected++;
                    }
                    else if (!seen.Add(id))
                    {
                        duplicates++;
                    }
                }
                offset = result.NextOffset;
            }
        }
        return (events, duplicates, expected.Count - seen.Count, unexpected);
    }

    /// <summary>The clients' view of the server: the current child, progress, and a signal when a child replaces a killed one.</summary>
    private sealed class LoadState(ChildIngestServer first)
    {
        private readonly Lock _lock = new();
        private ChildIngestServer _current = first;
        private TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _acknowledged;
        private long _retries;

        public ChildIngestServer Current
        {
            get
            {
                lock (_lock)
                {
                    return _current;
                }
            }
        }

        public long Acknowledged => Interlocked.Read(ref _acknowledged);

        public long Retries => Interlocked.Read(ref _retries);

        public void OnAcknowledged(bool retried)
        {
            Interlocked.Increment(ref _acknowledged);
            if (retried)
            {
                Interlocked.Increment(ref _retries);
            }
            Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        public async Task WaitForAcknowledgedAsync(long count, CancellationToken cancellationToken)
        {
            while (true)
            {
                var signal = Volatile.Read(ref _progress).Task;
                if (Acknowledged >= count)
                {
                    return;
                }
                await signal.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            }
        }

        public void Replace(ChildIngestServer next)
        {
            TaskCompletionSource replaced;
            lock (_lock)
            {
                _current = next;
                replaced = _replaced;
                _replaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            replaced.TrySetResult();
        }

        /// <summary>Returns once a server other than <paramref name="failed"/> is current, or after <paramref name="backoff"/>
        /// when <paramref name="failed"/> is still alive (it was busy, not killed).</summary>
        public async Task WaitForReplacementAsync(ChildIngestServer failed, TimeSpan backoff, CancellationToken cancellationToken)
        {
            Task replaced;
            lock (_lock)
            {
                if (!ReferenceEquals(_current, failed))
                {
                    return;
                }
                replaced = _replaced.Task;
            }
            if (failed.HasExited)
            {
                await replaced.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.WhenAny(replaced, Task.Delay(backoff, cancellationToken)).ConfigureAwait(false);
            }
        }
    }
}
