using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Flink's JSON functions over JSON text, in lax mode: a path that finds nothing, or text that is not JSON, gives
/// NULL (Flink's default <c>NULL ON EMPTY</c> / <c>NULL ON ERROR</c>). Paths are <c>$</c> followed by <c>.key</c>,
/// <c>['key']</c> and <c>[index]</c> steps (no wildcards, filters or recursive descent); a constant path is parsed
/// once. Each call parses the document (System.Text.Json), which allocates.
/// </summary>
internal static class JsonFunctions
{
    private static readonly ConcurrentDictionary<string, object[]?> s_paths = new(StringComparer.Ordinal);

    /// <summary>JSON_VALUE(json, path): the scalar at the path as text; NULL for a missing value, an object or an array. RETURNING is a TRY_CAST of this.</summary>
    [SqlFunction("JSON_VALUE")]
    public static string? JsonValue(string json, string path)
    {
        if (Parse(json) is not { } document)
        {
            return null;
        }
        using (document)
        {
            if (!Find(document.RootElement, path, out var element))
            {
                return null;
            }
            return element.ValueKind switch
            {
                JsonValueKind.String => element.GetString(),
                JsonValueKind.Number => element.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        }
    }

    /// <summary>JSON_EXISTS(json, path): whether the path finds a value (FALSE for text that is not JSON).</summary>
    [SqlFunction("JSON_EXISTS")]
    public static bool JsonExists(string json, string path)
    {
        if (Parse(json) is not { } document)
        {
            return false;
        }
        using (document)
        {
            return Find(document.RootElement, path, out _);
        }
    }

    /// <summary>JSON_QUERY(json, path): the object or array at the path as JSON text (WITHOUT WRAPPER); NULL for a scalar or nothing.</summary>
    [SqlFunction("JSON_QUERY")]
    public static string? JsonQuery(string json, string path)
    {
        if (Parse(json) is not { } document)
        {
            return null;
        }
        using (document)
        {
            return Find(document.RootElement, path, out var element) && element.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                ? element.GetRawText()
                : null;
        }
    }

    private static JsonDocument? Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Find(JsonElement root, string path, out JsonElement element)
    {
        element = root;
        var steps = s_paths.GetOrAdd(path, ParsePath) ?? throw new SqlEvaluationException(
            $"The JSON path '{path}' is not supported; use $ followed by .key, ['key'] and [index] steps.");
        foreach (var step in steps)
        {
            if (step is string key)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element))
                {
                    return false;
                }
            }
            else
            {
                var index = (int)step;
                if (element.ValueKind != JsonValueKind.Array || index >= element.GetArrayLength())
                {
                    return false;
                }
                element = element[index];
            }
        }
        return element.ValueKind != JsonValueKind.Null;
    }

    /// <summary>The steps of a path (string keys, boxed int indexes), or null when it is not one Sluice reads.</summary>
    private static object[]? ParsePath(string path)
    {
        var text = path.Trim();
        if (text.StartsWith("lax ", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..].TrimStart();
        }
        if (text.Length == 0 || text[0] != '$')
        {
            return null;
        }
        var steps = new List<object>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }
                if (i == start)
                {
                    return null;
                }
                steps.Add(text[start..i]);
            }
            else if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                if (end < 0)
                {
                    return null;
                }
                var inner = text[(i + 1)..end].Trim();
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
                {
                    steps.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    return null;
                }
                i = end + 1;
            }
            else
            {
                return null;
            }
        }
        return [.. steps];
    }
}
