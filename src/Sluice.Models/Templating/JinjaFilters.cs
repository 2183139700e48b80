using System.Collections;
using System.Globalization;

namespace Sluice.Models.Templating;

/// <summary>The filters (<c>value|name(args)</c>) and tests (<c>value is name</c>) templates can use.</summary>
internal static class JinjaFilters
{
    /// <summary>Filter names, for the error on an unknown one.</summary>
    public static readonly string[] Names =
        ["lower", "upper", "trim", "capitalize", "title", "join", "length", "count", "default", "d", "replace", "list", "first", "last",
         "string", "int", "float", "abs", "round", "sort", "reverse", "unique", "map", "tojson", "indent"];

    public static object? Apply(string name, object? value, IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords)
    {
        object? Argument(int index, string keyword, object? fallback) =>
            index < arguments.Count ? arguments[index] : keywords.TryGetValue(keyword, out var given) ? given : fallback;

        if (name is "default" or "d")
        {
            var fallback = Argument(0, "default_value", "");
            var boolean = JinjaValues.IsTrue(Argument(1, "boolean", false));
            return value is Undefined || (boolean && !JinjaValues.IsTrue(value)) ? fallback : value;
        }
        if (value is Undefined undefined)
        {
            throw new JinjaCallException($"'{undefined.Name}' is undefined (filter '{name}'; use '|default(…)' for a fallback)");
        }
        switch (name)
        {
            case "lower":
                return Text(value).ToLowerInvariant();
            case "upper":
                return Text(value).ToUpperInvariant();
            case "trim":
                return Argument(0, "chars", null) is string chars ? Text(value).Trim(chars.ToCharArray()) : Text(value).Trim();
            case "capitalize":
                var s = Text(value);
                return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
            case "title":
                return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Text(value).ToLowerInvariant());
            case "join":
                var separator = Text(Argument(0, "d", ""));
                var attribute = Argument(1, "attribute", null) as string;
                return string.Join(separator, JinjaValues.Iterate(value).Select(item =>
                    JinjaValues.ToText(attribute is null ? item : item is Dictionary<string, object?> d && d.TryGetValue(attribute, out var v) ? v : null)));
            case "length" or "count":
                return value switch
                {
                    string text => (long)text.Length,
                    ICollection collection => (long)collection.Count,
                    _ => throw new JinjaCallException($"{JinjaValues.TypeName(value)} has no length"),
                };
            case "replace":
                var old = Text(Argument(0, "old", ""));
                return old.Length == 0 ? Text(value) : Text(value).Replace(old, Text(Argument(1, "new", "")), StringComparison.Ordinal);
            case "list":
                return JinjaValues.Iterate(value).ToList();
            case "first":
                return JinjaValues.Iterate(value).DefaultIfEmpty(new Undefined("first of an empty sequence")).First();
            case "last":
                return JinjaValues.Iterate(value).DefaultIfEmpty(new Undefined("last of an empty sequence")).Last();
            case "string":
                return JinjaValues.ToText(value);
            case "int":
                return value switch
                {
                    long l => l,
                    double d => (long)Math.Truncate(d),
                    bool b => b ? 1L : 0L,
                    string t when long.TryParse(t.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    string t when double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => (long)Math.Truncate(parsed),
                    _ => Argument(0, "default", 0L),
                };
            case "float":
                return value switch
                {
                    long or double or bool => JinjaValues.ToDouble(value),
                    string t when double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => Argument(0, "default", 0.0),
                };
            case "abs":
                return value is long n ? Math.Abs(n) : Math.Abs(JinjaValues.ToDouble(value));
            case "round":
                var digits = (int)JinjaValues.ToDouble(Argument(0, "precision", 0L));
                return Math.Round(JinjaValues.ToDouble(value), digits, MidpointRounding.AwayFromZero);
            case "sort":
                var sorted = JinjaValues.Iterate(value).ToList();
                sorted.Sort(JinjaValues.Compare);
                if (JinjaValues.IsTrue(Argument(0, "reverse", false)))
                {
                    sorted.Reverse();
                }
                return sorted;
            case "reverse":
                return value is string r ? new string([.. r.Reverse()]) : JinjaValues.Iterate(value).Reverse().ToList();
            case "unique":
                var unique = new List<object?>();
                foreach (var item in JinjaValues.Iterate(value))
                {
                    if (!unique.Any(u => JinjaValues.AreEqual(u, item)))
                    {
                        unique.Add(item);
                    }
                }
                return unique;
            case "map":
                var mapAttribute = keywords.TryGetValue("attribute", out var a) ? a as string : null;
                if (mapAttribute is not null)
                {
                    return JinjaValues.Iterate(value).Select(item => item is Dictionary<string, object?> d && d.TryGetValue(mapAttribute, out var v) ? v : new Undefined(mapAttribute)).ToList();
                }
                var filter = arguments.Count > 0 ? Text(arguments[0]) : throw new JinjaCallException("map needs a filter name or attribute=");
                return JinjaValues.Iterate(value).Select(item => Apply(filter, item, [.. arguments.Skip(1)], new Dictionary<string, object?>())).ToList();
            case "tojson":
                return ToJson(value);
            case "indent":
                var width = (int)JinjaValues.ToDouble(Argument(0, "width", 4L));
                var pad = new string(' ', width);
                return Text(value).Replace("\n", "\n" + pad, StringComparison.Ordinal);
            default:
                throw new JinjaCallException($"unknown filter '{name}' (supported: {string.Join(", ", Names)})");
        }
    }

    public static bool Test(string name, object? value, IReadOnlyList<object?> arguments) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => value is long or double,
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "mapping" => value is Dictionary<string, object?>,
        "sequence" or "iterable" => value is string or IList or Dictionary<string, object?>,
        "callable" => value is JinjaFunction,
        "true" => value is true,
        "false" => value is false,
        "odd" => value is long o && o % 2 != 0,
        "even" => value is long e && e % 2 == 0,
        "eq" or "equalto" or "sameas" => arguments.Count == 1 && JinjaValues.AreEqual(value, arguments[0]),
        "in" => arguments.Count == 1 && JinjaValues.Contains(arguments[0], value),
        "lower" => value is string l && l == l.ToLowerInvariant(),
        "upper" => value is string u && u == u.ToUpperInvariant(),
        _ => throw new JinjaCallException($"unknown test '{name}'"),
    };

    private static string Text(object? value) =>
        value is Undefined u ? throw new JinjaCallException($"'{u.Name}' is undefined") : JinjaValues.ToText(value);

    private static string ToJson(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long or double => JinjaValues.Repr(value),
        string s => System.Text.Json.JsonSerializer.Serialize(s),
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(p => ToJson(p.Key) + ": " + ToJson(p.Value))) + "}",
        IList list => "[" + string.Join(", ", list.Cast<object?>().Select(ToJson)) + "]",
        _ => ToJson(JinjaValues.ToText(value)),
    };
}
