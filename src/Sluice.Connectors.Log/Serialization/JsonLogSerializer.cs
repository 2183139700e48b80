using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.Connectors.Log;

/// <summary>
/// Writes the value as one UTF-8 JSON document (System.Text.Json) and an optional text key as UTF-8. A null record
/// is written as a tombstone. Thread-safe; serializes straight into the writer's buffer through a per-thread
/// <see cref="Utf8JsonWriter"/>.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class JsonLogSerializer<T> : ILogSerializer<T>
{
    [ThreadStatic]
    private static Utf8JsonWriter? s_writer;

    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Func<T, string?>? _key;

    /// <summary>Creates the serializer.</summary>
    /// <param name="key">Selects the record's key (null result = no key); null = records without key.</param>
    /// <param name="typeInfo">Source-generated (or reflection) metadata; null uses <see cref="JsonSerializerOptions.Web"/>.</param>
    public JsonLogSerializer(Func<T, string?>? key = null, JsonTypeInfo<T>? typeInfo = null)
    {
        _key = key;
        _typeInfo = typeInfo ?? (JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T));
    }

    /// <inheritdoc />
    public bool TryWriteKey(T value, IBufferWriter<byte> key) => _key is not null && Utf8KeyWriter.TryWrite(_key(value), key);

    /// <inheritdoc />
    public bool TryWriteValue(T value, IBufferWriter<byte> destination)
    {
        if (value is null)
        {
            return false;
        }
        Utf8JsonWriter writer = s_writer ??= new Utf8JsonWriter(destination);
        writer.Reset(destination);
        try
        {
            JsonSerializer.Serialize(writer, value, _typeInfo);
        }
        finally
        {
            writer.Flush();
            writer.Reset(Stream.Null); // do not keep the caller's buffer alive
        }
        return true;
    }
}
