using System.Globalization;
using System.Net.Http.Headers;
using Sluice.Log;
using Sluice.Ml;
using Sluice.Server;
using Sluice.Server.Decisions;
using StackExchange.Redis;

namespace Sluice.Examples.Decision;

/// <summary>Options of the decision example.</summary>
/// <param name="DataDirectory">The server's data directory is <c>server/</c> under it, the job's checkpoints <c>checkpoints/</c>, the trained model <c>model/</c>.</param>
/// <param name="Redis">The StackExchange.Redis configuration of the feature store (<c>host:port[,password=…]</c>).</param>
/// <param name="Port">The server's port on 127.0.0.1; 0 picks a free one.</param>
/// <param name="Parallelism">Subtasks per operator.</param>
/// <param name="CheckpointInterval">How often the job checkpoints; null: every second.</param>
public sealed record DecisionOptions(string DataDirectory, string Redis, int Port = 0, int Parallelism = 2, TimeSpan? CheckpointInterval = null);

/// <summary>
/// The decision path, running: a Sluice server on 127.0.0.1 (HTTP ingest into topic <c>transactions</c>, and
/// <c>GET /api/decide/{user}</c> over the Redis the pipeline writes) and the <see cref="DecisionPipeline"/> job following
/// the topic in this process. <see cref="IngestAsync"/> posts transactions as a client would;
/// <see cref="WaitUntilDecidedAsync"/> waits until Redis holds the decision of each user's latest one. Dispose stops the
/// job (draining what it read) and the server. Not thread-safe.
/// </summary>
public sealed class DecisionHost : IAsyncDisposable
{
    private readonly SluiceServer _server;
    private readonly JobClient _job;
    private readonly HttpClient _http;
    private readonly ConnectionMultiplexer _redis;

    private DecisionHost(SluiceServer server, JobClient job, ConnectionMultiplexer redis, string modelPath)
    {
        ModelPath = modelPath;
        _server = server;
        _job = job;
        _redis = redis;
        _http = new HttpClient { BaseAddress = server.Address };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
    }

    /// <summary>The server's address (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri Address => _server.Address;

    /// <summary>The API token ingest needs (show it to the user who started the example, never log it).</summary>
    public string Token => _server.Token;

    /// <summary>The records topic <c>transactions</c> held when the host started (a rerun over the same directory continues it).</summary>
    public long RecordsAtStart { get; private init; }

    /// <summary>The decision model's ONNX file the job scores with (<see cref="DecisionModel.EnsureOnnx"/>, under <c>model/</c>).</summary>
    public string ModelPath { get; }

    /// <summary>The running job.</summary>
    public JobClient Job => _job;

    /// <summary>
    /// Starts the server (creating topic <c>transactions</c>, 2 partitions, when missing) and the job, scoring with the
    /// decision model in <c>model/</c> (trained there first when missing, about a second).
    /// </summary>
    /// <exception cref="Sluice.Connectors.Redis.RedisSinkException">Redis is unreachable or refuses the login (the message names the endpoint).</exception>
    public static async Task<DecisionHost> StartAsync(DecisionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.GetFullPath(options.DataDirectory);
        var modelPath = DecisionModel.EnsureOnnx(Path.Combine(root, "model"));
        var model = OnnxModel.Load(modelPath, LogisticFraudModel.InputName, LogisticFraudModel.OutputName);
        var redis = ConnectionMultiplexer.Connect(options.Redis);
        SluiceServer? server = null;
        try
        {
            server = await SluiceServer.StartAsync(new SluiceServerOptions
            {
                DataDirectory = Path.Combine(root, "server"),
                Port = options.Port,
                Decisions = new DecisionStoreOptions { RedisConfiguration = options.Redis, KeyPattern = "decision:{user}" },
            }, cancellationToken).ConfigureAwait(false);
            var topic = server.Log.TryGetTopic(DecisionInput.Topic, out var existing) ? existing : server.Log.CreateTopic(DecisionInput.Topic, new TopicConfig { Partitions = 2 });
            long held = 0;
            foreach (var partition in topic.Partitions)
            {
                held += partition.EndOffset - partition.LogStartOffset;
            }
            var env = StreamEnvironment.Create(DecisionPipeline.JobOptions(Path.Combine(root, "checkpoints"), options.Parallelism, options.CheckpointInterval ?? TimeSpan.FromSeconds(1)));
            DecisionPipeline.Build(env, server.Log, options.Redis, model);
            var job = env.Start(cancellationToken);
            return new DecisionHost(server, job, redis, modelPath) { RecordsAtStart = held };
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            await redis.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Posts <paramref name="transactions"/> to <c>POST /ingest/transactions?key=userId</c> in NDJSON batches of <paramref name="batchSize"/>, each durable when its call returns.</summary>
    /// <exception cref="HttpRequestException">The server refused a batch (the message holds its problem detail).</exception>
    public async Task IngestAsync(IReadOnlyList<CardTransaction> transactions, int batchSize = 500, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        for (var first = 0; first < transactions.Count; first += batchSize)
        {
            var batch = transactions.Skip(first).Take(batchSize);
            using var content = new StringContent(DecisionInput.Ndjson(batch), System.Text.Encoding.UTF8, "application/x-ndjson");
            using var answer = await _http.PostAsync(new Uri($"ingest/{DecisionInput.Topic}?key=userId", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode)
            {
                var detail = await answer.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new HttpRequestException($"Ingest of transactions {first}-{first + batchSize - 1} was answered {(int)answer.StatusCode}: {detail}");
            }
        }
    }

    /// <summary>
    /// Waits until, for every user of <paramref name="transactions"/>, Redis holds the decision of their latest transaction
    /// (polling every 50 ms); returns false when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<bool> WaitUntilDecidedAsync(IReadOnlyList<CardTransaction> transactions, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var latest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in transactions)
        {
            latest[t.UserId] = t.TransactionId;
        }
        var users = latest.Keys.ToArray();
        var database = _redis.GetDatabase();
        var deadline = DateTime.UtcNow + timeout;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var reads = users.Select(u => database.HashGetAsync("decision:" + u, "transaction_id")).ToArray();
            var values = await Task.WhenAll(reads).ConfigureAwait(false);
            var decided = true;
            for (var i = 0; i < users.Length && decided; i++)
            {
                decided = values[i] == latest[users[i]];
            }
            if (decided)
            {
                return true;
            }
            if (DateTime.UtcNow > deadline || _job.Completion.IsCompleted)
            {
                return false;
            }
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Calls <c>GET /api/decide/{user}</c>: the status and the body.</summary>
    public async Task<(int Status, string Body)> DecideAsync(string user, CancellationToken cancellationToken = default)
    {
        using var answer = await _http.GetAsync(new Uri("api/decide/" + Uri.EscapeDataString(user), UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The fields of Redis hash <paramref name="key"/>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadHashAsync(string key)
    {
        var entries = await _redis.GetDatabase().HashGetAllAsync(key).ConfigureAwait(false);
        return entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
    }

    /// <summary>Stops the job (draining what it read), then the server; closes the clients.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_job.Completion.IsCompleted)
            {
                await _job.StopAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _http.Dispose();
            await _server.DisposeAsync().ConfigureAwait(false);
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Text of <paramref name="value"/> for messages.</summary>
    internal static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
