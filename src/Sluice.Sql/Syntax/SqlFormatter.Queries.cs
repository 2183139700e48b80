using System.Text;

namespace Sluice.Sql.Syntax;

internal static partial class SqlFormatter
{
    private static void AppendQuery(StringBuilder text, SqlQuery query)
    {
        switch (query)
        {
            case SqlSelect select:
                AppendSelect(text, select);
                break;
            case SqlValues values:
                text.Append("VALUES ");
                for (int i = 0; i < values.Rows.Count; i++)
                {
                    text.Append(i > 0 ? ", (" : "(");
                    AppendExpressions(text, values.Rows[i]);
                    text.Append(')');
                }
                break;
            case SqlSetOperation set:
                AppendSetOperand(text, set.Left);
                text.Append(set.Operator switch
                {
                    SqlSetOperator.Union => " UNION ",
                    SqlSetOperator.Intersect => " INTERSECT ",
                    _ => " EXCEPT ",
                });
                if (set.All)
                {
                    text.Append("ALL ");
                }
                AppendSetOperand(text, set.Right);
                break;
            case SqlWith with:
                text.Append("WITH ");
                for (int i = 0; i < with.Tables.Count; i++)
                {
                    var table = with.Tables[i];
                    text.Append(i > 0 ? ", " : "").Append(QuoteName(table.Name));
                    if (!table.Columns.IsEmpty)
                    {
                        text.Append(' ');
                        AppendNameList(text, table.Columns);
                    }
                    text.Append(" AS (");
                    AppendQuery(text, table.Query);
                    text.Append(')');
                }
                text.Append(' ');
                AppendSetOperand(text, with.Body);
                break;
            case SqlOrderedQuery ordered:
                if (ordered.Query is SqlOrderedQuery)
                {
                    text.Append('(');
                    AppendQuery(text, ordered.Query);
                    text.Append(')');
                }
                else
                {
                    AppendQuery(text, ordered.Query);
                }
                if (!ordered.OrderBy.IsEmpty)
                {
                    text.Append(" ORDER BY ");
                    AppendOrderItems(text, ordered.OrderBy);
                }
                if (ordered.Limit is { } limit)
                {
                    text.Append(" LIMIT ");
                    AppendExpression(text, limit, 0);
                }
                if (ordered.Offset is { } offset)
                {
                    text.Append(" OFFSET ");
                    AppendExpression(text, offset, 0);
                    text.Append(" ROWS");
                }
                break;
            default:
                text.Append(query.GetType().Name);
                break;
        }
    }

    /// <summary>An operand of a set operation or the body of WITH: SELECT and VALUES bare, anything else in
    /// parentheses.</summary>
    private static void AppendSetOperand(StringBuilder text, SqlQuery query)
    {
        if (query is SqlSelect or SqlValues)
        {
            AppendQuery(text, query);
            return;
        }
        text.Append('(');
        AppendQuery(text, query);
        text.Append(')');
    }

    private static void AppendSelect(StringBuilder text, SqlSelect select)
    {
        text.Append(select.Distinct ? "SELECT DISTINCT " : "SELECT ");
        for (int i = 0; i < select.Items.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            AppendSelectItem(text, select.Items[i]);
        }
        if (select.From is { } from)
        {
            text.Append(" FROM ");
            AppendTable(text, from);
        }
        if (select.Where is { } where)
        {
            text.Append(" WHERE ");
            AppendExpression(text, where, 0);
        }
        if (!select.GroupBy.IsEmpty)
        {
            text.Append(" GROUP BY ");
            AppendExpressions(text, select.GroupBy);
        }
        if (select.Having is { } having)
        {
            text.Append(" HAVING ");
            AppendExpression(text, having, 0);
        }
        for (int i = 0; i < select.Windows.Count; i++)
        {
            text.Append(i == 0 ? " WINDOW " : ", ").Append(QuoteName(select.Windows[i].Name)).Append(" AS ");
            AppendWindow(text, select.Windows[i].Window);
        }
    }

    private static void AppendSelectItem(StringBuilder text, SqlSelectItem item)
    {
        AppendExpression(text, item.Expression, 0);
        if (item.Alias is { } alias)
        {
            text.Append(" AS ").Append(QuoteName(alias));
        }
    }

    private static void AppendTable(StringBuilder text, SqlTableReference table)
    {
        switch (table)
        {
            case SqlNamedTable named:
                AppendName(text, named.Name.Names);
                if (named.SystemTime is { } systemTime)
                {
                    text.Append(" FOR SYSTEM_TIME AS OF ");
                    AppendExpression(text, systemTime, 0);
                }
                AppendOptionalAlias(text, named.Alias);
                break;
            case SqlDerivedTable derived:
                text.Append(derived.Lateral ? "LATERAL (" : "(");
                AppendQuery(text, derived.Query);
                text.Append(')');
                AppendOptionalAlias(text, derived.Alias);
                break;
            case SqlTableFunction function:
                text.Append(function.Lateral ? "LATERAL TABLE(" : "TABLE(");
                AppendCall(text, function.Call);
                text.Append(')');
                AppendOptionalAlias(text, function.Alias);
                break;
            case SqlUnnest unnest:
                text.Append("UNNEST(");
                AppendExpressions(text, unnest.Arguments);
                text.Append(unnest.WithOrdinality ? ") WITH ORDINALITY" : ")");
                AppendOptionalAlias(text, unnest.Alias);
                break;
            case SqlJoin join:
                AppendTable(text, join.Left);
                text.Append(join.Type switch
                {
                    SqlJoinType.Inner => " JOIN ",
                    SqlJoinType.Left => " LEFT JOIN ",
                    SqlJoinType.Right => " RIGHT JOIN ",
                    SqlJoinType.Full => " FULL JOIN ",
                    SqlJoinType.Cross => " CROSS JOIN ",
                    _ => ", ",
                });
                if (join.Right is SqlJoin)
                {
                    text.Append('(');
                    AppendTable(text, join.Right);
                    text.Append(')');
                }
                else
                {
                    AppendTable(text, join.Right);
                }
                if (join.Condition is { } condition)
                {
                    text.Append(" ON ");
                    AppendExpression(text, condition, 0);
                }
                else if (!join.Using.IsEmpty)
                {
                    text.Append(" USING ");
                    AppendNameList(text, join.Using);
                }
                break;
            default:
                text.Append(table.GetType().Name);
                break;
        }
    }

    private static void AppendOptionalAlias(StringBuilder text, SqlTableAlias? alias)
    {
        if (alias is not null)
        {
            text.Append(' ');
            AppendAlias(text, alias);
        }
    }

    private static void AppendAlias(StringBuilder text, SqlTableAlias alias)
    {
        text.Append("AS ").Append(QuoteName(alias.Name));
        if (!alias.Columns.IsEmpty)
        {
            text.Append(' ');
            AppendNameList(text, alias.Columns);
        }
    }
}
