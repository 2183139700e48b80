using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    /// <summary>
    /// Moves the subquery conditions among <paramref name="where"/>'s AND-ed conjuncts — <c>x [NOT] IN (SELECT …)</c>
    /// and <c>[NOT] EXISTS (SELECT …)</c>, also under one NOT — into semi and anti joins of <paramref name="input"/>, as
    /// Flink does; returns the other conjuncts (null when none is left) for the Calc.
    /// </summary>
    private SqlExpression? BindSubqueryConditions(SqlExpression where, ref LogicalNode input, Scope scope, CteScope? ctes)
    {
        var conjuncts = new List<SqlExpression>();
        Flatten(where, conjuncts);
        SqlExpression? rest = null;
        foreach (var conjunct in conjuncts)
        {
            var (condition, negated) = conjunct is SqlUnaryExpression { Operator: SqlUnaryOperator.Not, Operand: SqlInQueryExpression or SqlExistsExpression } not
                ? (not.Operand, true)
                : (conjunct, false);
            switch (condition)
            {
                case SqlInQueryExpression inQuery:
                    input = InJoin(inQuery, inQuery.Negated != negated, input, scope, ctes);
                    break;
                case SqlExistsExpression exists:
                    input = ExistsJoin(exists, negated, input, scope, ctes);
                    break;
                default:
                    rest = rest is null ? conjunct : new SqlBinaryExpression(SqlBinaryOperator.And, rest, conjunct, conjunct.Position);
                    break;
            }
        }

        return rest;
    }

    private static void Flatten(SqlExpression expression, List<SqlExpression> conjuncts)
    {
        if (expression is SqlBinaryExpression { Operator: SqlBinaryOperator.And } and)
        {
            Flatten(and.Left, conjuncts);
            Flatten(and.Right, conjuncts);
        }
        else
        {
            conjuncts.Add(expression);
        }
    }

    /// <summary>
    /// <c>x IN (SELECT y …)</c>: a semi join on <c>x = y</c>. <c>x NOT IN (SELECT y …)</c>: an anti join on
    /// <c>x = y OR x IS NULL OR y IS NULL</c> (the NULL terms only when x or y is nullable), so a NULL x, or a NULL
    /// among the y, keeps no row — SQL's three-valued NOT IN, as Flink's null-aware anti join. A plain SELECT whose
    /// WHERE names the outer query's columns (a correlated IN) joins its FROM on that condition AND-ed to the above:
    /// the NULL terms then count only the subquery rows the correlation selects.
    /// </summary>
    private LogicalNode InJoin(SqlInQueryExpression inQuery, bool negated, LogicalNode input, Scope scope, CteScope? ctes)
    {
        var operand = new ExpressionBinder(scope, _functions, "WHERE").Bind(inQuery.Operand);
        if (CorrelatedInJoin(inQuery, negated, operand, input, scope, ctes) is { } correlated)
        {
            return correlated;
        }

        var subquery = BindQuery(inQuery.Query, ctes);
        if (subquery.Schema.Count != 1)
        {
            throw OneColumn(inQuery, negated, subquery.Schema.Count);
        }

        var joined = JoinNode.Joined(input.Schema, subquery.Schema);
        var right = BoundExpressions.Field(joined, input.Schema.Count, inQuery.Position);
        return MakeJoin(input, subquery, negated ? JoinKind.Anti : JoinKind.Semi, InCondition(operand, right, negated, joined, inQuery.Position), -1, joined);
    }

    /// <summary>
    /// The join of a correlated <c>x [NOT] IN (SELECT y FROM f WHERE w)</c>: <paramref name="input"/> with <c>f</c> on
    /// the IN condition AND <c>w</c>, with <c>y</c> and <c>w</c> bound over the subquery's names, then the outer
    /// query's. Null when the subquery is not a plain one-item SELECT with a WHERE, or neither <c>y</c> nor <c>w</c>
    /// names an outer column (the subquery is then planned on its own, as any other).
    /// </summary>
    private LogicalNode? CorrelatedInJoin(SqlInQueryExpression inQuery, bool negated, BoundExpression operand, LogicalNode input, Scope scope, CteScope? ctes)
    {
        if (inQuery.Query is not SqlSelect { From: { } from, Where: { } where, GroupBy.Count: 0, Having: null, Distinct: false, Items.Count: 1 } select
            || select.Items[0].Expression is SqlStar
            || ExpressionBinder.ContainsAggregate(select.Items[0].Expression) || ExpressionBinder.ContainsOver(select.Items[0].Expression)
            || ExpressionBinder.ContainsAggregate(where))
        {
            return null;
        }

        var (inner, innerScope) = BindFrom(from, ctes);
        var joined = JoinNode.Joined(input.Schema, inner.Schema);
        var correlated = Scope.Correlated(scope, innerScope, joined);
        var item = new ExpressionBinder(correlated, _functions, "the SELECT of an IN subquery").Bind(select.Items[0].Expression);
        var filter = new ExpressionBinder(correlated, _functions, "the WHERE of an IN subquery").Bind(where);
        if (PlanExpressions.ReadsOnly(item, input.Schema.Count, joined.Count) && PlanExpressions.ReadsOnly(filter, input.Schema.Count, joined.Count))
        {
            return null;
        }

        RequireBoolean(filter, "The WHERE condition of the IN subquery");
        var condition = BoundExpressions.And(InCondition(operand, item, negated, joined, inQuery.Position), filter, inQuery.Position);
        return MakeJoin(input, inner, negated ? JoinKind.Anti : JoinKind.Semi, condition, -1, joined);
    }

    /// <summary><c>x = y</c>, or for NOT IN with a nullable side <c>x = y OR x IS NULL OR y IS NULL</c>, over the joined row (x re-based onto it).</summary>
    private static BoundExpression InCondition(BoundExpression operand, BoundExpression right, bool negated, Schema joined, SqlPosition position)
    {
        var left = PlanExpressions.Replace(operand, reference => PlanExpressions.Reference(joined, reference.Index, reference));
        var condition = BoundExpressions.Compare(ComparisonOperator.Equal, left, right, position);
        if (negated && (left.Type.IsNullable || right.Type.IsNullable))
        {
            condition = BoundExpressions.Or(condition, BoundExpressions.Or(BoundExpressions.IsNull(left, position: position), BoundExpressions.IsNull(right, position: position), position), position);
        }

        return condition;
    }

    private static SqlException OneColumn(SqlInQueryExpression inQuery, bool negated, int count) =>
        new($"The subquery of {(negated ? "NOT IN" : "IN")} must return one column, but it returns {count}.", inQuery.Query.Position);

    /// <summary>
    /// <c>[NOT] EXISTS (SELECT … FROM f [WHERE w])</c>: a semi (anti) join of the input with <c>f</c> on <c>w</c>, which
    /// may name the outer query's columns (a correlated subquery). A subquery that aggregates, groups or is not a
    /// plain SELECT cannot be correlated: it is bound on its own and joined without a condition.
    /// </summary>
    private LogicalNode ExistsJoin(SqlExistsExpression exists, bool negated, LogicalNode input, Scope scope, CteScope? ctes)
    {
        var kind = negated ? JoinKind.Anti : JoinKind.Semi;
        if (exists.Query is SqlSelect { From: { } from, GroupBy.Count: 0, Having: null, Distinct: false } select
            && !select.Items.Any(static i => ExpressionBinder.ContainsAggregate(i.Expression) || ExpressionBinder.ContainsOver(i.Expression)))
        {
            var (inner, innerScope) = BindFrom(from, ctes);
            var joined = JoinNode.Joined(input.Schema, inner.Schema);
            BoundExpression? condition = null;
            if (select.Where is not null)
            {
                if (ExpressionBinder.ContainsAggregate(select.Where))
                {
                    throw new SqlException("Aggregate functions are not allowed in WHERE; filter groups with HAVING.", select.Where.Position);
                }

                // The subquery's names, then the outer query's: an inner column shadows an outer one of the same name.
                condition = new ExpressionBinder(Scope.Correlated(scope, innerScope, joined), _functions, "the WHERE of an EXISTS subquery").Bind(select.Where);
                RequireBoolean(condition, "The WHERE condition of the EXISTS subquery");
            }

            return MakeJoin(input, inner, kind, condition, -1, joined);
        }

        var subquery = BindQuery(exists.Query, ctes);
        return MakeJoin(input, subquery, kind, null, -1, JoinNode.Joined(input.Schema, subquery.Schema));
    }
}
