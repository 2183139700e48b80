using System.Text;
using Sluice.Schemas;

namespace Sluice.Connectors.Redis.Sinks;

/// <summary>
/// A parsed key pattern such as <c>user:{user_id}</c>: literal text and <c>{field}</c> placeholders (<c>{{</c> and
/// <c>}}</c> stand for literal braces). Immutable and thread-safe.
/// </summary>
internal sealed class RedisKeyPattern
{
    private readonly string[] _literals; // one more than _fields: text before each placeholder, then the tail
    private readonly int[] _fields;

    private RedisKeyPattern(string text, string[] literals, int[] fields)
    {
        Text = text;
        _literals = literals;
        _fields = fields;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>The schema indexes of the placeholder fields, in order.</summary>
    public IReadOnlyList<int> Fields => _fields;

    /// <summary>Parses <paramref name="pattern"/> against <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentException">An unclosed or empty placeholder, a lone brace, no placeholder at all, or a placeholder naming no field (the message lists the fields).</exception>
    public static RedisKeyPattern Parse(string pattern, Schema schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var literals = new List<string>();
        var fields = new List<int>();
        var literal = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '{' && i + 1 < pattern.Length && pattern[i + 1] == '{' || c == '}' && i + 1 < pattern.Length && pattern[i + 1] == '}')
            {
                literal.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var close = pattern.IndexOf('}', i + 1);
                if (close < 0 || close == i + 1)
                {
                    throw new ArgumentException($"Key pattern '{pattern}' has {(close < 0 ? "an unclosed" : "an empty")} placeholder at character {i + 1}; write {{field}} to insert a field's value, {{{{ for a literal brace.", nameof(pattern));
                }
                var name = pattern[(i + 1)..close];
                var index = schema.IndexOf(name);
                if (index < 0)
                {
                    throw new ArgumentException($"Key pattern '{pattern}' names field '{name}', which the records do not have (fields: {string.Join(", ", schema.Select(f => f.Name))}).", nameof(pattern));
                }
                literals.Add(literal.ToString());
                literal.Clear();
                fields.Add(index);
                i = close;
            }
            else if (c == '}')
            {
                throw new ArgumentException($"Key pattern '{pattern}' has a lone '}}' at character {i + 1}; write }}}} for a literal brace.", nameof(pattern));
            }
            else
            {
                literal.Append(c);
            }
        }
        if (fields.Count == 0)
        {
            throw new ArgumentException($"Key pattern '{pattern}' has no {{field}} placeholder, so every record would write the same key; name the entity's key field, e.g. 'user:{{{schema[0].Name}}}'.", nameof(pattern));
        }
        literals.Add(literal.ToString());
        return new RedisKeyPattern(pattern, [.. literals], [.. fields]);
    }

    /// <summary>The key of <paramref name="row"/>.</summary>
    /// <exception cref="ArgumentException">A key field is null.</exception>
    public string Format(Row row) => Format(row, new StringBuilder(32));

    /// <summary>The key of <paramref name="row"/>, built in <paramref name="text"/> (cleared first; reused by a writer, so a key costs one string).</summary>
    /// <exception cref="ArgumentException">A key field is null.</exception>
    public string Format(Row row, StringBuilder text)
    {
        text.Clear().Append(_literals[0]);
        for (var i = 0; i < _fields.Length; i++)
        {
            var field = _fields[i];
            if (row.IsNull(field))
            {
                throw new ArgumentException($"Key field '{row.Schema[field].Name}' of key pattern '{Text}' is null in {row}; an entity needs a key.", nameof(row));
            }
            RedisFeatureValues.Append(text, row, field);
            text.Append(_literals[i + 1]);
        }
        return text.ToString();
    }
}
