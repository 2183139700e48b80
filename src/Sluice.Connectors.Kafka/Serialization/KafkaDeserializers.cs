using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.Connectors.Kafka.Serialization;

/// <summary>The built-in deserializers: JSON (System.Text.Json, source-generated metadata), UTF-8 string, raw bytes, and a record wrapper exposing key, headers and timestamps.</summary>
public static class KafkaDeserializers
{
    /// <summary>UTF-8 text values. A tombstone or invalid UTF-8 becomes a dead letter.</summary>
    public static IKafkaDeserializer<string> Utf8String { get; } = new StringDeserializer();

    /// <summary>The value bytes, copied. A tombstone becomes an empty array.</summary>
    public static IKafkaDeserializer<byte[]> Bytes { get; } = new BytesDeserializer();

    /// <summary>
    /// JSON values decoded with <paramref name="typeInfo"/> (use a <c>JsonSerializerContext</c>'s source-generated
    /// metadata to avoid reflection). Malformed JSON, JSON <c>null</c> and tombstones become dead letters.
    /// </summary>
    public static IKafkaDeserializer<T> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonDeserializer<T>(typeInfo);
    }

    /// <summary>
    /// Wraps <paramref name="value"/> so each record carries its topic, partition, offset, timestamp, key and
    /// headers. Tombstones are delivered (with <see cref="KafkaRecord{T}.IsTombstone"/> set) instead of being passed to
    /// <paramref name="value"/>.
    /// </summary>
    public static IKafkaDeserializer<KafkaRecord<T>> Record<T>(IKafkaDeserializer<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new RecordDeserializer<T>(value);
    }

    private sealed class StringDeserializer : IKafkaDeserializer<string>
    {
        private static readonly UTF8Encoding s_strict = new(false, true);

        public bool TryDeserialize(in KafkaMessageView message, [MaybeNullWhen(false)] out string value, [NotNullWhen(false)] out string? error)
        {
            if (message.IsTombstone)
            {
                return Fail(out value, out error, "The record is a tombstone (no value).");
            }
            try
            {
                value = s_strict.GetString(message.Value);
                error = null;
                return true;
            }
            catch (DecoderFallbackException e)
            {
                return Fail(out value, out error, $"The value is not valid UTF-8: {e.Message}");
            }
        }
    }

    private sealed class BytesDeserializer : IKafkaDeserializer<byte[]>
    {
        public bool TryDeserialize(in KafkaMessageView message, [MaybeNullWhen(false)] out byte[] value, [NotNullWhen(false)] out string? error)
        {
            value = message.Value.ToArray();
            error = null;
            return true;
        }
    }

    private sealed class JsonDeserializer<T>(JsonTypeInfo<T> typeInfo) : IKafkaDeserializer<T>
    {
        public bool TryDeserialize(in KafkaMessageView message, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? error)
        {
            if (message.IsTombstone)
            {
                return Fail(out value, out error, "The record is a tombstone (no value).");
            }
            T? decoded;
            try
            {
                decoded = JsonSerializer.Deserialize(message.Value, typeInfo);
            }
            catch (JsonException e)
            {
                return Fail(out value, out error, $"Malformed JSON: {e.Message}");
            }
            if (decoded is null)
            {
                return Fail(out value, out error, "The value is JSON null, not a record.");
            }
            value = decoded;
            error = null;
            return true;
        }
    }

    private sealed class RecordDeserializer<T>(IKafkaDeserializer<T> inner) : IKafkaDeserializer<KafkaRecord<T>>
    {
        public bool TryDeserialize(in KafkaMessageView message, [MaybeNullWhen(false)] out KafkaRecord<T> value, [NotNullWhen(false)] out string? error)
        {
            T? decoded = default;
            if (!message.IsTombstone && !inner.TryDeserialize(message, out decoded, out error))
            {
                value = null;
                return false;
            }
            IReadOnlyList<KafkaHeader> headers = [];
            if (message.Headers is { Count: > 0 } source)
            {
                var list = new KafkaHeader[source.Count];
                for (var i = 0; i < list.Length; i++)
                {
                    list[i] = new KafkaHeader(source[i].Key, source[i].GetValueBytes());
                }
                headers = list;
            }
            value = new KafkaRecord<T>(message.Topic, message.Partition, message.Offset, message.TimestampMs, message.TimestampType,
                message.HasKey ? message.Key.ToArray() : null, headers, decoded, message.IsTombstone);
            error = null;
            return true;
        }
    }

    private static bool Fail<T>(out T? value, out string error, string reason)
    {
        value = default;
        error = reason;
        return false;
    }
}
