using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Connectors.Redis;
using StackExchange.Redis;

namespace Sluice.Server.Decisions;

/// <summary>A user's latest decision, as <c>GET /api/decide/{user}</c> answers it.</summary>
/// <param name="User">The user asked for.</param>
/// <param name="Score">The fraud score in [0, 1].</param>
/// <param name="Decision">The verdict: <c>approve</c>, <c>review</c> or <c>decline</c>.</param>
/// <param name="TransactionId">The transaction the decision is about.</param>
/// <param name="Ts">That transaction's event time, Unix ms.</param>
internal sealed record DecisionView(string User, double Score, string Decision, string TransactionId, long Ts);

/// <summary>
/// The decision API, read-only: <c>GET /api/decide/{user}</c> reads the user's hash from Redis
/// (<see cref="DecisionStoreOptions"/>) at the call and answers its latest score and decision; 404 naming the user when
/// there is none. Mapped only when <see cref="SluiceServerOptions.Decisions"/> is set. One connection per server,
/// opened asynchronously at the first call (so a server starts while Redis is still down, and no request thread waits on
/// a connect: concurrent calls share the one attempt, and other endpoints are served meanwhile); a failed attempt is
/// forgotten, so the next call tries again. A Redis that cannot be reached is answered 503 naming the endpoint, never
/// its password.
/// </summary>
internal static class DecisionEndpoints
{
    private const string Tag = "decisions";

    /// <summary>Registers the Redis reader when the server has a decision store.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server)
    {
        if (server.Options.Decisions is { } options)
        {
            services.AddSingleton(_ => new DecisionReader(options)); // built by the container, so disposed with the host
        }
    }

    /// <summary>Maps <c>GET /api/decide/{user}</c> when the server has a decision store.</summary>
    public static void Map(IEndpointRouteBuilder endpoints, ServerContext server)
    {
        if (server.Options.Decisions is null)
        {
            return;
        }
        endpoints.MapGet("/api/decide/{user}", static async (string user, DecisionReader reader) => await reader.ReadAsync(user).ConfigureAwait(false))
            .WithTags(Tag).WithSummary("The user's latest fraud score and decision (approve, review or decline), read from Redis at the call.")
            .Produces<DecisionView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Reads decision hashes; thread-safe. Disposed with the host, closing its connection.</summary>
    internal sealed class DecisionReader(DecisionStoreOptions options) : IDisposable
    {
        private readonly Lock _lock = new();
        private Task<ConnectionMultiplexer>? _connecting;
        private bool _disposed;

        public async Task<IResult> ReadAsync(string user)
        {
            var key = options.KeyPattern.Replace("{user}", user, StringComparison.Ordinal);
            HashEntry[] entries;
            try
            {
                entries = await (await ConnectionAsync().ConfigureAwait(false)).GetDatabase().HashGetAllAsync(key).ConfigureAwait(false);
            }
            catch (RedisSinkException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Decision store unavailable", detail: e.Message);
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Decision store unavailable",
                    detail: $"Reading key '{key}' from Redis at {Endpoints()} failed ({e.GetType().Name}); try again, and check that redis-server runs there.");
            }
            catch (RedisServerException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Decision store error",
                    detail: $"Redis at {Endpoints()} refused to read key '{key}' as a hash: {e.Message}.");
            }
            if (entries.Length == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No decision",
                    detail: $"There is no decision for user '{user}' (Redis key '{key}' is absent): the user has made no transaction yet, or the pipeline has not written it.");
            }
            var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            if (!fields.TryGetValue("score", out var scoreText) || !double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
                || !fields.TryGetValue("decision", out var decision)
                || !fields.TryGetValue("transaction_id", out var transactionId)
                || !fields.TryGetValue("ts", out var tsText) || !long.TryParse(tsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ts))
            {
                return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Malformed decision",
                    detail: $"Redis key '{key}' is not a decision: it needs the fields score (a number), decision, transaction_id and ts (Unix ms); it has {string.Join(", ", fields.Keys.Order(StringComparer.Ordinal))}.");
            }
            return Results.Ok(new DecisionView(user, score, decision, transactionId, ts));
        }

        public void Dispose()
        {
            Task<ConnectionMultiplexer>? connecting;
            lock (_lock)
            {
                _disposed = true;
                connecting = _connecting;
                _connecting = null;
            }
            if (connecting is { IsCompletedSuccessfully: true })
            {
                connecting.Result.Dispose();
            }
            else
            {
                // Still connecting (or failed): close the connection when (if) it comes.
                connecting?.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }

        /// <summary>The connection, or the attempt under way; a failed attempt is dropped so the next call starts another.</summary>
        private async Task<ConnectionMultiplexer> ConnectionAsync()
        {
            Task<ConnectionMultiplexer> connecting;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                connecting = _connecting ??= RedisConnections.ConnectAsync(options.RedisConfiguration, 1, "the decision API (GET /api/decide/{user})");
            }
            try
            {
                return await connecting.ConfigureAwait(false);
            }
            catch (Exception) when (connecting.IsFaulted || connecting.IsCanceled)
            {
                // Whatever the attempt failed with, it is not kept: the next call tries again.
                lock (_lock)
                {
                    if (ReferenceEquals(_connecting, connecting))
                    {
                        _connecting = null;
                    }
                }
                throw;
            }
        }

        private string Endpoints() => RedisConnections.Endpoints(ConfigurationOptions.Parse(options.RedisConfiguration));
    }
}
