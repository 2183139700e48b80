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
    /// among the y, keeps no row — SQL's three-valued NOT IN, as Flink's null-aware anti join.
    /// </summary>
    private LogicalNode InJoin(SqlInQueryExpression inQuery, bool negated, LogicalNode input, Scope scope, CteScope? ctes)
    {
        var subquery = BindQuery(inQuery.Query, ctes);
        if (subquery.Schema.Count != 1)
        {
            throw new SqlException($"The subquery of {(negated ? "NOT IN" : "IN")} must return one column, but it returns {subquery.Schema.Count}.", inQuery.Query.Position);
        }

        var operand = new ExpressionBinder(scope, _functions, "WHERE").Bind(inQuery.Operand);
        var joined = JoinNode.Joined(input.Schema, subquery.Schema);
        var left = PlanExpressions.Replace(operand, reference => PlanExpressions.Reference(joined, reference.Index, reference));
        var right = BoundExpressions.Field(joined, input.Schema.Count, inQuery.Position);
        var condition = BoundExpressions.Compare(ComparisonOperator.Equal, left, right, inQuery.Position);
        if (negated && (left.Type.IsNullable || right.Type.IsNullable))
        {
            condition = BoundExpressions.Or(condition, BoundExpressions.Or(BoundExpressions.IsNull(left, position: inQuery.Position), BoundExpressions.IsNull(right, position: inQuery.Position), inQuery.Position), inQuery.Position);
        }

        return MakeJoin(input, subquery, negated ? JoinKind.Anti : JoinKind.Semi, condition, -1, joined);
    }

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

                // The outer query's names and the subquery's side by side: a bare name both have is ambiguous.
                condition = new ExpressionBinder(Scope.Join(scope, innerScope, joined), _functions, "the WHERE of an EXISTS subquery").Bind(select.Where);
                RequireBoolean(condition, "The WHERE condition of the EXISTS subquery");
            }

            return MakeJoin(input, inner, kind, condition, -1, joined);
        }

        var subquery = BindQuery(exists.Query, ctes);
        return MakeJoin(input, subquery, kind, null, -1, JoinNode.Joined(input.Schema, subquery.Schema));
    }
}
