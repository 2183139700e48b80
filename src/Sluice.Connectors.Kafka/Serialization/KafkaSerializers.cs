using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.Connectors.Kafka.Serialization;

/// <summary>The built-in serializers: JSON (System.Text.Json, source-generated metadata), UTF-8 string and raw bytes, each with an optional key selector.</summary>
public static class KafkaSerializers
{
    /// <summary>JSON values written with <paramref name="typeInfo"/>; the key, when <paramref name="key"/> is given, is its UTF-8 text.</summary>
    public static IKafkaSerializer<T> Json<T>(JsonTypeInfo<T> typeInfo, Func<T, string?>? key = null)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new Serializer<T>(v => JsonSerializer.SerializeToUtf8Bytes(v, typeInfo), key);
    }

    /// <summary>UTF-8 text values; the key, when <paramref name="key"/> is given, is its UTF-8 text.</summary>
    public static IKafkaSerializer<string> Utf8String(Func<string, string?>? key = null) => new Serializer<string>(Encoding.UTF8.GetBytes, key);

    /// <summary>Raw byte values written as they are (the producer owns the array after the write); optional UTF-8 key.</summary>
    public static IKafkaSerializer<byte[]> Bytes(Func<byte[], string?>? key = null) => new Serializer<byte[]>(v => v, key);

    /// <summary>Any mapping to key and value bytes.</summary>
    public static IKafkaSerializer<T> Create<T>(Func<T, byte[]?> value, Func<T, byte[]?>? key = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new BinarySerializer<T>(value, key);
    }

    private sealed class Serializer<T>(Func<T, byte[]> value, Func<T, string?>? key) : IKafkaSerializer<T>
    {
        public byte[]? SerializeKey(T record) => key?.Invoke(record) is { } k ? Encoding.UTF8.GetBytes(k) : null;

        public byte[]? SerializeValue(T record) => value(record);
    }

    private sealed class BinarySerializer<T>(Func<T, byte[]?> value, Func<T, byte[]?>? key) : IKafkaSerializer<T>
    {
        public byte[]? SerializeKey(T record) => key?.Invoke(record);

        public byte[]? SerializeValue(T record) => value(record);
    }
}
