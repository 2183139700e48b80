using StackExchange.Redis;

namespace Sluice.Connectors.Redis;

/// <summary>
/// Opens StackExchange.Redis connections with errors that name the endpoint and the fix; never the password (messages
/// are built from the endpoints only, and the configuration string is never put in one).
/// </summary>
internal static class RedisConnections
{
    /// <summary>
    /// Connects to the server(s) of <paramref name="configuration"/>, trying <paramref name="attempts"/> times with
    /// exponential backoff (StackExchange.Redis's connect retry).
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string.</param>
    /// <param name="attempts">How many connect attempts; at least 1.</param>
    /// <param name="purpose">Who connects, for messages: "the Redis sink of 'user:{id}'".</param>
    /// <exception cref="RedisSinkException">The configuration is malformed, the server is unreachable after every attempt, or it refused the login.</exception>
    public static ConnectionMultiplexer Connect(string configuration, int attempts, string purpose)
    {
        var (options, endpoints) = Options(configuration, attempts, purpose);
        try
        {
            return ConnectionMultiplexer.Connect(options);
        }
        catch (RedisConnectionException e)
        {
            throw Failure(e, endpoints, attempts, purpose);
        }
    }

    /// <summary>
    /// <see cref="Connect"/> without blocking a thread while connecting: for request paths, where a Redis that is down
    /// must not hold a thread per caller.
    /// </summary>
    /// <exception cref="RedisSinkException">As <see cref="Connect"/>.</exception>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string configuration, int attempts, string purpose)
    {
        var (options, endpoints) = Options(configuration, attempts, purpose);
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw Failure(e, endpoints, attempts, purpose);
        }
    }

    private static (ConfigurationOptions Options, string Endpoints) Options(string configuration, int attempts, string purpose)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException e)
        {
            throw new RedisSinkException($"The Redis configuration of {purpose} is not valid ({e.Message}); write host:port[,password=…][,defaultDatabase=N].");
        }
        if (options.EndPoints.Count == 0)
        {
            throw new RedisSinkException($"The Redis configuration of {purpose} names no endpoint; write host:port[,password=…].");
        }
        options.AbortOnConnectFail = true;
        options.ConnectRetry = attempts;
        options.ReconnectRetryPolicy = new ExponentialRetry(100, 5000);
        options.ClientName = "sluice";
        return (options, Endpoints(options));
    }

    private static RedisSinkException Failure(RedisConnectionException e, string endpoints, int attempts, string purpose) =>
        e.FailureType == ConnectionFailureType.AuthenticationFailure
            ? new RedisSinkException($"Redis at {endpoints} refused the login of {purpose}: wrong password or user. Check 'password' (and 'user') in the configuration.", e)
            : new RedisSinkException($"Cannot reach Redis at {endpoints} for {purpose} after {attempts} attempt{(attempts == 1 ? "" : "s")} ({e.FailureType}). Check that redis-server runs there and the address and port are right.", e);

    /// <summary>
    /// The endpoints of <paramref name="configuration"/>, comma-separated, for an options record's text: never the
    /// password or user; <c>(not a valid configuration)</c> when it does not parse.
    /// </summary>
    public static string Describe(string? configuration)
    {
        try
        {
            return string.Join(",", ConfigurationOptions.Parse(configuration ?? "", ignoreUnknown: true).EndPoints.Select(Format));
        }
        catch (ArgumentException)
        {
            return "(not a valid configuration)";
        }
    }

    /// <summary>
    /// The OpenLineage dataset of keys starting with <paramref name="keyOrPrefix"/> on the server
    /// <paramref name="configuration"/> names first: <c>redis://{host}:{port}</c>, name <c>{database}.{key prefix}</c>.
    /// Only the endpoint and the default database are read: the user and password never become part of a dataset.
    /// </summary>
    public static Lineage.LineageDataset Dataset(string configuration, string keyOrPrefix)
    {
        var options = ConfigurationOptions.Parse(configuration, ignoreUnknown: true);
        var (host, port) = options.EndPoints.Count == 0 ? ("localhost", 0) : options.EndPoints[0] switch
        {
            System.Net.DnsEndPoint dns => (dns.Host, dns.Port),
            System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            var other => (other.ToString() ?? "localhost", 0),
        };
        return Lineage.DatasetNames.Redis(host, port == 0 ? null : port, options.DefaultDatabase ?? 0, keyOrPrefix);
    }

    /// <summary>The endpoints of <paramref name="options"/>, comma-separated: safe to show.</summary>
    public static string Endpoints(ConfigurationOptions options) => string.Join(", ", options.EndPoints.Select(Format));

    /// <summary>An endpoint as host:port.</summary>
    public static string Format(System.Net.EndPoint endpoint) => endpoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "?",
    };
}
