using Sluice.Connectors.Redis.Lookup;
using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Redis;

/// <summary>Redis hashes as a lookup table of the DataStream API (<see cref="DataStream{T}.LookupAsync{TOut}"/>).</summary>
public static class RedisLookups
{
    /// <summary>
    /// A lookup source of the hashes the Redis sink writes: the key is made from the lookup key with
    /// <paramref name="keyPattern"/> (e.g. <c>user:{user_id}</c>), one pipelined batch of <c>HGETALL</c>s answers a
    /// whole batch of keys, and the hash fields become the columns of <paramref name="schema"/> (parsed by column type; a
    /// column without a field is NULL; a missing hash finds no row). The key schema is the pattern's columns, in pattern
    /// order. Connects on <see cref="IAsyncLookupSource.Open"/>; call once per subtask (pass it as a factory).
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string (<c>127.0.0.1:6379,password=…</c>).</param>
    /// <param name="keyPattern">The key pattern; every <c>{column}</c> is a column of <paramref name="schema"/>.</param>
    /// <param name="schema">The hash's columns, scalar types only.</param>
    /// <param name="table">The name errors use for the table; the pattern by default.</param>
    /// <exception cref="ArgumentException">The pattern names no column or an unknown one, or a column is not scalar.</exception>
    public static IAsyncLookupSource Create(string configuration, string keyPattern, Schema schema, string? table = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentNullException.ThrowIfNull(schema);
        var pattern = RedisKeyPattern.Parse(keyPattern, schema);
        foreach (var field in schema)
        {
            if (!RedisFeatureValues.IsSupported(field.Type.Kind))
            {
                throw new ArgumentException($"Column '{field.Name}' is {field.Type}; a Redis lookup table has scalar columns only.", nameof(schema));
            }
        }
        return new RedisLookupSource(configuration, 5, table ?? keyPattern, pattern, schema, [.. pattern.Fields.Distinct()]);
    }
}
