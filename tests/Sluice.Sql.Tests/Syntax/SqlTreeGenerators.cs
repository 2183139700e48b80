using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Syntax;
using static Sluice.Sql.Tests.Syntax.Ast;

namespace Sluice.Sql.Tests.Syntax;

/// <summary>CsCheck generators of syntax trees the parser can produce (the formatter's round-trip domain).</summary>
internal static class SqlTreeGenerators
{
    // Plain names, names that need quotes (reserved, special syntax, spaces, back quotes, non-ASCII) and non-reserved
    // keywords that stay plain.
    private static readonly Gen<string> s_name = Gen.OneOf("a", "price", "dateTime", "key", "final", "rows", "value", "select", "date", "my col", "x`y", "Ünï", "_t1");

    private static readonly Gen<string> s_functionName = Gen.OneOf("f", "upper", "count", "LEFT", "select", "CAST", "my fn", "current_timestamp", "over");

    private static readonly Gen<SqlExpression> s_leaf = Gen.OneOf<SqlExpression>(
        s_name.Array[1, 3].Select(names => (SqlExpression)Id(names)),
        Gen.OneOf<SqlExpression>(
            Int("1"),
            new SqlNumberLiteral("0.908", SqlNumberKind.Decimal, P),
            new SqlNumberLiteral(".5", SqlNumberKind.Decimal, P),
            new SqlNumberLiteral("1E10", SqlNumberKind.Approximate, P),
            Str(""),
            Str("it's"),
            Str("a\nb"),
            new SqlBinaryLiteral("0AFF", P),
            new SqlBooleanLiteral(true, P),
            new SqlBooleanLiteral(false, P),
            new SqlBooleanLiteral(null, P),
            new SqlNullLiteral(P),
            new SqlDateTimeLiteral(SqlDateTimeKind.Date, "2024-01-31", P),
            new SqlDateTimeLiteral(SqlDateTimeKind.Timestamp, "2024-01-31 12:00:00.5", P),
            new SqlIntervalLiteral("10", false, SqlTimeUnit.Second, null, 0, TimeSpan.FromSeconds(10), P),
            new SqlIntervalLiteral("1:30", false, SqlTimeUnit.Minute, SqlTimeUnit.Second, 0, TimeSpan.FromSeconds(90), P),
            new SqlIntervalLiteral("1-6", true, SqlTimeUnit.Year, SqlTimeUnit.Month, -18, TimeSpan.Zero, P),
            new SqlFunctionCall(Id("CURRENT_TIMESTAMP"), SqlList<SqlExpression>.Empty, false, null, null, true, P)));

    private static readonly Gen<DataType> s_type = Gen.OneOf(
        DataType.Int, DataType.BigInt.NotNull(), DataType.Decimal(10, 2), DataType.Varchar, DataType.Timestamp(3),
        DataType.Array(DataType.Int), DataType.Row(new Field("a", DataType.Int), new Field("b c", DataType.Varchar)));

    public static readonly Gen<SqlExpression> Expression = ExpressionOfDepth(3);

    public static readonly Gen<SqlQuery> Query = QueryOfDepth(2);

    private static Gen<SqlList<T>> ListOf<T>(Gen<T> gen, int min, int max) => gen.Array[min, max].Select(items => SqlList<T>.Of(items));

    private static Gen<T?> Maybe<T>(Gen<T> gen)
        where T : class => Gen.Frequency((1, Gen.Const((T?)null)), (1, gen.Select(value => (T?)value)));

    private static Gen<SqlExpression> ExpressionOfDepth(int depth)
    {
        if (depth == 0)
        {
            return s_leaf;
        }
        var sub = ExpressionOfDepth(depth - 1);
        var window = WindowOf(sub);
        var call = Gen.Select(s_functionName, ListOf(sub, 0, 3), Gen.Bool, Maybe(sub), Maybe(window))
            .Select((name, args, distinct, filter, over) => (SqlExpression)new SqlFunctionCall(Id(name), args, distinct && !args.IsEmpty, filter, over, false, P));
        var composite = Gen.OneOf(
            Gen.Select(Gen.Enum<SqlBinaryOperator>(), sub, sub).Select((op, l, r) => (SqlExpression)Bin(op, l, r)),
            Gen.Select(Gen.Enum<SqlUnaryOperator>(), sub).Select((op, x) => (SqlExpression)new SqlUnaryExpression(op, x, P)),
            Gen.Select(sub, Gen.Enum<SqlIsTest>(), Gen.Bool).Select((x, test, not) => (SqlExpression)new SqlIsExpression(x, test, not, P)),
            Gen.Select(sub, sub, sub, Gen.Bool, Gen.Bool).Select((x, low, high, not, symmetric) => (SqlExpression)new SqlBetweenExpression(x, low, high, not, symmetric, P)),
            Gen.Select(sub, ListOf(sub, 1, 3).Where(values => !(values.Count == 1 && values[0] is SqlSubqueryExpression)), Gen.Bool).Select((x, values, not) => (SqlExpression)new SqlInListExpression(x, values, not, P)),
            Gen.Select(sub, sub, Maybe(sub), Gen.Bool, Gen.Bool).Select((x, pattern, escape, not, similar) => (SqlExpression)new SqlLikeExpression(x, pattern, escape, not, similar, P)),
            Gen.Select(Maybe(sub), ListOf(Gen.Select(sub, sub).Select((w, t) => new SqlWhenClause(w, t, P)), 1, 2), Maybe(sub))
                .Select((operand, whens, otherwise) => (SqlExpression)new SqlCaseExpression(operand, whens, otherwise, P)),
            Gen.Select(sub, s_type, Gen.Bool).Select((x, type, isTry) => (SqlExpression)new SqlCastExpression(x, type, isTry, P)),
            Gen.Select(Gen.Enum<SqlTimeUnit>(), sub).Select((unit, x) => (SqlExpression)new SqlExtractExpression(unit, x, P)),
            Gen.Select(Gen.Enum<SqlTrimMode>(), Maybe(sub), sub).Select((mode, chars, x) => (SqlExpression)new SqlTrimExpression(mode, chars, x, P)),
            call,
            Gen.Select(sub, sub).Select((x, i) => (SqlExpression)new SqlItemExpression(x, i, P)),
            Gen.Select(sub, s_name).Select((x, field) => (SqlExpression)new SqlFieldAccess(x, field, P)),
            ListOf(sub, 0, 3).Select(items => (SqlExpression)new SqlArrayConstructor(items, P)),
            ListOf(sub, 0, 2).Select(items => (SqlExpression)new SqlMapConstructor(SqlList<SqlExpression>.Of([.. items, .. items]), P)),
            ListOf(sub, 0, 3).Select(items => (SqlExpression)new SqlRowConstructor(items, P)),
            sub.Select(x => (SqlExpression)new SqlExistsExpression(SimpleSelect(x), P)),
            sub.Select(x => (SqlExpression)new SqlSubqueryExpression(SimpleSelect(x), P)),
            Gen.Select(sub, sub, Gen.Bool).Select((x, y, not) => (SqlExpression)new SqlInQueryExpression(x, SimpleSelect(y), not, P)));
        return Gen.Frequency((1, s_leaf), (3, composite));
    }

    private static SqlSelect SimpleSelect(SqlExpression item) =>
        new(false, List(new SqlSelectItem(item, null, P)), new SqlNamedTable(Id("t"), null, null, P), null, SqlList<SqlExpression>.Empty, null, SqlList<SqlNamedWindow>.Empty, P);

    private static Gen<SqlWindowSpecification> WindowOf(Gen<SqlExpression> sub)
    {
        var order = Gen.Select(sub, Gen.Bool, Gen.OneOf<bool?>(null, true, false)).Select((x, desc, nulls) => new SqlOrderItem(x, desc, nulls, P));
        var bound = Gen.OneOf(
            Gen.OneOf(SqlFrameBoundKind.UnboundedPreceding, SqlFrameBoundKind.CurrentRow, SqlFrameBoundKind.UnboundedFollowing).Select(kind => new SqlFrameBound(kind, null, P)),
            Gen.Select(Gen.OneOf(SqlFrameBoundKind.Preceding, SqlFrameBoundKind.Following), sub).Select((kind, offset) => new SqlFrameBound(kind, offset, P)));
        var frame = Gen.Select(Gen.Enum<SqlFrameUnit>(), bound, Maybe(bound)).Select((unit, start, end) => new SqlWindowFrame(unit, start, end, P));
        return Gen.OneOf(
            s_name.Select(name => new SqlWindowSpecification(name, true, SqlList<SqlExpression>.Empty, SqlList<SqlOrderItem>.Empty, null, P)),
            Gen.Select(Gen.OneOf<string?>(null, "w", "rows"), ListOf(sub, 0, 2), ListOf(order, 0, 2), Maybe(frame))
                .Select((baseWindow, partition, orderBy, f) => new SqlWindowSpecification(baseWindow, false, partition, orderBy, f, P)));
    }

    private static Gen<SqlQuery> QueryOfDepth(int depth)
    {
        var expression = ExpressionOfDepth(2);
        var select = SelectOf(depth, expression);
        var values = ListOf(ListOf(expression, 1, 3).Where(row => !(row.Count == 1 && row[0] is SqlRowConstructor)), 1, 2)
            .Select(rows => (SqlQuery)new SqlValues(rows, P));
        if (depth == 0)
        {
            return Gen.Frequency((4, select), (1, values));
        }
        var sub = QueryOfDepth(depth - 1);
        var order = Gen.Select(expression, Gen.Bool, Gen.OneOf<bool?>(null, true, false)).Select((x, desc, nulls) => new SqlOrderItem(x, desc, nulls, P));
        var cte = Gen.Select(s_name, ListOf(s_name, 0, 2), sub).Select((name, columns, q) => new SqlCommonTableExpression(name, columns, q, P));
        return Gen.Frequency(
            (4, select),
            (1, values),
            (2, Gen.Select(Gen.Enum<SqlSetOperator>(), Gen.Bool, sub, sub).Select((op, all, l, r) => (SqlQuery)new SqlSetOperation(op, all, l, r, P))),
            (1, Gen.Select(ListOf(cte, 1, 2), sub).Select((tables, body) => (SqlQuery)new SqlWith(tables, body, P))),
            (1, Gen.Select(sub, ListOf(order, 1, 2), Maybe(expression), Maybe(expression))
                .Select((q, orderBy, offset, limit) => (SqlQuery)new SqlOrderedQuery(q, orderBy, offset, limit, P))));
    }

    private static Gen<SqlQuery> SelectOf(int depth, Gen<SqlExpression> expression)
    {
        var item = Gen.OneOf(
            Gen.Select(expression, Maybe(s_name)).Select((x, alias) => new SqlSelectItem(x, alias, P)),
            ListOf(s_name, 0, 2).Select(qualifier => new SqlSelectItem(new SqlStar(qualifier, P), null, P)));
        var table = TableOf(depth, expression);
        var window = Gen.Select(s_name, ListOf(expression, 1, 2)).Select((name, keys) =>
            new SqlNamedWindow(name, new SqlWindowSpecification(null, false, keys, SqlList<SqlOrderItem>.Empty, null, P), P));
        return Gen.Select(Gen.Bool, ListOf(item, 1, 3), Maybe(table), Maybe(expression), ListOf(expression, 0, 2), Maybe(expression), ListOf(window, 0, 1))
            .Select((distinct, items, from, where, groupBy, having, windows) => (SqlQuery)new SqlSelect(distinct, items, from, where, groupBy, having, windows, P));
    }

    private static Gen<SqlTableReference> TableOf(int depth, Gen<SqlExpression> expression)
    {
        var alias = Maybe(Gen.Select(s_name, ListOf(s_name, 0, 2)).Select((name, columns) => new SqlTableAlias(name, columns, P)));
        var named = Gen.Select(s_name.Array[1, 2], Maybe(expression), alias)
            .Select((names, systemTime, a) => (SqlTableReference)new SqlNamedTable(Id(names), systemTime, a, P));
        var tumble = new SqlFunctionCall(Id("TUMBLE"), List<SqlExpression>(
            new SqlTableArgument(Id("bid"), SqlList<SqlExpression>.Empty, P), new SqlDescriptor(List("ts"), P),
            new SqlIntervalLiteral("10", false, SqlTimeUnit.Second, null, 0, TimeSpan.FromSeconds(10), P)), false, null, null, false, P);
        var function = Gen.Select(Gen.Bool, alias).Select((lateral, a) => (SqlTableReference)new SqlTableFunction(tumble, lateral, a, P));
        var unnest = Gen.Select(ListOf(expression, 1, 2), Gen.Bool, alias).Select((args, ordinality, a) => (SqlTableReference)new SqlUnnest(args, ordinality, a, P));
        var primaries = new List<Gen<SqlTableReference>> { named, function, unnest };
        if (depth > 0)
        {
            var sub = QueryOfDepth(depth - 1);
            primaries.Add(Gen.Select(sub, Gen.Bool, alias).Select((q, lateral, a) => (SqlTableReference)new SqlDerivedTable(q, lateral, a, P)));
        }
        var primary = Gen.OneOf([.. primaries]);
        var join = Gen.Select(primary, Gen.Enum<SqlJoinType>(), primary, expression, ListOf(s_name, 1, 2), Gen.Bool)
            .Select((left, type, right, condition, usingColumns, on) => (SqlTableReference)(type is SqlJoinType.Cross or SqlJoinType.Comma
                ? new SqlJoin(type, left, right, null, SqlList<string>.Empty, P)
                : on ? new SqlJoin(type, left, right, condition, SqlList<string>.Empty, P) : new SqlJoin(type, left, right, null, usingColumns, P)));
        var chained = Gen.Select(join, Gen.Enum<SqlJoinType>(), primary, expression)
            .Select((left, type, right, condition) => (SqlTableReference)(type is SqlJoinType.Cross or SqlJoinType.Comma
                ? new SqlJoin(type, left, right, null, SqlList<string>.Empty, P)
                : new SqlJoin(type, left, right, condition, SqlList<string>.Empty, P)));
        return Gen.Frequency((3, primary), (2, join), (1, chained));
    }
}
