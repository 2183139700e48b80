using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Lineage;

/// <summary>
/// Writes and reads <see cref="RunEvent"/>s as OpenLineage JSON (source-generated, no reflection): camelCase names
/// as the spec spells them, enums in upper case, null members left out, times in ISO 8601 with their offset.
/// </summary>
public static class LineageJson
{
    /// <summary>The event as compact JSON on one line (no line breaks, so it fits a JSON-lines file).</summary>
    public static string Serialize(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        return JsonSerializer.Serialize(runEvent, LineageJsonContext.Default.RunEvent);
    }

    /// <summary>The event as UTF-8 JSON bytes (what the HTTP transport posts).</summary>
    public static byte[] SerializeToUtf8(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        return JsonSerializer.SerializeToUtf8Bytes(runEvent, LineageJsonContext.Default.RunEvent);
    }

    /// <summary>Reads one event written by <see cref="Serialize"/> (or by another OpenLineage producer; facets Sluice does not model are ignored).</summary>
    /// <exception cref="JsonException">The text is not a run event, or a non-nullable member is null or missing (the message names the path of the bad member).</exception>
    public static RunEvent Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, LineageJsonContext.Default.RunEvent)
            ?? throw new JsonException("A lineage event was 'null': each line must be one RunEvent object.");
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(RunEvent))]
internal sealed partial class LineageJsonContext : JsonSerializerContext;
