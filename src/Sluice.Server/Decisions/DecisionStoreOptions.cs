using System.Text;

namespace Sluice.Server.Decisions;

/// <summary>
/// Where <c>GET /api/decide/{user}</c> reads decisions: the Redis hashes a decision pipeline writes (such as the
/// decision example's <c>decision:{user_id}</c>, fields <c>score</c>, <c>decision</c>, <c>transaction_id</c>, <c>ts</c>).
/// Immutable.
/// </summary>
public sealed record DecisionStoreOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string (<c>host:port[,password=…]</c>). Only its endpoints ever appear in
    /// answers and logs; the password never does.
    /// </summary>
    public required string RedisConfiguration { get; init; }

    /// <summary>The key of a user's decision hash: <c>{user}</c> is replaced by the user id of the request. Default <c>decision:{user}</c>.</summary>
    public string KeyPattern { get; init; } = "decision:{user}";

    // The record's ToString (also printed within SluiceServerOptions') shows the endpoints only, never the password.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("RedisConfiguration = ").Append(Sluice.Connectors.Redis.RedisConnections.Describe(RedisConfiguration))
            .Append(", KeyPattern = ").Append(KeyPattern);
        return true;
    }
}
