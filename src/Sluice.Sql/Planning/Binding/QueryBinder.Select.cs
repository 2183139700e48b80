using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    /// <summary>A select item after <c>*</c> expansion: an expression, or a field of the FROM row.</summary>
    private readonly record struct SelectItem(SqlExpression? Expression, int Field, string Name);

    private LogicalNode BindSelect(SqlSelect select, CteScope? ctes)
    {
        var (input, scope) = select.From is null
            ? (new ValuesNode(new Schema(), [Array.Empty<BoundExpression>()]), new Scope(new Schema(), []))
            : BindFrom(select.From, ctes);

        SqlExpression? where = null;
        if (select.Where is not null)
        {
            if (ExpressionBinder.ContainsAggregate(select.Where))
            {
                throw new SqlException("Aggregate functions are not allowed in WHERE; filter groups with HAVING.", select.Where.Position);
            }

            if (ExpressionBinder.ContainsOver(select.Where))
            {
                throw new SqlException("Window functions (OVER) are not allowed in WHERE; compute them in a subquery and filter outside it.", select.Where.Position);
            }

            // IN and EXISTS subqueries become semi and anti joins; the rest is the Calc's filter.
            where = BindSubqueryConditions(select.Where, ref input, scope, ctes);
            scope = new Scope(input.Schema, scope.Items);
        }

        if (select.Where is not null && where is not null)
        {
            BoundExpression condition;
            try
            {
                condition = new ExpressionBinder(scope, _functions, "WHERE").Bind(where);
            }
            catch (SqlException e) when (SelectAlias(select, e) is { } alias)
            {
                throw new SqlException(
                    $"Column '{alias}' is an alias of this query's SELECT list, which its WHERE cannot see (SELECT items, window functions such as ROW_NUMBER() among them, are computed after WHERE); filter on it in an outer query: SELECT … FROM (SELECT …, … AS {alias} FROM …) WHERE {alias} ….",
                    e.Position,
                    e);
            }

            RequireBoolean(condition, "The WHERE condition");
            input = CalcNode.Filter(input, condition);
            scope = new Scope(input.Schema, scope.Items);
        }

        var items = Expand(select, scope);
        var aggregating = select.GroupBy.Count > 0 || select.Having is not null || items.Any(static i => ExpressionBinder.ContainsAggregate(i.Expression));
        LogicalNode result;
        if (aggregating)
        {
            result = BindAggregate(select, input, scope, items);
        }
        else if (items.Any(static i => ExpressionBinder.ContainsOver(i.Expression)))
        {
            result = BindOver(select, input, scope, items);
        }
        else
        {
            var binder = new ExpressionBinder(scope, _functions, "SELECT");
            var projections = new BoundExpression[items.Count];
            for (var i = 0; i < projections.Length; i++)
            {
                projections[i] = items[i].Expression is null ? scope.Reference(items[i].Field) : binder.Bind(items[i].Expression!);
                RequireValue(projections[i], items[i]);
            }

            result = new CalcNode(input, projections, UniqueNames([.. items.Select(static i => i.Name)]));
        }

        if (select.Distinct)
        {
            result = new AggregateNode(result, AggregateSchemas.Range(result.Schema.Count), []);
        }

        return result;
    }

    /// <summary>The select alias an unknown-column error in WHERE names, or null.</summary>
    private static string? SelectAlias(SqlSelect select, SqlException error)
    {
        foreach (var item in select.Items)
        {
            if (item.Alias is { } alias && error.Reason.StartsWith($"Column '{alias}' not found", StringComparison.Ordinal))
            {
                return alias;
            }
        }

        return null;
    }

    private static void RequireValue(BoundExpression expression, SelectItem item)
    {
        if (expression is IntervalLiteral interval)
        {
            throw new SqlException($"The select item '{item.Name}' is an {interval.TypeName}, which is not a column type; add it to a timestamp.", item.Expression?.Position);
        }
    }

    /// <summary>The select list with <c>*</c> and <c>t.*</c> expanded, each item named (alias, column name, or EXPR$i).</summary>
    private static List<SelectItem> Expand(SqlSelect select, Scope scope)
    {
        var items = new List<SelectItem>();
        foreach (var item in select.Items)
        {
            if (item.Expression is SqlStar star)
            {
                if (star.Qualifier.Count == 0)
                {
                    if (scope.Items.Count == 0)
                    {
                        throw new SqlException("SELECT * needs a FROM clause.", star.Position);
                    }

                    foreach (var from in scope.Items)
                    {
                        for (var i = 0; i < from.Names.Count; i++)
                        {
                            if (from.IsVisibleUnqualified(from.Names[i]))
                            {
                                items.Add(new SelectItem(null, from.Offset + i, from.Names[i]));
                            }
                        }
                    }

                    continue;
                }

                var qualified = scope.FindQualifier(star.Qualifier[^1])
                    ?? throw new SqlException($"Table '{star.Qualifier[^1]}' not found in the FROM clause.{NameSuggestions.DidYouMean(star.Qualifier[^1], scope.Items.Where(static i => i.Qualifier is not null).Select(static i => i.Qualifier!))}", star.Position);
                for (var i = 0; i < qualified.Names.Count; i++)
                {
                    items.Add(new SelectItem(null, qualified.Offset + i, qualified.Names[i]));
                }

                continue;
            }

            var name = item.Alias ?? item.Expression switch
            {
                SqlIdentifier identifier => identifier.Name,
                SqlFieldAccess access => access.Field,
                _ => $"EXPR${items.Count}",
            };
            items.Add(new SelectItem(item.Expression, -1, name));
        }

        return items;
    }
}
