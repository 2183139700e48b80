using System.Text.Json;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>What a record of the <c>_schemas</c> topic is about: its key's <c>keytype</c>.</summary>
internal enum SchemaLogKeyType
{
    /// <summary><c>SCHEMA</c>: one version of one subject.</summary>
    Schema,

    /// <summary><c>CONFIG</c>: the compatibility level, global (subject null) or of a subject.</summary>
    Config,

    /// <summary><c>MODE</c>: the mode, global (subject null) or of a subject.</summary>
    Mode,

    /// <summary><c>ID_HIGH_WATER</c>: the highest id ever assigned, so that ids stay unused after hard deletes.</summary>
    IdHighWater,
}

/// <summary>
/// The key of a <c>_schemas</c> record, Confluent's layout: <c>{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}</c>.
/// Compaction keeps the last record per key, so every key names exactly one piece of state.
/// </summary>
/// <param name="Type">What the record is about.</param>
/// <param name="Subject">The subject; null for the global CONFIG and MODE and for ID_HIGH_WATER.</param>
/// <param name="Version">The version, for SCHEMA keys only (0 otherwise).</param>
internal sealed record SchemaLogKey(SchemaLogKeyType Type, string? Subject, int Version = 0);

/// <summary>A SCHEMA record's value: one version of a subject.</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Version">The version (≥ 1).</param>
/// <param name="Id">The global schema id (≥ 1).</param>
/// <param name="Type">The schema's kind.</param>
/// <param name="References">The schema's references.</param>
/// <param name="Schema">The schema text as registered.</param>
/// <param name="Deleted">Whether the version is soft-deleted.</param>
internal sealed record SchemaVersionRecord(string Subject, int Version, int Id, SchemaType Type, IReadOnlyList<SchemaReference> References, string Schema, bool Deleted);

/// <summary>
/// The <c>_schemas</c> record format, version <see cref="Magic"/>: keys and values are UTF-8 JSON as Confluent writes
/// them (so an operator reading the topic sees familiar records); a null value is a tombstone (a hard-deleted version,
/// a removed subject setting). A key with a higher magic than this build knows is refused rather than misread.
/// The format is pinned by a golden test (tests/Sluice.SchemaRegistry.Tests/Golden).
/// </summary>
internal static class SchemaLogRecord
{
    /// <summary>The record format version written in every key.</summary>
    public const int Magic = 1;

    /// <summary>Encodes a key.</summary>
    public static byte[] EncodeKey(SchemaLogKey key)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("keytype", KeyTypeName(key.Type));
            if (key.Subject is null)
            {
                json.WriteNull("subject");
            }
            else
            {
                json.WriteString("subject", key.Subject);
            }
            if (key.Type == SchemaLogKeyType.Schema)
            {
                json.WriteNumber("version", key.Version);
            }
            json.WriteNumber("magic", Magic);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes a key.</summary>
    /// <exception cref="InvalidDataException">The key is not a registry key of a known type and magic; the message names the offset.</exception>
    public static SchemaLogKey DecodeKey(ReadOnlySpan<byte> key, long offset)
    {
        try
        {
            var reader = new Utf8JsonReader(key);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            int magic = root.TryGetProperty("magic", out var m) ? m.GetInt32() : 0;
            if (magic > Magic)
            {
                throw new InvalidDataException($"The _schemas record at offset {offset} has key magic {magic}, newer than this build reads ({Magic}); upgrade Sluice.");
            }
            string keyType = root.GetProperty("keytype").GetString() ?? "";
            string? subject = root.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return keyType switch
            {
                "SCHEMA" => new SchemaLogKey(SchemaLogKeyType.Schema, subject ?? throw Missing("subject"), root.GetProperty("version").GetInt32()),
                "CONFIG" => new SchemaLogKey(SchemaLogKeyType.Config, subject),
                "MODE" => new SchemaLogKey(SchemaLogKeyType.Mode, subject),
                "ID_HIGH_WATER" => new SchemaLogKey(SchemaLogKeyType.IdHighWater, null),
                _ => throw new InvalidDataException($"The _schemas record at offset {offset} has key type '{keyType}', which this registry does not know."),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The _schemas record at offset {offset} has a damaged key: {e.Message}", e);
        }

        InvalidDataException Missing(string field) => new($"The _schemas record at offset {offset} has a SCHEMA key without '{field}'.");
    }

    /// <summary>Encodes a SCHEMA value (AVRO leaves <c>schemaType</c> out, as Confluent does).</summary>
    public static byte[] EncodeSchema(SchemaVersionRecord record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("subject", record.Subject);
            json.WriteNumber("version", record.Version);
            json.WriteNumber("id", record.Id);
            if (record.Type != SchemaType.Avro)
            {
                json.WriteString("schemaType", SchemaTypeNames.Name(record.Type));
            }
            if (record.References.Count > 0)
            {
                json.WriteStartArray("references");
                foreach (var reference in record.References)
                {
                    json.WriteStartObject();
                    json.WriteString("name", reference.Name);
                    json.WriteString("subject", reference.Subject);
                    json.WriteNumber("version", reference.Version);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteString("schema", record.Schema);
            json.WriteBoolean("deleted", record.Deleted);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes a SCHEMA value.</summary>
    /// <exception cref="InvalidDataException">The value is damaged; the message names the offset and field.</exception>
    public static SchemaVersionRecord DecodeSchema(ReadOnlySpan<byte> value, long offset)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var type = root.TryGetProperty("schemaType", out var t) && t.ValueKind == JsonValueKind.String
                ? SchemaTypeNames.Parse(t.GetString()) ?? throw new InvalidDataException($"The _schemas record at offset {offset} has an unknown schemaType '{t.GetString()}'.")
                : SchemaType.Avro;
            var references = new List<SchemaReference>();
            if (root.TryGetProperty("references", out var refs) && refs.ValueKind == JsonValueKind.Array)
            {
                foreach (var r in refs.EnumerateArray())
                {
                    references.Add(new SchemaReference(r.GetProperty("name").GetString()!, r.GetProperty("subject").GetString()!, r.GetProperty("version").GetInt32()));
                }
            }
            return new SchemaVersionRecord(
                root.GetProperty("subject").GetString()!,
                root.GetProperty("version").GetInt32(),
                root.GetProperty("id").GetInt32(),
                type,
                references,
                root.GetProperty("schema").GetString()!,
                root.TryGetProperty("deleted", out var d) && d.GetBoolean());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The _schemas SCHEMA record at offset {offset} has a damaged value: {e.Message}", e);
        }
    }

    /// <summary>Encodes a CONFIG value, <c>{"compatibilityLevel":"BACKWARD"}</c>.</summary>
    public static byte[] EncodeConfig(CompatibilityLevel level) => EncodeOneString("compatibilityLevel", CompatibilityLevelNames.Name(level));

    /// <summary>Decodes a CONFIG value.</summary>
    public static CompatibilityLevel DecodeConfig(ReadOnlySpan<byte> value, long offset)
    {
        string? name = DecodeOneString(value, "compatibilityLevel", offset);
        return CompatibilityLevelNames.Parse(name) ?? throw new InvalidDataException($"The _schemas CONFIG record at offset {offset} has an unknown compatibility level '{name}'.");
    }

    /// <summary>Encodes a MODE value, <c>{"mode":"READONLY"}</c>.</summary>
    public static byte[] EncodeMode(RegistryMode mode) => EncodeOneString("mode", RegistryModeNames.Name(mode));

    /// <summary>Decodes a MODE value.</summary>
    public static RegistryMode DecodeMode(ReadOnlySpan<byte> value, long offset)
    {
        string? name = DecodeOneString(value, "mode", offset);
        return RegistryModeNames.Parse(name) ?? throw new InvalidDataException($"The _schemas MODE record at offset {offset} has an unknown mode '{name}'.");
    }

    /// <summary>Encodes an ID_HIGH_WATER value, <c>{"id":7}</c>: the highest id ever assigned.</summary>
    public static byte[] EncodeIdHighWater(int id)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes an ID_HIGH_WATER value.</summary>
    public static int DecodeIdHighWater(ReadOnlySpan<byte> value, long offset)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.GetProperty("id").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The _schemas ID_HIGH_WATER record at offset {offset} has a damaged value: {e.Message}", e);
        }
    }

    private static string KeyTypeName(SchemaLogKeyType type) => type switch
    {
        SchemaLogKeyType.Schema => "SCHEMA",
        SchemaLogKeyType.Config => "CONFIG",
        SchemaLogKeyType.Mode => "MODE",
        SchemaLogKeyType.IdHighWater => "ID_HIGH_WATER",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown _schemas key type."),
    };

    private static byte[] EncodeOneString(string name, string value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(name, value);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string? DecodeOneString(ReadOnlySpan<byte> value, string name, long offset)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.GetProperty(name).GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"The _schemas record at offset {offset} has a damaged value (field '{name}'): {e.Message}", e);
        }
    }
}
