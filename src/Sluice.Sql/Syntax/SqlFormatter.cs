using System.Text;

namespace Sluice.Sql.Syntax;

/// <summary>
/// Prints syntax trees as canonical SQL: keywords upper-case, one space between tokens, names back-quoted only when
/// they must be (<see cref="SqlKeywords.NeedsQuotes"/>), parentheses only where precedence needs them. Parsing the
/// output gives a tree equal to the input (<see cref="SqlNode.Equals(SqlNode?)"/> ignores positions) for every tree
/// the parser can produce. Statements print on one line, except CREATE TABLE and statement sets. Thread-safe.
/// </summary>
internal static partial class SqlFormatter
{
    // Binding strength of each expression level, loosest first, matching SqlParser's precedence.
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int NotLevel = 3;
    private const int PredicateLevel = 4;
    private const int AdditiveLevel = 5;
    private const int MultiplicativeLevel = 6;
    private const int UnaryLevel = 7;
    private const int PrimaryLevel = 8;

    /// <summary>The SQL text of <paramref name="node"/>.</summary>
    public static string Format(SqlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var text = new StringBuilder();
        Append(text, node);
        return text.ToString();
    }

    /// <summary>A name as SQL: back-quoted (with back quotes doubled) when <see cref="SqlKeywords.NeedsQuotes"/>.</summary>
    public static string QuoteName(string name) =>
        SqlKeywords.NeedsQuotes(name) ? $"`{name.Replace("`", "``", StringComparison.Ordinal)}`" : name;

    /// <summary>A string literal: single quotes, with single quotes doubled.</summary>
    public static string QuoteString(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    private static void Append(StringBuilder text, SqlNode node)
    {
        switch (node)
        {
            case SqlExpression expression:
                AppendExpression(text, expression, 0);
                break;
            case SqlQuery query:
                AppendQuery(text, query);
                break;
            case SqlStatement statement:
                AppendStatement(text, statement);
                break;
            case SqlTableReference table:
                AppendTable(text, table);
                break;
            case SqlSelectItem item:
                AppendSelectItem(text, item);
                break;
            case SqlOrderItem order:
                AppendOrderItem(text, order);
                break;
            case SqlWindowSpecification window:
                AppendWindow(text, window);
                break;
            case SqlWhenClause whenClause:
                text.Append("WHEN ");
                AppendExpression(text, whenClause.When, 0);
                text.Append(" THEN ");
                AppendExpression(text, whenClause.Then, 0);
                break;
            case SqlTableAlias alias:
                AppendAlias(text, alias);
                break;
            case SqlColumnDefinition column:
                AppendColumn(text, column);
                break;
            case SqlTableOption option:
                text.Append(QuoteString(option.Key)).Append(" = ").Append(QuoteString(option.Value));
                break;
            default:
                text.Append(node.GetType().Name);
                break;
        }
    }

    private static void AppendName(StringBuilder text, SqlList<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                text.Append('.');
            }
            text.Append(QuoteName(names[i]));
        }
    }

    private static void AppendNameList(StringBuilder text, SqlList<string> names)
    {
        text.Append('(');
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(QuoteName(names[i]));
        }
        text.Append(')');
    }

    private static void AppendExpressions(StringBuilder text, SqlList<SqlExpression> expressions)
    {
        for (int i = 0; i < expressions.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            AppendExpression(text, expressions[i], 0);
        }
    }

    private static string Keyword(SqlTimeUnit unit) => unit.ToString().ToUpperInvariant();
}
