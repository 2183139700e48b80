using System.Collections;

namespace Sluice.Models.Templating;

/// <summary>The Python methods templates commonly call on strings, lists and dicts (<c>s.upper()</c>, <c>d.items()</c>, <c>l.append(x)</c>).</summary>
internal static class JinjaMethods
{
    public static bool TryBind(object? target, string name, out JinjaFunction? method)
    {
        method = (target, name) switch
        {
            (string s, "lower") => (_, _) => s.ToLowerInvariant(),
            (string s, "upper") => (_, _) => s.ToUpperInvariant(),
            (string s, "strip") => (a, _) => a.Count > 0 && a[0] is string chars ? s.Trim(chars.ToCharArray()) : s.Trim(),
            (string s, "lstrip") => (_, _) => s.TrimStart(),
            (string s, "rstrip") => (_, _) => s.TrimEnd(),
            (string s, "startswith") => (a, _) => a.Count == 1 && a[0] is string p && s.StartsWith(p, StringComparison.Ordinal),
            (string s, "endswith") => (a, _) => a.Count == 1 && a[0] is string p && s.EndsWith(p, StringComparison.Ordinal),
            (string s, "replace") => (a, _) => a.Count == 2 && a[0] is string o && a[1] is string n && o.Length > 0 ? s.Replace(o, n, StringComparison.Ordinal) : throw new JinjaCallException("replace needs two strings"),
            (string s, "split") => (a, _) => (a.Count > 0 && a[0] is string sep
                ? s.Split(sep)
                : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Select(x => (object?)x).ToList(),
            (string s, "format") => (a, _) => string.Format(System.Globalization.CultureInfo.InvariantCulture, NumberPlaceholders(s), [.. a.Select(JinjaValues.ToText)]),
            (Dictionary<string, object?> d, "items") => (_, _) => d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
            (Dictionary<string, object?> d, "keys") => (_, _) => d.Keys.Select(k => (object?)k).ToList(),
            (Dictionary<string, object?> d, "values") => (_, _) => d.Values.ToList(),
            (Dictionary<string, object?> d, "get") => (a, _) => a.Count > 0 && a[0] is string k && d.TryGetValue(k, out var v) ? v : a.Count > 1 ? a[1] : null,
            (Dictionary<string, object?> d, "update") => (a, _) =>
            {
                if (a.Count == 1 && a[0] is Dictionary<string, object?> other)
                {
                    foreach (var (k, v) in other)
                    {
                        d[k] = v;
                    }
                }
                return null;
            }
            ,
            (List<object?> l, "append") => (a, _) =>
            {
                l.Add(a.Count == 1 ? a[0] : throw new JinjaCallException("append takes one argument"));
                return null;
            }
            ,
            (List<object?> l, "extend") => (a, _) =>
            {
                l.AddRange(a.Count == 1 && a[0] is IList items ? items.Cast<object?>() : throw new JinjaCallException("extend takes one list"));
                return null;
            }
            ,
            (List<object?> l, "index") => (a, _) => (long)l.FindIndex(x => a.Count == 1 && JinjaValues.AreEqual(x, a[0])),
            _ => null,
        };
        return method is not null;
    }

    /// <summary>
    /// Python's automatic field numbering: the n-th <c>{}</c> becomes <c>{n}</c> (<c>'{} {}'</c> → <c>'{0} {1}'</c>);
    /// <c>{{</c>/<c>}}</c> escapes and explicit <c>{0}</c> fields are left as they are.
    /// </summary>
    internal static string NumberPlaceholders(string format)
    {
        var builder = new System.Text.StringBuilder(format.Length + 8);
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] is '{' or '}' && i + 1 < format.Length && format[i + 1] == format[i])
            {
                builder.Append(format[i]).Append(format[i]);
                i++;
            }
            else if (format[i] == '{' && i + 1 < format.Length && format[i + 1] == '}')
            {
                builder.Append('{').Append(next++).Append('}');
                i++;
            }
            else
            {
                builder.Append(format[i]);
            }
        }
        return builder.ToString();
    }
}
