using StackExchange.Redis;

namespace Sluice.Connectors.Redis.Tests;

/// <summary>One Redis server for the whole test assembly (<see cref="RedisCollection"/>); each test works under its own key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _client;

    /// <summary>The running server.</summary>
    public RedisServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>A plain client, for the tests' own reads and writes.</summary>
    public IDatabase Database => (_client ?? throw new InvalidOperationException("The server has not started.")).GetDatabase();

    /// <summary>A fresh key prefix for one test.</summary>
    public static string NewPrefix(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The hash at <paramref name="key"/> as field → value text, ordered by field.</summary>
    public SortedDictionary<string, string> Hash(string key) =>
        new(Database.HashGetAll(key).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString()), StringComparer.Ordinal);

    /// <summary>
    /// Makes Redis hold every write (scripts included) of every client for <paramref name="milliseconds"/>
    /// (<c>CLIENT PAUSE … WRITE</c>; reads go on): a reply a test can keep outstanding without sleeping.
    /// </summary>
    public void PauseWrites(int milliseconds) => Database.Execute("CLIENT", "PAUSE", milliseconds, "WRITE");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _client = await ConnectionMultiplexer.ConnectAsync(_server.Configuration + ",allowAdmin=true"); // admin: CLIENT PAUSE
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The test classes sharing <see cref="RedisFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "redis";
}
