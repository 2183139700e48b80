using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// Decodes the record value as one UTF-8 JSON document with System.Text.Json, straight from the fetch buffer (no
/// intermediate string). Malformed JSON, JSON <c>null</c> and tombstones (no value) are reported as errors. Thread-safe.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class JsonLogDeserializer<T> : ILogDeserializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates the deserializer.</summary>
    /// <param name="typeInfo">Source-generated (or reflection) metadata for <typeparamref name="T"/>; null uses <see cref="JsonSerializerOptions.Web"/>.</param>
    public JsonLogDeserializer(JsonTypeInfo<T>? typeInfo = null) =>
        _typeInfo = typeInfo ?? (JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T));

    /// <inheritdoc />
    public bool TryDeserialize(TopicPartition source, in LogRecordView record, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? error)
    {
        if (!record.HasValue)
        {
            value = default;
            error = "The record has no value (a tombstone); expected a JSON document.";
            return false;
        }
        try
        {
            value = JsonSerializer.Deserialize(record.Value, _typeInfo);
        }
        catch (JsonException e)
        {
            value = default;
            error = $"Malformed JSON: {e.Message}";
            return false;
        }
        if (value is null)
        {
            error = "The value is JSON null, not a record.";
            return false;
        }
        error = null;
        return true;
    }
}
