using Sluice.Tests.Shared;

namespace Sluice.Benchmarks.Redis;

/// <summary>
/// The Redis a Redis benchmark runs against: the server a configuration names, or — with none — a private
/// redis-server on a free loopback port, started here and stopped by <see cref="Dispose"/>. One setup for every
/// Redis benchmark.
/// </summary>
internal sealed class BenchRedisServer : IDisposable
{
    private readonly RedisServer? _private;

    private BenchRedisServer(RedisServer? server, string configuration)
    {
        _private = server;
        Configuration = configuration;
    }

    /// <summary>The StackExchange.Redis configuration to connect with.</summary>
    public string Configuration { get; }

    /// <summary>Uses <paramref name="configuration"/>, or starts a private redis-server when it is null.</summary>
    public static BenchRedisServer Start(string? configuration)
    {
        if (configuration is not null)
        {
            return new BenchRedisServer(null, configuration);
        }
        var server = RedisServer.StartAsync().GetAwaiter().GetResult();
        return new BenchRedisServer(server, server.Configuration);
    }

    /// <summary>Stops the private server, if one was started.</summary>
    public void Dispose() => _private?.Dispose();
}
