using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Redis;

/// <summary>Adds the Redis feature-store sink to a <see cref="DataStream{T}"/>.</summary>
public static class RedisStreamExtensions
{
    /// <summary>
    /// Writes each record as the hash of its entity (<see cref="RedisSinkOptions.KeyPattern"/>), effectively once (see
    /// <see cref="RedisSink{T}"/>); fields come from <typeparamref name="T"/>'s public properties (snake_case).
    /// </summary>
    /// <exception cref="ArgumentException">An option is missing or inconsistent.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema), so no call binds ambiguously.")]
    public static DataStreamSink<T> ToRedis<T>(this DataStream<T> stream, RedisSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.SinkTo(RedisSink.For<T>(options), $"Redis({options.KeyPattern})");
    }

    /// <summary>Writes each row, of <paramref name="schema"/>, as the hash of its entity, effectively once.</summary>
    /// <exception cref="ArgumentException">An option is missing or inconsistent.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in the stream type (DataStream<T> or DataStream<Row> with a Schema), so no call binds ambiguously.")]
    public static DataStreamSink<Row> ToRedis(this DataStream<Row> stream, RedisSinkOptions options, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.SinkTo(RedisSink.ForRows(options, schema), $"Redis({options.KeyPattern})");
    }
}
