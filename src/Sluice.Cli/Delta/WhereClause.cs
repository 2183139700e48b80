using System.Globalization;
using Sluice.Connectors.Delta;
using Sluice.Schemas;

namespace Sluice.Cli.Delta;

/// <summary>
/// Parses the <c>--where</c> of <c>sluice delta optimize</c>: <c>column op value</c> with op one of <c>= &lt; &lt;= &gt; &gt;=</c>
/// and value a number, <c>true</c>/<c>false</c>, or a quoted string (<c>'eu'</c>, <c>''</c> for a quote), converted to
/// the column's type (dates as <c>yyyy-MM-dd</c>, timestamps ISO 8601). Stateless.
/// </summary>
internal static class WhereClause
{
    private static readonly string[] s_operators = ["<=", ">=", "=", "<", ">"];

    /// <exception cref="CommandFailedException">The text is not of that form, names no column of <paramref name="schema"/>, or its value does not fit the column.</exception>
    public static DeltaPredicate Parse(string text, Schema schema)
    {
        if (FindOperator(text) is var (at, op))
        {
            var column = text[..at].Trim();
            var literal = text[(at + op.Length)..].Trim();
            var index = schema.IndexOf(column);
            if (index < 0)
            {
                throw new CommandFailedException($"--where '{text}' names column '{column}', which the table does not have; its columns are: {string.Join(", ", schema.Select(f => f.Name))}.");
            }
            var value = Value(literal, schema[index].Type) ?? throw new CommandFailedException(
                $"--where '{text}': {literal} is not a value of column '{column}' ({schema[index].Type}); quote strings ('eu'), write dates as '2026-01-31'.");
            return op switch
            {
                "=" => DeltaPredicate.Equal(column, value),
                "<" => DeltaPredicate.LessThan(column, value),
                "<=" => DeltaPredicate.LessThanOrEqual(column, value),
                ">" => DeltaPredicate.GreaterThan(column, value),
                _ => DeltaPredicate.GreaterThanOrEqual(column, value),
            };
        }
        throw new CommandFailedException($"--where '{text}' is not 'column op value' with op one of =, <, <=, >, >= (e.g. \"region = 'eu'\").");
    }

    /// <summary>The first operator outside a quoted string (the longest at its position), or null: a value such as <c>'a&lt;=b'</c> holds no operator.</summary>
    private static (int At, string Op)? FindOperator(string text)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                quoted = !quoted; // '' inside a string toggles twice: still quoted
                continue;
            }
            if (quoted)
            {
                continue;
            }
            foreach (var op in s_operators)
            {
                if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
                {
                    return i == 0 ? null : (i, op);
                }
            }
        }
        return null;
    }

    private static object? Value(string literal, DataType type)
    {
        var quoted = literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\'';
        var text = quoted ? literal[1..^1].Replace("''", "'", StringComparison.Ordinal) : literal;
        var c = CultureInfo.InvariantCulture;
        return type.Kind switch
        {
            DataTypeKind.Varchar => quoted ? text : null,
            DataTypeKind.Int => int.TryParse(text, NumberStyles.Integer, c, out var i) ? i : null,
            DataTypeKind.BigInt => long.TryParse(text, NumberStyles.Integer, c, out var l) ? l : null,
            DataTypeKind.Float or DataTypeKind.Double => double.TryParse(text, NumberStyles.Float, c, out var d) ? d : null,
            DataTypeKind.Decimal => decimal.TryParse(text, NumberStyles.Number, c, out var m) ? m : null,
            DataTypeKind.Boolean => bool.TryParse(text, out var b) ? b : null,
            DataTypeKind.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", c, DateTimeStyles.None, out var date) ? date : null,
            DataTypeKind.Timestamp => DateTime.TryParse(text, c, DateTimeStyles.None, out var ts) ? ts : null,
            DataTypeKind.TimestampLtz => DateTimeOffset.TryParse(text, c, DateTimeStyles.AssumeUniversal, out var ltz) ? ltz : null,
            _ => null,
        };
    }
}
