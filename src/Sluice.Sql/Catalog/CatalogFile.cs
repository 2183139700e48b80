using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Sql.Catalog;

/// <summary>
/// The catalog file's format: JSON, versioned by <c>formatVersion</c> (this release writes and reads version
/// <see cref="CurrentFormatVersion"/>). Types are written as SQL text (<see cref="DataType.ToString"/>) and read with
/// <see cref="DataType.Parse"/>; expressions and queries as the SQL text the user wrote. Pinned by golden tests.
/// </summary>
internal static class CatalogFile
{
    public const string FileName = "catalog.json";

    public const int CurrentFormatVersion = 1;

    /// <summary>The permanent objects of a catalog.</summary>
    public sealed record Content(IReadOnlyList<CatalogTable> Tables, IReadOnlyList<CatalogView> Views, IReadOnlyList<CatalogFunction> Functions);

    public static byte[] Encode(Content content)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", CurrentFormatVersion);
            json.WriteStartArray("tables");
            foreach (var table in content.Tables)
            {
                WriteTable(json, table);
            }

            json.WriteEndArray();
            json.WriteStartArray("views");
            foreach (var view in content.Views)
            {
                json.WriteStartObject();
                json.WriteString("name", view.Name);
                json.WriteString("query", view.Query);
                WriteStrings(json, "columns", view.ColumnNames);
                WriteOptional(json, "comment", view.Comment);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("functions");
            foreach (var function in content.Functions)
            {
                json.WriteStartObject();
                json.WriteString("name", function.Name);
                json.WriteString("className", function.ClassName);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <exception cref="CatalogFormatException">The bytes are not a catalog file of a version this release reads.</exception>
    public static Content Decode(byte[] bytes, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            int version = root.GetProperty("formatVersion").GetInt32();
            if (version is < 1 or > CurrentFormatVersion)
            {
                throw new CatalogFormatException($"The catalog file '{source}' has format version {version}; this release reads version 1 to {CurrentFormatVersion}.");
            }

            var tables = new List<CatalogTable>();
            foreach (var table in root.GetProperty("tables").EnumerateArray())
            {
                tables.Add(ReadTable(table));
            }

            var views = new List<CatalogView>();
            foreach (var view in root.GetProperty("views").EnumerateArray())
            {
                views.Add(new CatalogView(Required(view, "name"), Required(view, "query"), ReadStrings(view, "columns"), Optional(view, "comment")));
            }

            var functions = new List<CatalogFunction>();
            foreach (var function in root.GetProperty("functions").EnumerateArray())
            {
                functions.Add(new CatalogFunction(Required(function, "name"), Required(function, "className")));
            }

            return new Content(tables, views, functions);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or SqlException)
        {
            throw new CatalogFormatException($"The catalog file '{source}' is damaged: {e.Message}", e);
        }
    }

    private static void WriteTable(Utf8JsonWriter json, CatalogTable table)
    {
        json.WriteStartObject();
        json.WriteString("name", table.Name);
        WriteOptional(json, "comment", table.Comment);
        json.WriteStartArray("columns");
        foreach (var column in table.Columns)
        {
            json.WriteStartObject();
            json.WriteString("name", column.Name);
            switch (column)
            {
                case PhysicalColumn physical:
                    json.WriteString("kind", "physical");
                    json.WriteString("type", physical.Type.ToString());
                    break;
                case ComputedColumn computed:
                    json.WriteString("kind", "computed");
                    json.WriteString("expression", computed.Expression);
                    break;
                case MetadataColumn metadata:
                    json.WriteString("kind", "metadata");
                    json.WriteString("type", metadata.Type.ToString());
                    WriteOptional(json, "key", metadata.Key);
                    json.WriteBoolean("virtual", metadata.IsVirtual);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown column kind {column.GetType().Name}.");
            }

            WriteOptional(json, "comment", column.Comment);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (table.Watermark is { } watermark)
        {
            json.WriteStartObject("watermark");
            json.WriteString("column", watermark.Column);
            json.WriteString("expression", watermark.Expression);
            json.WriteEndObject();
        }

        if (table.Checks.Count > 0)
        {
            // Optional: a table without CHECK constraints is written exactly as before they existed.
            json.WriteStartArray("checks");
            foreach (var check in table.Checks)
            {
                json.WriteStartObject();
                json.WriteString("name", check.Name);
                json.WriteString("expression", check.Expression);
                json.WriteString("onViolation", Syntax.SqlFormatter.ViolationKeyword(check.Action));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        WriteStrings(json, "primaryKey", table.PrimaryKey);
        WriteStrings(json, "partitionKeys", table.PartitionKeys);
        json.WriteStartArray("options");
        foreach (var (key, value) in table.Options)
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WriteString("value", value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static CatalogTable ReadTable(JsonElement table)
    {
        var columns = new List<CatalogColumn>();
        foreach (var column in table.GetProperty("columns").EnumerateArray())
        {
            string name = Required(column, "name");
            string? comment = Optional(column, "comment");
            string kind = Required(column, "kind");
            columns.Add(kind switch
            {
                "physical" => new PhysicalColumn(name, DataType.Parse(Required(column, "type")), comment),
                "computed" => new ComputedColumn(name, Required(column, "expression"), comment),
                "metadata" => new MetadataColumn(name, DataType.Parse(Required(column, "type")), Optional(column, "key"),
                    column.GetProperty("virtual").GetBoolean(), comment),
                _ => throw new FormatException($"column '{name}' has unknown kind '{kind}'"),
            });
        }

        WatermarkSpec? watermark = table.TryGetProperty("watermark", out var w)
            ? new WatermarkSpec(Required(w, "column"), Required(w, "expression"))
            : null;
        var options = new List<KeyValuePair<string, string>>();
        foreach (var option in table.GetProperty("options").EnumerateArray())
        {
            options.Add(new(Required(option, "key"), Required(option, "value")));
        }

        var result = new CatalogTable
        {
            Name = Required(table, "name"),
            Columns = columns,
            Watermark = watermark,
            PrimaryKey = ReadStrings(table, "primaryKey"),
            PartitionKeys = ReadStrings(table, "partitionKeys"),
            Options = options,
            Comment = Optional(table, "comment"),
            Checks = ReadChecks(table),
        };
        result.Validate();
        return result;
    }

    private static List<CheckSpec> ReadChecks(JsonElement table)
    {
        var checks = new List<CheckSpec>();
        if (table.TryGetProperty("checks", out var array))
        {
            foreach (var check in array.EnumerateArray())
            {
                var name = Required(check, "name");
                var action = Required(check, "onViolation") switch
                {
                    "DLQ" => Sluice.Quality.RuleAction.DeadLetter,
                    "DROP" => Sluice.Quality.RuleAction.Drop,
                    "WARN" => Sluice.Quality.RuleAction.Warn,
                    "FAIL" => Sluice.Quality.RuleAction.Fail,
                    var other => throw new FormatException($"CHECK constraint '{name}' has unknown onViolation '{other}'"),
                };
                checks.Add(new CheckSpec(name, Required(check, "expression"), action));
            }
        }

        return checks;
    }

    private static string Required(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static List<string> ReadStrings(JsonElement element, string name)
    {
        var result = new List<string>();
        foreach (var value in element.GetProperty(name).EnumerateArray())
        {
            result.Add(value.GetString() ?? throw new FormatException($"'{name}' holds a null"));
        }

        return result;
    }
}
