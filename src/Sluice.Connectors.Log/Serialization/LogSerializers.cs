using System.Text.Json.Serialization.Metadata;

namespace Sluice.Connectors.Log;

/// <summary>The built-in <see cref="ILogSerializer{T}"/>s.</summary>
public static class LogSerializers
{
    /// <summary>The record as one JSON document, keyed by <paramref name="key"/> (see <see cref="JsonLogSerializer{T}"/>).</summary>
    /// <param name="key">Selects the key text (UTF-8 encoded); null or a null result = no key.</param>
    /// <param name="typeInfo">Source-generated metadata; null uses web defaults with reflection.</param>
    public static ILogSerializer<T> Json<T>(Func<T, string?>? key = null, JsonTypeInfo<T>? typeInfo = null) => new JsonLogSerializer<T>(key, typeInfo);

    /// <summary>The string as UTF-8, keyed by <paramref name="key"/>.</summary>
    /// <param name="key">Selects the key text; null or a null result = no key.</param>
    public static ILogSerializer<string> Utf8String(Func<string, string?>? key = null) => new Utf8StringLogSerializer(key);

    /// <summary>The bytes as they are, keyed by <paramref name="key"/>.</summary>
    /// <param name="key">Selects the key bytes; null or a null result = no key.</param>
    public static ILogSerializer<byte[]> Bytes(Func<byte[], byte[]?>? key = null) => new ByteArrayLogSerializer(key);
}
