using System.Globalization;
using System.Text;

namespace Sluice.Connectors.Redis;

/// <summary>Where and how the Redis feature-store sink writes (<see cref="Sinks.RedisSink{T}"/>).</summary>
public sealed record RedisSinkOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string: <c>host:port[,password=…][,user=…][,defaultDatabase=N][,ssl=true]</c>.
    /// Only its endpoints ever appear in messages; the password is never logged or shown.
    /// </summary>
    public required string Configuration { get; init; }

    /// <summary>
    /// The key of an entity's hash: text with <c>{field}</c> placeholders replaced by the record's field values, such
    /// as <c>user:{user_id}</c> or <c>price:{shop}:{sku}</c>. Every placeholder names a field; a record whose key field is
    /// null is refused. A placeholder field is not written as a feature unless <see cref="Features"/> names it.
    /// </summary>
    public required string KeyPattern { get; init; }

    /// <summary>The fields written as hash fields (features); null (the default) writes every field that is not in the key pattern.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The time to live of an entity's hash, renewed by each write; null (the default) keeps keys forever.</summary>
    public TimeSpan? KeyTtl { get; init; }

    /// <summary>
    /// Times to live of single features (hash fields), renewed by each write of the feature. Needs Redis 7.4 or later
    /// (<c>HPEXPIRE</c>); the sink refuses to start against an older server. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> FeatureTtl { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>How many entities one round trip writes (one script call); at least 1. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>How many batches a subtask keeps in flight (pipelined) before it waits for the oldest; at least 1. Default 16.</summary>
    public int MaxBatchesInFlight { get; init; } = 16;

    /// <summary>
    /// The hash field holding the version of an entity's last write: the checkpoint epoch it belongs to (see
    /// <see cref="Sinks.RedisSink{T}"/>). Default <c>_sluice_version</c>.
    /// </summary>
    public string VersionField { get; init; } = "_sluice_version";

    /// <summary>How many times connecting is tried (with exponential backoff) before the job fails; at least 1. Default 5.</summary>
    public int ConnectAttempts { get; init; } = 5;

    // The record's ToString shows the configuration's endpoints only, never its password or user.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Configuration = ").Append(RedisConnections.Describe(Configuration))
            .Append(", KeyPattern = ").Append(KeyPattern)
            .Append(", Features = ").Append(Features is null ? "(all)" : string.Join(",", Features))
            .Append(", KeyTtl = ").Append(KeyTtl?.ToString("c", CultureInfo.InvariantCulture) ?? "(none)")
            .Append(", FeatureTtl = ").Append(string.Join(",", FeatureTtl.Select(static t => t.Key + "=" + t.Value.ToString("c", CultureInfo.InvariantCulture))))
            .Append(", BatchSize = ").Append(BatchSize)
            .Append(", MaxBatchesInFlight = ").Append(MaxBatchesInFlight)
            .Append(", VersionField = ").Append(VersionField)
            .Append(", ConnectAttempts = ").Append(ConnectAttempts);
        return true;
    }
}
