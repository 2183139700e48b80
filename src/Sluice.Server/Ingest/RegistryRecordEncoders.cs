using System.Buffers;
using System.Text.Json;
using Sluice.Formats.Registry.Avro;
using Sluice.Formats.Registry.Internal;

namespace Sluice.Server.Ingest;

/// <summary>
/// <c>?format=avro-confluent</c>: each record is encoded with the subject's latest Avro schema by
/// <see cref="AvroJsonEncoder"/> (the JSON → Avro mapping of docs/server.md, "HTTP ingest") and stored in
/// Confluent's wire format (<see cref="WireFormat"/>: magic byte 0, schema id, Avro binary). Immutable, thread-safe;
/// allocates nothing for a record that fits.
/// </summary>
internal sealed class AvroRecordEncoder(int id, AvroJsonEncoder encoder) : IRecordEncoder
{
    /// <summary>The schema id written in every record's header.</summary>
    public int Id { get; } = id;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> json, IBufferWriter<byte> destination, out string? field, out string? problem)
    {
        WireFormat.Write(destination, Id);
        return encoder.TryEncode(json, destination, out field, out problem);
    }
}

/// <summary>
/// <c>?format=json-registry</c>: each record is validated against the subject's latest JSON Schema (JsonSchema.Net)
/// and stored as sent in Confluent's JSON wire format (<see cref="WireFormat"/>: magic byte 0, schema id, the UTF-8
/// JSON). Immutable, thread-safe; validation parses each record into a <see cref="JsonDocument"/> (JsonSchema.Net
/// evaluates elements), so it allocates per record.
/// </summary>
internal sealed class JsonSchemaRecordEncoder(string subject, int version, int id, Json.Schema.JsonSchema schema) : IRecordEncoder
{
    /// <summary>The schema id written in every record's header.</summary>
    public int Id { get; } = id;

    /// <inheritdoc />
    public bool TryEncode(ReadOnlySpan<byte> json, IBufferWriter<byte> destination, out string? field, out string? problem)
    {
        var reader = new Utf8JsonReader(json);
        using (var document = JsonDocument.ParseValue(ref reader))
        {
            var results = schema.Evaluate(document.RootElement, JsonSchemaErrors.Options);
            if (!results.IsValid)
            {
                var location = JsonSchemaErrors.FirstFailure(results, out var errors);
                field = JsonSchemaErrors.FieldOf(location);
                problem = $"does not match the JSON Schema of subject '{subject}' (version {version}, id {Id}) at '{(location.Length == 0 ? "/" : location)}': {JsonSchemaErrors.Describe(errors)}";
                return false;
            }
        }
        WireFormat.Write(destination, Id);
        json.CopyTo(destination.GetSpan(json.Length));
        destination.Advance(json.Length);
        field = null;
        problem = null;
        return true;
    }
}
