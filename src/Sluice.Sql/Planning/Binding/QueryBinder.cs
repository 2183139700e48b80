using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

/// <summary>A query's common table expressions in scope: a chain from the innermost WITH outwards. Immutable.</summary>
/// <param name="Table">The CTE.</param>
/// <param name="Outer">The CTEs of enclosing WITHs (and earlier CTEs of the same WITH).</param>
internal sealed record CteScope(SqlCommonTableExpression Table, CteScope? Outer)
{
    /// <summary>The CTE named <paramref name="name"/> in <paramref name="scope"/>, or null.</summary>
    public static SqlCommonTableExpression? Find(CteScope? scope, string name)
    {
        for (var s = scope; s is not null; s = s.Outer)
        {
            if (s.Table.Name == name)
            {
                return s.Table;
            }
        }

        return null;
    }
}

/// <summary>
/// Binds queries into logical plans: names resolved against the catalog, CTEs and FROM items; expressions typed;
/// SELECT decomposed into Calc, (window) aggregate, rank and OVER nodes. Follows Flink's validation rules and messages
/// where it can; a construct Flink has that Sluice does not is a "… is not supported yet" error naming it. Not
/// thread-safe (one binder per statement).
/// </summary>
internal sealed partial class QueryBinder
{
    private readonly SqlCatalog _catalog;
    private readonly FunctionCatalog _functions;
    private readonly PlannerSettings _settings;
    private int _viewDepth;

    /// <summary>Creates a binder over the catalog and functions.</summary>
    public QueryBinder(SqlCatalog catalog, FunctionCatalog functions, PlannerSettings settings)
    {
        _catalog = catalog;
        _functions = functions;
        _settings = settings;
    }

    /// <summary>Binds <paramref name="query"/>; the node's field names are the query's column names.</summary>
    /// <exception cref="SqlException">The query is invalid or uses an unsupported feature; positioned.</exception>
    public LogicalNode Bind(SqlQuery query) => BindQuery(query, null);

    private LogicalNode BindQuery(SqlQuery query, CteScope? ctes)
    {
        switch (query)
        {
            case SqlSelect select:
                return BindSelect(select, ctes);
            case SqlValues values:
                return BindValues(values);
            case SqlWith with:
                {
                    var scope = ctes;
                    foreach (var table in with.Tables)
                    {
                        scope = new CteScope(table, scope);
                    }

                    return BindQuery(with.Body, scope);
                }

            case SqlSetOperation set:
                return BindSetOperation(set, ctes);
            case SqlOrderedQuery ordered:
                return BindOrdered(ordered, ctes);
            default:
                throw ExpressionBinder.Unsupported(query.GetType().Name, query.Position);
        }
    }

    /// <summary>
    /// <c>ORDER BY … LIMIT n [OFFSET m]</c> (or <c>FETCH FIRST n ROWS ONLY</c>), as Flink's streaming sort-limit: a
    /// Top-N over the whole query (ROW_NUMBER by the ORDER BY columns, ranks m + 1 … m + n, one partition), updating
    /// as better rows arrive. ORDER BY without LIMIT must start with a time attribute ascending, as in Flink, and is not
    /// supported yet; neither is LIMIT without ORDER BY.
    /// </summary>
    private LogicalNode BindOrdered(SqlOrderedQuery ordered, CteScope? ctes)
    {
        var input = BindQuery(ordered.Query, ctes);
        var binder = new ExpressionBinder(Scope.Of(input.Schema, null), _functions, "ORDER BY");
        var keys = new List<SortKey>(ordered.OrderBy.Count);
        foreach (var item in ordered.OrderBy)
        {
            var key = binder.Bind(item.Expression);
            if (key is not InputReference reference)
            {
                throw ExpressionBinder.Unsupported("An ORDER BY item that is not a column of the query (select it, then order by its name)", item.Position);
            }

            keys.Add(new SortKey(reference.Index, item.Descending, item.NullsFirst ?? !item.Descending));
        }

        if (ordered.Limit is null)
        {
            if (ordered.OrderBy.Count == 0 || ordered.Offset is not null)
            {
                throw ExpressionBinder.Unsupported("OFFSET without LIMIT", ordered.Position);
            }

            var first = ordered.OrderBy[0];
            if (!input.IsTimeAttribute(keys[0].Field) || first.Descending)
            {
                throw new SqlException("Sort on a non-time-attribute field is not supported: a streaming ORDER BY must start with a time attribute in ascending order.", first.Position);
            }

            throw ExpressionBinder.Unsupported("ORDER BY on a time attribute without LIMIT", ordered.Position);
        }

        if (keys.Count == 0)
        {
            throw ExpressionBinder.Unsupported("LIMIT without ORDER BY", ordered.Position);
        }

        var limit = RowCount(ordered.Limit, "LIMIT");
        var offset = ordered.Offset is null ? 0 : RowCount(ordered.Offset, "OFFSET");
        if (limit == 0)
        {
            throw new SqlException("LIMIT 0 gives no rows; a streaming query needs LIMIT 1 or more.", ordered.Limit.Position);
        }

        return new RankNode(input, RankFunction.RowNumber, [], keys, offset + 1, checked(offset + limit), false, "rn");
    }

    private long RowCount(SqlExpression expression, string clause)
    {
        var bound = new ExpressionBinder(new Scope(new Schema(), []), _functions, clause).Bind(expression);
        return bound is LiteralExpression { Value: int or long } literal && System.Convert.ToInt64(literal.Value, System.Globalization.CultureInfo.InvariantCulture) is >= 0 and var count
            ? count
            : throw new SqlException($"{clause} must be a non-negative integer literal, not {expression}.", expression.Position);
    }

    private LogicalNode BindSetOperation(SqlSetOperation set, CteScope? ctes)
    {
        if (set.Operator != SqlSetOperator.Union)
        {
            throw ExpressionBinder.Unsupported(set.Operator.ToString().ToUpperInvariant(), set.Position);
        }

        var inputs = new List<LogicalNode>();
        CollectUnion(set, ctes, inputs);
        var count = inputs[0].Schema.Count;
        var types = new DataType[count];
        for (var i = 0; i < count; i++)
        {
            foreach (var input in inputs)
            {
                if (input.Schema.Count != count)
                {
                    throw new SqlException($"The inputs of UNION have different numbers of columns: {count} and {input.Schema.Count}.", set.Position);
                }

                var type = input.Schema[i].Type;
                types[i] = types[i] is null ? type : SqlTypeRules.CommonType(types[i], type)
                    ?? throw new SqlException($"Column {i + 1} of UNION is {types[i]} in one input and {type} in another; CAST them to one type.", set.Position);
            }
        }

        for (var k = 0; k < inputs.Count; k++)
        {
            var input = inputs[k];
            var needsCast = false;
            var projections = new BoundExpression[count];
            for (var i = 0; i < count; i++)
            {
                projections[i] = BoundExpressions.Field(input.Schema, i);
                if (!input.Schema[i].Type.Equals(types[i]))
                {
                    projections[i] = BoundExpressions.Cast(projections[i], types[i]);
                    needsCast = true;
                }
            }

            if (needsCast || k > 0)
            {
                inputs[k] = new CalcNode(input, projections, CalcNode.FieldNames(inputs[0].Schema));
            }
        }

        LogicalNode union = new UnionNode(inputs);
        if (!set.All)
        {
            union = new AggregateNode(union, AggregateSchemas.Range(count), []);
        }

        return union;
    }

    private void CollectUnion(SqlQuery query, CteScope? ctes, List<LogicalNode> inputs)
    {
        if (query is SqlSetOperation { Operator: SqlSetOperator.Union, All: true } set)
        {
            CollectUnion(set.Left, ctes, inputs);
            CollectUnion(set.Right, ctes, inputs);
            return;
        }

        inputs.Add(BindQuery(query, ctes));
    }

    private ValuesNode BindValues(SqlValues values)
    {
        var scope = new Scope(new Schema(), []);
        var binder = new ExpressionBinder(scope, _functions, "VALUES");
        var rows = new List<BoundExpression[]>(values.Rows.Count);
        var width = values.Rows[0].Count;
        DataType?[] types = new DataType?[width];
        foreach (var row in values.Rows)
        {
            if (row.Count != width)
            {
                throw new SqlException($"The rows of VALUES have different numbers of values: {width} and {row.Count}.", row.Count > 0 ? row[0].Position : values.Position);
            }

            var bound = new BoundExpression[width];
            for (var i = 0; i < width; i++)
            {
                bound[i] = BoundExpressions.Fold(binder.Bind(row[i]), _settings.Session);
                if (bound[i] is LiteralExpression { IsUntypedNull: true })
                {
                    continue;
                }

                types[i] = types[i] is null ? bound[i].Type : SqlTypeRules.CommonType(types[i]!, bound[i].Type)
                    ?? throw new SqlException($"Column {i + 1} of VALUES mixes {types[i]} and {bound[i].TypeName}; CAST them to one type.", row[i].Position);
            }

            rows.Add(bound);
        }

        var fields = new Field[width];
        for (var i = 0; i < width; i++)
        {
            var type = types[i] ?? throw new SqlException($"Column {i + 1} of VALUES has only NULLs; CAST one of them to a type.", values.Position);
            var nullable = false;
            foreach (var row in rows)
            {
                row[i] = BoundExpressions.Fold(Coerce(row[i], type), _settings.Session);
                nullable |= row[i].Type.IsNullable;
            }

            fields[i] = new Field($"EXPR${i}", type.WithNullability(nullable));
        }

        for (var r = 0; r < rows.Count; r++)
        {
            for (var i = 0; i < width; i++)
            {
                if (!rows[r][i].Type.Equals(fields[i].Type))
                {
                    rows[r][i] = BoundExpressions.Cast(rows[r][i], fields[i].Type);
                }
            }
        }

        return new ValuesNode(new Schema(fields), [.. rows]);
    }

    /// <summary>Casts <paramref name="expression"/> to <paramref name="type"/> (its own nullability kept) unless it already has it.</summary>
    private static BoundExpression Coerce(BoundExpression expression, DataType type)
    {
        var target = type.WithNullability(expression.Type.IsNullable || expression is LiteralExpression { Value: null });
        return expression.Type.Equals(target) ? expression : BoundExpressions.Cast(expression, target);
    }

    /// <summary>Names made unique by a numeric suffix (<c>a, a</c> → <c>a, a0</c>), as Flink names duplicate output columns.</summary>
    internal static string[] UniqueNames(IReadOnlyList<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new string[names.Count];
        for (var i = 0; i < unique.Length; i++)
        {
            var name = names[i];
            for (var suffix = 0; !seen.Add(name); suffix++)
            {
                name = names[i] + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            unique[i] = name;
        }

        return unique;
    }
}
