using System.Collections;
using System.Globalization;
using System.Text;

namespace Sluice.Models.Templating;

/// <summary>
/// A function callable from a template: positional arguments, keyword arguments. It throws
/// <see cref="JinjaCallException"/> (or any exception) to fail; the renderer adds the call's position.
/// </summary>
internal delegate object? JinjaFunction(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords);

/// <summary>A host object with attributes a template reads with <c>.name</c> (e.g. <c>this.schema</c>).</summary>
internal interface IJinjaObject
{
    bool TryGetAttribute(string name, out object? value);
}

/// <summary>A call from a template failed for a reason its author can fix; the message is shown after the position.</summary>
internal sealed class JinjaCallException(string message) : Exception(message);

/// <summary>The value of a name or attribute that does not exist: false, empty for <c>default</c>, an error when printed or called.</summary>
internal sealed record Undefined(string Name);

/// <summary>
/// Template values are <c>null</c> (none), <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>, <see cref="List{T}"/> of values, <see cref="Dictionary{TKey,TValue}"/> from string,
/// <see cref="JinjaFunction"/>, <see cref="IJinjaObject"/> and <see cref="Undefined"/>. This class holds Python's
/// truthiness, equality, ordering and printing rules for them.
/// </summary>
internal static class JinjaValues
{
    public static bool IsTrue(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>Printing, as Jinja's <c>{{ }}</c> does: none is <c>None</c>, booleans <c>True</c>/<c>False</c>, lists as Python reprs.</summary>
    public static string ToText(object? value) => value switch
    {
        string s => s,
        _ => Repr(value, topLevel: true),
    };

    public static string Repr(object? value, bool topLevel = false)
    {
        switch (value)
        {
            case null:
                return "None";
            case bool b:
                return b ? "True" : "False";
            case long l:
                return l.ToString(CultureInfo.InvariantCulture);
            case double d:
                return double.IsInteger(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
            case string s:
                return topLevel ? s : "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
            case Dictionary<string, object?> dict:
                return "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}";
            case IList list:
                var builder = new StringBuilder("[");
                for (var i = 0; i < list.Count; i++)
                {
                    builder.Append(i > 0 ? ", " : "").Append(Repr(list[i]));
                }
                return builder.Append(']').ToString();
            default:
                return value.ToString() ?? "";
        }
    }

    public static string TypeName(object? value) => value switch
    {
        null => "none",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        Dictionary<string, object?> => "dict",
        IList => "list",
        JinjaFunction => "function",
        Undefined u => $"undefined ('{u.Name}')",
        _ => value.GetType().Name,
    };

    public static bool AreEqual(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (bool a, long b) => (a ? 1 : 0) == b,
        (long a, bool b) => a == (b ? 1 : 0),
        (IList a, IList b) => a.Count == b.Count && Enumerable.Range(0, a.Count).All(i => AreEqual(a[i], b[i])),
        _ => object.Equals(left, right),
    };

    /// <summary>Orders numbers with numbers and strings with strings (ordinal); anything else cannot be compared.</summary>
    public static int Compare(object? left, object? right) => (left, right) switch
    {
        (long a, long b) => a.CompareTo(b),
        (long or double, long or double) => ToDouble(left).CompareTo(ToDouble(right)),
        (string a, string b) => string.CompareOrdinal(a, b),
        (bool a, bool b) => a.CompareTo(b),
        _ => throw new JinjaCallException($"cannot compare {TypeName(left)} with {TypeName(right)}"),
    };

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new JinjaCallException($"expected a number, got {TypeName(value)}"),
    };

    /// <summary>Iterates a list (items), a dict (keys) or a string (characters); anything else fails.</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        Dictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => s.Select(c => (object?)c.ToString()).ToList(),
        IList list => list.Cast<object?>().ToList(),
        Undefined u => throw new JinjaCallException($"'{u.Name}' is undefined"),
        _ => throw new JinjaCallException($"{TypeName(value)} is not iterable"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        Dictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        IList list => list.Cast<object?>().Any(x => AreEqual(x, item)),
        _ => throw new JinjaCallException($"'in' needs a string, list or dict on its right, got {TypeName(container)}"),
    };
}
