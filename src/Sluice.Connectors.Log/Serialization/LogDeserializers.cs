using System.Text.Json.Serialization.Metadata;

namespace Sluice.Connectors.Log;

/// <summary>The built-in <see cref="ILogDeserializer{T}"/>s.</summary>
public static class LogDeserializers
{
    /// <summary>The value as one JSON document (see <see cref="JsonLogDeserializer{T}"/>).</summary>
    /// <param name="typeInfo">Source-generated metadata; null uses <see cref="System.Text.Json.JsonSerializerOptions.Web"/> with reflection.</param>
    public static ILogDeserializer<T> Json<T>(JsonTypeInfo<T>? typeInfo = null) => new JsonLogDeserializer<T>(typeInfo);

    /// <summary>The value as strict UTF-8 text.</summary>
    public static ILogDeserializer<string> Utf8String() => Utf8StringLogDeserializer.Instance;

    /// <summary>The value bytes, copied.</summary>
    public static ILogDeserializer<byte[]> Bytes() => ByteArrayLogDeserializer.Instance;

    /// <summary>The value decoded by <paramref name="values"/>, wrapped with its key, headers and position.</summary>
    /// <param name="values">Decodes the value.</param>
    public static ILogDeserializer<LogRecord<T>> WithMetadata<T>(ILogDeserializer<T> values) => new LogRecordDeserializer<T>(values);
}
