using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Reads and writes the actions of a JSON commit file: newline-delimited JSON, one action per line, each line an object
/// with one key naming the action (<c>protocol</c>, <c>metaData</c>, <c>add</c>, <c>remove</c>, <c>txn</c>,
/// <c>commitInfo</c>). Actions Sluice does not interpret (<c>cdc</c>, <c>domainMetadata</c>) and unknown fields are
/// ignored, as the protocol requires. Stateless, thread-safe.
/// </summary>
internal static class DeltaActionJson
{
    /// <summary>
    /// Compact JSON, escaping only what JSON requires (a quote as <c>\"</c>, not <c>\u0022</c>; non-ASCII as is), as
    /// Spark and delta-rs write it. The relaxed encoder is "unsafe" only for embedding in HTML, which a log never is.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parses the commit file <paramref name="content"/> of version <paramref name="version"/>.
    /// </summary>
    /// <exception cref="DeltaException">The file is empty, a line is not a JSON object (a corrupt or truncated commit),
    /// or an action lacks a required field; the message names the file, the line and the field.</exception>
    public static List<DeltaAction> ParseCommit(ReadOnlySpan<byte> content, long version, string fileName)
    {
        var actions = new List<DeltaAction>();
        var lineNumber = 0;
        var any = false;
        while (!content.IsEmpty)
        {
            lineNumber++;
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (line.Trim((byte)'\r').Trim((byte)' ').IsEmpty)
            {
                continue;
            }
            any = true;
            var action = ParseLine(line, version, fileName, lineNumber);
            if (action is not null)
            {
                actions.Add(action);
            }
        }
        if (!any)
        {
            throw new DeltaException($"Commit file '{fileName}' of version {version} is empty; a commit holds at least one action, so the file is truncated or was not written by a Delta writer.", version, fileName);
        }
        return actions;
    }

    private static DeltaAction? ParseLine(ReadOnlySpan<byte> line, long version, string fileName, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException e)
        {
            throw new DeltaException($"Commit file '{fileName}' of version {version} is corrupt or truncated: line {lineNumber} is not valid JSON ({e.Message}).", version, fileName, e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DeltaException($"Commit file '{fileName}' of version {version} is corrupt: line {lineNumber} is a JSON {root.ValueKind}, not an action object.", version, fileName);
            }
            foreach (var property in root.EnumerateObject())
            {
                var where = new Where(version, fileName, lineNumber, property.Name);
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                switch (property.Name)
                {
                    case "protocol":
                        return new ProtocolAction(
                            RequiredInt32(value, "minReaderVersion", where),
                            RequiredInt32(value, "minWriterVersion", where),
                            OptionalStrings(value, "readerFeatures"),
                            OptionalStrings(value, "writerFeatures"));
                    case "metaData":
                        return new MetadataAction(
                            RequiredString(value, "id", where),
                            RequiredString(value, "schemaString", where),
                            OptionalStrings(value, "partitionColumns") ?? [],
                            OptionalMap(value, "configuration") ?? new Dictionary<string, string?>(),
                            OptionalInt64(value, "createdTime"),
                            OptionalString(value, "name"),
                            OptionalString(value, "description"),
                            value.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object ? OptionalString(format, "provider") ?? "parquet" : "parquet");
                    case "add":
                        return new AddFile(
                            RequiredString(value, "path", where),
                            OptionalMap(value, "partitionValues") ?? throw Missing(where, "partitionValues"),
                            RequiredInt64(value, "size", where),
                            RequiredInt64(value, "modificationTime", where),
                            OptionalBoolean(value, "dataChange") ?? true,
                            OptionalString(value, "stats"),
                            OptionalMap(value, "tags"),
                            DeletionVectorId(value));
                    case "remove":
                        return new RemoveFile(
                            RequiredString(value, "path", where),
                            OptionalInt64(value, "deletionTimestamp"),
                            OptionalBoolean(value, "dataChange") ?? true,
                            OptionalMap(value, "partitionValues"),
                            OptionalInt64(value, "size"),
                            OptionalBoolean(value, "extendedFileMetadata"),
                            DeletionVectorId(value));
                    case "txn":
                        return new TxnAction(RequiredString(value, "appId", where), RequiredInt64(value, "version", where), OptionalInt64(value, "lastUpdated"));
                    case "commitInfo":
                        return new CommitInfoAction(JsonNode.Parse(value.GetRawText()) as JsonObject ?? []);
                    default:
                        return null; // cdc, domainMetadata and future actions: not needed to read the table's rows
                }
            }
            return null;
        }
    }

    /// <summary>Writes <paramref name="actions"/> as a commit file: one JSON object per line, each line ending in <c>\n</c>.</summary>
    public static byte[] WriteCommit(IEnumerable<DeltaAction> actions)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        foreach (var action in actions)
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                Write(writer, action);
            }
            buffer.Write("\n"u8);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one action as a JSON object <c>{"name":{…}}</c>.</summary>
    public static void Write(Utf8JsonWriter writer, DeltaAction action)
    {
        writer.WriteStartObject();
        switch (action)
        {
            case ProtocolAction p:
                writer.WriteStartObject("protocol");
                writer.WriteNumber("minReaderVersion", p.MinReaderVersion);
                writer.WriteNumber("minWriterVersion", p.MinWriterVersion);
                WriteStrings(writer, "readerFeatures", p.ReaderFeatures);
                WriteStrings(writer, "writerFeatures", p.WriterFeatures);
                writer.WriteEndObject();
                break;
            case MetadataAction m:
                writer.WriteStartObject("metaData");
                writer.WriteString("id", m.Id);
                if (m.Name is not null)
                {
                    writer.WriteString("name", m.Name);
                }
                if (m.Description is not null)
                {
                    writer.WriteString("description", m.Description);
                }
                writer.WriteStartObject("format");
                writer.WriteString("provider", m.FormatProvider);
                writer.WriteStartObject("options");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteString("schemaString", m.SchemaString);
                WriteStrings(writer, "partitionColumns", m.PartitionColumns);
                WriteMap(writer, "configuration", m.Configuration);
                if (m.CreatedTime is { } created)
                {
                    writer.WriteNumber("createdTime", created);
                }
                writer.WriteEndObject();
                break;
            case AddFile a:
                writer.WriteStartObject("add");
                writer.WriteString("path", a.Path);
                WriteMap(writer, "partitionValues", a.PartitionValues);
                writer.WriteNumber("size", a.Size);
                writer.WriteNumber("modificationTime", a.ModificationTime);
                writer.WriteBoolean("dataChange", a.DataChange);
                if (a.Stats is not null)
                {
                    writer.WriteString("stats", a.Stats);
                }
                if (a.Tags is not null)
                {
                    WriteMap(writer, "tags", a.Tags);
                }
                writer.WriteEndObject();
                break;
            case RemoveFile r:
                writer.WriteStartObject("remove");
                writer.WriteString("path", r.Path);
                if (r.DeletionTimestamp is { } deleted)
                {
                    writer.WriteNumber("deletionTimestamp", deleted);
                }
                writer.WriteBoolean("dataChange", r.DataChange);
                if (r.ExtendedFileMetadata is { } extended)
                {
                    writer.WriteBoolean("extendedFileMetadata", extended);
                }
                if (r.PartitionValues is not null)
                {
                    WriteMap(writer, "partitionValues", r.PartitionValues);
                }
                if (r.Size is { } size)
                {
                    writer.WriteNumber("size", size);
                }
                writer.WriteEndObject();
                break;
            case TxnAction t:
                writer.WriteStartObject("txn");
                writer.WriteString("appId", t.AppId);
                writer.WriteNumber("version", t.Version);
                if (t.LastUpdated is { } updated)
                {
                    writer.WriteNumber("lastUpdated", updated);
                }
                writer.WriteEndObject();
                break;
            case CommitInfoAction c:
                writer.WritePropertyName("commitInfo");
                c.Value.WriteTo(writer);
                break;
            default:
                throw new ArgumentException($"Unknown action type {action.GetType().Name}.", nameof(action));
        }
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string?> map)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            if (value is null)
            {
                writer.WriteNull(key);
            }
            else
            {
                writer.WriteString(key, value);
            }
        }
        writer.WriteEndObject();
    }

    private static string? DeletionVectorId(JsonElement action)
    {
        if (!action.TryGetProperty("deletionVector", out var dv) || dv.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var id = new StringBuilder();
        id.Append(OptionalString(dv, "storageType")).Append(OptionalString(dv, "pathOrInlineDv"));
        if (OptionalInt64(dv, "offset") is { } offset)
        {
            id.Append('@').Append(offset.ToString(CultureInfo.InvariantCulture));
        }
        return id.ToString();
    }

    private readonly record struct Where(long Version, string FileName, int Line, string Action);

    private static DeltaException Missing(Where where, string field) =>
        new($"Commit file '{where.FileName}' of version {where.Version} is corrupt: the '{where.Action}' action on line {where.Line} has no valid '{field}', which the protocol requires.", where.Version, where.FileName);

    private static string RequiredString(JsonElement obj, string field, Where where) => OptionalString(obj, field) ?? throw Missing(where, field);

    private static long RequiredInt64(JsonElement obj, string field, Where where) => OptionalInt64(obj, field) ?? throw Missing(where, field);

    private static int RequiredInt32(JsonElement obj, string field, Where where) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Missing(where, field);

    private static string? OptionalString(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? OptionalInt64(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : null;

    private static bool? OptionalBoolean(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static List<string>? OptionalStrings(JsonElement obj, string field)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var list = new List<string>(v.GetArrayLength());
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                list.Add(item.GetString()!);
            }
        }
        return list;
    }

    private static Dictionary<string, string?>? OptionalMap(JsonElement obj, string field)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in v.EnumerateObject())
        {
            map[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => entry.Value.GetString(),
                _ => entry.Value.GetRawText(),
            };
        }
        return map;
    }
}
