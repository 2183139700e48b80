using System.Text;

namespace Sluice.Sql.Syntax;

internal static partial class SqlFormatter
{
    /// <summary>Appends <paramref name="expression"/>, in parentheses when it binds looser than <paramref name="level"/>.</summary>
    private static void AppendExpression(StringBuilder text, SqlExpression expression, int level)
    {
        var own = Level(expression);
        var parenthesize = own < level;
        if (parenthesize)
        {
            text.Append('(');
        }
        AppendBare(text, expression);
        if (parenthesize)
        {
            text.Append(')');
        }
    }

    private static int Level(SqlExpression expression) => expression switch
    {
        SqlBinaryExpression { Operator: SqlBinaryOperator.Or } => OrLevel,
        SqlBinaryExpression { Operator: SqlBinaryOperator.And } => AndLevel,
        SqlUnaryExpression { Operator: SqlUnaryOperator.Not } => NotLevel,
        SqlBinaryExpression { Operator: SqlBinaryOperator.Add or SqlBinaryOperator.Subtract } => AdditiveLevel,
        SqlBinaryExpression { Operator: SqlBinaryOperator.Multiply or SqlBinaryOperator.Divide or SqlBinaryOperator.Modulo or SqlBinaryOperator.Concat } => MultiplicativeLevel,
        SqlBinaryExpression or SqlIsExpression or SqlBetweenExpression or SqlInListExpression or SqlInQueryExpression or SqlLikeExpression => PredicateLevel,
        SqlUnaryExpression => UnaryLevel,
        // A named argument only stands alone in an argument list; never parenthesize it.
        _ => PrimaryLevel,
    };

    private static void AppendBare(StringBuilder text, SqlExpression expression)
    {
        switch (expression)
        {
            case SqlIdentifier identifier:
                AppendName(text, identifier.Names);
                break;
            case SqlStar star:
                if (!star.Qualifier.IsEmpty)
                {
                    AppendName(text, star.Qualifier);
                    text.Append('.');
                }
                text.Append('*');
                break;
            case SqlNumberLiteral number:
                text.Append(number.Text);
                break;
            case SqlStringLiteral str:
                text.Append(QuoteString(str.Value));
                break;
            case SqlBinaryLiteral binary:
                text.Append("X'").Append(binary.Hex).Append('\'');
                break;
            case SqlBooleanLiteral boolean:
                text.Append(boolean.Value switch { true => "TRUE", false => "FALSE", null => "UNKNOWN" });
                break;
            case SqlNullLiteral:
                text.Append("NULL");
                break;
            case SqlDateTimeLiteral dateTime:
                text.Append(dateTime.Kind switch
                {
                    SqlDateTimeKind.Date => "DATE ",
                    SqlDateTimeKind.Time => "TIME ",
                    SqlDateTimeKind.Timestamp => "TIMESTAMP ",
                    _ => "TIMESTAMP_LTZ ",
                }).Append(QuoteString(dateTime.Text));
                break;
            case SqlIntervalLiteral interval:
                text.Append("INTERVAL ").Append(interval.Negative ? "-" : "").Append(QuoteString(interval.Text)).Append(' ').Append(Keyword(interval.Start));
                if (interval.End is { } end)
                {
                    text.Append(" TO ").Append(Keyword(end));
                }
                break;
            case SqlUnaryExpression unary:
                AppendUnary(text, unary);
                break;
            case SqlBinaryExpression binary:
                AppendBinary(text, binary);
                break;
            case SqlIsExpression isExpression:
                AppendExpression(text, isExpression.Operand, PredicateLevel);
                text.Append(isExpression.Negated ? " IS NOT " : " IS ").Append(isExpression.Test switch
                {
                    SqlIsTest.Null => "NULL",
                    SqlIsTest.True => "TRUE",
                    SqlIsTest.False => "FALSE",
                    _ => "UNKNOWN",
                });
                break;
            case SqlBetweenExpression between:
                AppendExpression(text, between.Operand, PredicateLevel);
                text.Append(between.Negated ? " NOT BETWEEN " : " BETWEEN ").Append(between.Symmetric ? "SYMMETRIC " : "");
                AppendExpression(text, between.Low, AdditiveLevel);
                text.Append(" AND ");
                AppendExpression(text, between.High, AdditiveLevel);
                break;
            case SqlInListExpression inList:
                AppendExpression(text, inList.Operand, PredicateLevel);
                text.Append(inList.Negated ? " NOT IN (" : " IN (");
                AppendExpressions(text, inList.Values);
                text.Append(')');
                break;
            case SqlInQueryExpression inQuery:
                AppendExpression(text, inQuery.Operand, PredicateLevel);
                text.Append(inQuery.Negated ? " NOT IN (" : " IN (");
                AppendQuery(text, inQuery.Query);
                text.Append(')');
                break;
            case SqlLikeExpression like:
                AppendExpression(text, like.Operand, PredicateLevel);
                text.Append(like.Negated ? " NOT" : "").Append(like.Similar ? " SIMILAR TO " : " LIKE ");
                AppendExpression(text, like.Pattern, AdditiveLevel);
                if (like.Escape is { } escape)
                {
                    text.Append(" ESCAPE ");
                    AppendExpression(text, escape, AdditiveLevel);
                }
                break;
            case SqlExistsExpression exists:
                text.Append("EXISTS (");
                AppendQuery(text, exists.Query);
                text.Append(')');
                break;
            case SqlSubqueryExpression subquery:
                text.Append('(');
                AppendQuery(text, subquery.Query);
                text.Append(')');
                break;
            case SqlCaseExpression caseExpression:
                AppendCase(text, caseExpression);
                break;
            case SqlCastExpression cast:
                text.Append(cast.Try ? "TRY_CAST(" : "CAST(");
                AppendExpression(text, cast.Operand, 0);
                text.Append(" AS ").Append(cast.Type).Append(')');
                break;
            case SqlExtractExpression extract:
                text.Append("EXTRACT(").Append(Keyword(extract.Unit)).Append(" FROM ");
                AppendExpression(text, extract.Operand, 0);
                text.Append(')');
                break;
            case SqlTrimExpression trim:
                text.Append("TRIM(").Append(trim.Mode.ToString().ToUpperInvariant()).Append(' ');
                if (trim.Characters is { } characters)
                {
                    AppendExpression(text, characters, 0);
                    text.Append(' ');
                }
                text.Append("FROM ");
                AppendExpression(text, trim.Operand, 0);
                text.Append(')');
                break;
            case SqlFunctionCall call:
                AppendCall(text, call);
                break;
            case SqlNamedArgument named:
                text.Append(QuoteName(named.Name)).Append(" => ");
                AppendExpression(text, named.Value, 0);
                break;
            case SqlTableArgument table:
                text.Append("TABLE ");
                AppendName(text, table.Table.Names);
                if (table.PartitionBy.Count == 1)
                {
                    text.Append(" PARTITION BY ");
                    AppendExpression(text, table.PartitionBy[0], AdditiveLevel);
                }
                else if (table.PartitionBy.Count > 1)
                {
                    text.Append(" PARTITION BY (");
                    AppendExpressions(text, table.PartitionBy);
                    text.Append(')');
                }
                break;
            case SqlDescriptor descriptor:
                text.Append("DESCRIPTOR");
                AppendNameList(text, descriptor.Columns);
                break;
            case SqlItemExpression item:
                AppendPostfixOperand(text, item.Operand);
                text.Append('[');
                AppendExpression(text, item.Index, 0);
                text.Append(']');
                break;
            case SqlFieldAccess field:
                AppendPostfixOperand(text, field.Operand);
                text.Append('.').Append(QuoteName(field.Field));
                break;
            case SqlArrayConstructor array:
                text.Append("ARRAY[");
                AppendExpressions(text, array.Elements);
                text.Append(']');
                break;
            case SqlMapConstructor map:
                text.Append("MAP[");
                AppendExpressions(text, map.KeysAndValues);
                text.Append(']');
                break;
            case SqlRowConstructor row:
                text.Append("ROW(");
                AppendExpressions(text, row.Fields);
                text.Append(')');
                break;
            default:
                text.Append(expression.GetType().Name);
                break;
        }
    }

    private static void AppendPostfixOperand(StringBuilder text, SqlExpression operand)
    {
        // A field of a plain name would read back as a longer name, "1.f" would read as the number "1." and a star
        // cannot take a suffix: parenthesize those.
        if (operand is SqlIdentifier or SqlStar or SqlNumberLiteral or SqlNamedArgument or SqlTableArgument || Level(operand) < PrimaryLevel)
        {
            text.Append('(');
            AppendBare(text, operand);
            text.Append(')');
        }
        else
        {
            AppendBare(text, operand);
        }
    }

    private static void AppendUnary(StringBuilder text, SqlUnaryExpression unary)
    {
        if (unary.Operator == SqlUnaryOperator.Not)
        {
            text.Append("NOT ");
            AppendExpression(text, unary.Operand, NotLevel);
            return;
        }
        text.Append(unary.Operator == SqlUnaryOperator.Negate ? '-' : '+');
        // "--" would start a comment: a signed operand goes in parentheses.
        if (unary.Operand is SqlUnaryExpression { Operator: not SqlUnaryOperator.Not })
        {
            text.Append('(');
            AppendBare(text, unary.Operand);
            text.Append(')');
        }
        else
        {
            AppendExpression(text, unary.Operand, UnaryLevel);
        }
    }

    private static void AppendBinary(StringBuilder text, SqlBinaryExpression binary)
    {
        var level = Level(binary);
        // Left-associative: the left operand may bind as loosely as this operator, the right one must bind tighter.
        // Comparisons take additive operands on the right.
        var rightLevel = level == PredicateLevel ? AdditiveLevel : level + 1;
        AppendExpression(text, binary.Left, level);
        text.Append(binary.Operator switch
        {
            SqlBinaryOperator.Or => " OR ",
            SqlBinaryOperator.And => " AND ",
            SqlBinaryOperator.Equal => " = ",
            SqlBinaryOperator.NotEqual => " <> ",
            SqlBinaryOperator.Less => " < ",
            SqlBinaryOperator.LessOrEqual => " <= ",
            SqlBinaryOperator.Greater => " > ",
            SqlBinaryOperator.GreaterOrEqual => " >= ",
            SqlBinaryOperator.IsDistinctFrom => " IS DISTINCT FROM ",
            SqlBinaryOperator.IsNotDistinctFrom => " IS NOT DISTINCT FROM ",
            SqlBinaryOperator.Add => " + ",
            SqlBinaryOperator.Subtract => " - ",
            SqlBinaryOperator.Multiply => " * ",
            SqlBinaryOperator.Divide => " / ",
            SqlBinaryOperator.Modulo => " % ",
            _ => " || ",
        });
        AppendExpression(text, binary.Right, rightLevel);
    }

    private static void AppendCase(StringBuilder text, SqlCaseExpression caseExpression)
    {
        text.Append("CASE");
        if (caseExpression.Operand is { } operand)
        {
            text.Append(' ');
            AppendExpression(text, operand, 0);
        }
        foreach (var when in caseExpression.Whens)
        {
            text.Append(" WHEN ");
            AppendExpression(text, when.When, 0);
            text.Append(" THEN ");
            AppendExpression(text, when.Then, 0);
        }
        if (caseExpression.Else is { } otherwise)
        {
            text.Append(" ELSE ");
            AppendExpression(text, otherwise, 0);
        }
        text.Append(" END");
    }

    private static void AppendCall(StringBuilder text, SqlFunctionCall call)
    {
        if (call.Niladic)
        {
            text.Append(call.Name.Name.ToUpperInvariant());
        }
        else
        {
            if (call.Name.Names.Count == 1)
            {
                var name = call.Name.Name;
                text.Append(IsPlainFunctionName(name) ? name : $"`{name.Replace("`", "``", StringComparison.Ordinal)}`");
            }
            else
            {
                AppendName(text, call.Name.Names);
            }
            text.Append('(');
            if (call.Distinct)
            {
                text.Append("DISTINCT ");
            }
            AppendExpressions(text, call.Arguments);
            text.Append(')');
        }
        if (call.Filter is { } filter)
        {
            text.Append(" FILTER (WHERE ");
            AppendExpression(text, filter, 0);
            text.Append(')');
        }
        if (call.Over is { } over)
        {
            text.Append(" OVER ");
            AppendWindow(text, over);
        }
    }

    /// <summary>Whether a function name reads back as a call without back quotes: a plain word that does not start
    /// special syntax, a literal or a clause.</summary>
    private static bool IsPlainFunctionName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
            {
                return false;
            }
        }
        // Reserved words are quoted too (after '(' SELECT would start a subquery), except the LEFT and RIGHT string
        // functions, which read back as calls.
        return !SqlKeywords.IsSpecialForm(name)
            && (!SqlKeywords.IsReserved(name) || name.Equals("LEFT", StringComparison.OrdinalIgnoreCase) || name.Equals("RIGHT", StringComparison.OrdinalIgnoreCase));
    }

    private static void AppendWindow(StringBuilder text, SqlWindowSpecification window)
    {
        if (window.IsReference)
        {
            text.Append(QuoteWindowName(window.BaseWindow ?? ""));
            return;
        }
        text.Append('(');
        var space = false;
        if (window.BaseWindow is { } baseWindow)
        {
            text.Append(QuoteWindowName(baseWindow));
            space = true;
        }
        if (!window.PartitionBy.IsEmpty)
        {
            text.Append(space ? " " : "").Append("PARTITION BY ");
            AppendExpressions(text, window.PartitionBy);
            space = true;
        }
        if (!window.OrderBy.IsEmpty)
        {
            text.Append(space ? " " : "").Append("ORDER BY ");
            AppendOrderItems(text, window.OrderBy);
            space = true;
        }
        if (window.Frame is { } frame)
        {
            text.Append(space ? " " : "").Append(frame.Unit == SqlFrameUnit.Rows ? "ROWS " : "RANGE ");
            if (frame.End is { } end)
            {
                text.Append("BETWEEN ");
                AppendFrameBound(text, frame.Start);
                text.Append(" AND ");
                AppendFrameBound(text, end);
            }
            else
            {
                AppendFrameBound(text, frame.Start);
            }
        }
        text.Append(')');
    }

    private static string QuoteWindowName(string name) =>
        name.Equals("ROWS", StringComparison.OrdinalIgnoreCase) || name.Equals("RANGE", StringComparison.OrdinalIgnoreCase)
            ? $"`{name}`"
            : QuoteName(name);

    private static void AppendFrameBound(StringBuilder text, SqlFrameBound bound)
    {
        switch (bound.Kind)
        {
            case SqlFrameBoundKind.UnboundedPreceding:
                text.Append("UNBOUNDED PRECEDING");
                break;
            case SqlFrameBoundKind.UnboundedFollowing:
                text.Append("UNBOUNDED FOLLOWING");
                break;
            case SqlFrameBoundKind.CurrentRow:
                text.Append("CURRENT ROW");
                break;
            default:
                AppendExpression(text, bound.Offset!, AdditiveLevel);
                text.Append(bound.Kind == SqlFrameBoundKind.Preceding ? " PRECEDING" : " FOLLOWING");
                break;
        }
    }

    private static void AppendOrderItems(StringBuilder text, SqlList<SqlOrderItem> items)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            AppendOrderItem(text, items[i]);
        }
    }

    private static void AppendOrderItem(StringBuilder text, SqlOrderItem item)
    {
        AppendExpression(text, item.Expression, 0);
        if (item.Descending)
        {
            text.Append(" DESC");
        }
        if (item.NullsFirst is { } first)
        {
            text.Append(first ? " NULLS FIRST" : " NULLS LAST");
        }
    }
}
