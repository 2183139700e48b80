using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    /// <summary>
    /// A SELECT with OVER calls: <c>ROW_NUMBER()/RANK()/DENSE_RANK() OVER (…)</c> becomes a <see cref="RankNode"/> whose
    /// range an outer <c>WHERE rn &lt;= N</c> sets (the optimizer moves it in); aggregates OVER one window become an
    /// <see cref="OverAggregateNode"/>. A Calc above computes the select items.
    /// </summary>
    private LogicalNode BindOver(SqlSelect select, LogicalNode input, Scope scope, List<SelectItem> items)
    {
        var overCalls = new List<SqlFunctionCall>();
        foreach (var item in items)
        {
            CollectOver(item.Expression, overCalls);
        }

        var plain = new ExpressionBinder(scope, _functions, "OVER");
        var windows = new SqlWindowSpecification[overCalls.Count];
        for (var i = 0; i < windows.Length; i++)
        {
            windows[i] = Resolve(overCalls[i].Over!, select);
        }

        LogicalNode node;
        var callFields = new Dictionary<SqlFunctionCall, int>(ReferenceEqualityComparer.Instance);
        var first = overCalls[0];
        var firstName = first.Name.Name.ToUpperInvariant();
        if (firstName is "ROW_NUMBER" or "RANK" or "DENSE_RANK")
        {
            if (overCalls.Count > 1)
            {
                throw ExpressionBinder.Unsupported($"{firstName}() together with other OVER calls in one SELECT", overCalls[1].Position);
            }

            var window = windows[0];
            if (first.Arguments.Count > 0)
            {
                throw new SqlException($"{firstName}() takes no arguments.", first.Position);
            }

            if (window.OrderBy.Count == 0)
            {
                throw new SqlException($"{firstName}() OVER (…) needs an ORDER BY.", window.Position);
            }

            if (window.Frame is not null)
            {
                throw new SqlException($"{firstName}() OVER (…) takes no ROWS or RANGE frame.", window.Frame.Position);
            }

            var partition = Fields(window.PartitionBy, plain, "PARTITION BY");
            var orderKeys = new List<SortKey>();
            foreach (var order in window.OrderBy)
            {
                var field = Fields([order.Expression], plain, "ORDER BY")[0];
                orderKeys.Add(new SortKey(field, order.Descending, order.NullsFirst ?? !order.Descending));
            }

            var function = firstName switch { "ROW_NUMBER" => RankFunction.RowNumber, "RANK" => RankFunction.Rank, _ => RankFunction.DenseRank };
            var name = "w0$o0";
            foreach (var item in items)
            {
                if (ReferenceEquals(item.Expression, first))
                {
                    name = item.Name;
                }
            }

            node = new RankNode(input, function, partition, orderKeys, 1, RankNode.Unbounded, true, UniqueNames([.. CalcNode.FieldNames(input.Schema), name])[^1]);
            callFields.Add(first, input.Schema.Count);
        }
        else
        {
            var window = windows[0];
            for (var i = 1; i < windows.Length; i++)
            {
                if (!windows[i].Equals(window))
                {
                    throw ExpressionBinder.Unsupported("OVER calls with different windows in one SELECT", overCalls[i].Position);
                }
            }

            if (window.OrderBy.Count != 1)
            {
                throw new SqlException("OVER windows' ordering in stream mode must be defined on a time attribute: ORDER BY exactly one time attribute.", window.Position);
            }

            var order = window.OrderBy[0];
            var orderField = Fields([order.Expression], plain, "ORDER BY")[0];
            if (!input.IsTimeAttribute(orderField) || order.Descending)
            {
                throw new SqlException("OVER windows' ordering in stream mode must be defined on a time attribute, in ascending order.", order.Position);
            }

            var frame = Frame(window.Frame);
            var partition = Fields(window.PartitionBy, plain, "PARTITION BY");
            var pre = new List<BoundExpression>();
            var names = new List<string>();
            for (var i = 0; i < input.Schema.Count; i++)
            {
                pre.Add(BoundExpressions.Field(input.Schema, i));
                names.Add(input.Schema[i].Name);
            }

            int AddPre(BoundExpression expression)
            {
                if (expression is InputReference reference)
                {
                    return reference.Index;
                }

                pre.Add(expression);
                names.Add($"$f{names.Count}");
                return pre.Count - 1;
            }

            var calls = new List<AggregateCall>();
            foreach (var call in overCalls)
            {
                if (call.Name.Name.ToUpperInvariant() is "ROW_NUMBER" or "RANK" or "DENSE_RANK")
                {
                    throw ExpressionBinder.Unsupported($"{call.Name.Name.ToUpperInvariant()}() together with other OVER calls in one SELECT", call.Position);
                }

                if (!ExpressionBinder.IsAggregate(call.Name.Name))
                {
                    throw new SqlException($"{call.Name.Name.ToUpperInvariant()} is not an aggregate or ranking function, so it cannot be used with OVER.", call.Position);
                }

                if (call.Distinct || call.Filter is not null)
                {
                    throw ExpressionBinder.Unsupported("DISTINCT or FILTER in an OVER aggregate", call.Position);
                }

                var name = $"w0$o{calls.Count}";
                foreach (var item in items)
                {
                    if (ReferenceEquals(item.Expression, call))
                    {
                        name = item.Name;
                    }
                }

                callFields.Add(call, -1 - calls.Count);
                calls.Add(BindCall(call, plain, AddPre, name));
            }

            var preNode = pre.Count == input.Schema.Count ? input : new CalcNode(input, pre, UniqueNames(names));
            var used = new List<string>(CalcNode.FieldNames(preNode.Schema));
            foreach (var call in calls)
            {
                used.Add(call.Name);
            }

            var unique = UniqueNames(used);
            for (var i = 0; i < calls.Count; i++)
            {
                calls[i] = calls[i] with { Name = unique[preNode.Schema.Count + i] };
            }

            node = new OverAggregateNode(preNode, partition, orderField, frame, calls);
            foreach (var call in overCalls)
            {
                callFields[call] = preNode.Schema.Count + (-1 - callFields[call]);
            }
        }

        var outScope = new Scope(node.Schema, scope.Items);
        var binder = new ExpressionBinder(outScope, _functions, "SELECT")
        {
            Intercept = expression => expression is SqlFunctionCall call && callFields.TryGetValue(call, out var field) ? outScope.Reference(field, call.Position) : null,
        };
        var projections = new BoundExpression[items.Count];
        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = items[i].Expression is null ? outScope.Reference(items[i].Field) : binder.Bind(items[i].Expression!);
            RequireValue(projections[i], items[i]);
        }

        return new CalcNode(node, projections, UniqueNames([.. items.Select(static i => i.Name)]));
    }

    private static void CollectOver(SqlExpression? expression, List<SqlFunctionCall> calls)
    {
        if (expression is null)
        {
            return;
        }

        if (expression is SqlFunctionCall { Over: not null } call)
        {
            calls.Add(call);
            return;
        }

        foreach (var child in ExpressionBinder.Children(expression))
        {
            CollectOver(child, calls);
        }
    }

    /// <summary>The window with named-window references (<c>OVER w</c>, <c>OVER (w ORDER BY …)</c>) resolved.</summary>
    private static SqlWindowSpecification Resolve(SqlWindowSpecification window, SqlSelect select)
    {
        if (window.BaseWindow is null)
        {
            return window;
        }

        foreach (var named in select.Windows)
        {
            if (named.Name == window.BaseWindow)
            {
                var baseWindow = Resolve(named.Window, select);
                return window.IsReference ? baseWindow : baseWindow with
                {
                    OrderBy = window.OrderBy.Count > 0 ? window.OrderBy : baseWindow.OrderBy,
                    Frame = window.Frame ?? baseWindow.Frame,
                };
            }
        }

        throw new SqlException($"Window '{window.BaseWindow}' is not defined in the WINDOW clause.", window.Position);
    }

    /// <summary>The fields named by <paramref name="expressions"/>, which must be plain columns.</summary>
    private static List<int> Fields(IReadOnlyList<SqlExpression> expressions, ExpressionBinder binder, string clause)
    {
        var fields = new List<int>(expressions.Count);
        foreach (var expression in expressions)
        {
            var bound = binder.Bind(expression);
            fields.Add(bound is InputReference reference
                ? reference.Index
                : throw ExpressionBinder.Unsupported($"An expression in the {clause} of an OVER window (compute it in a subquery)", expression.Position));
        }

        return fields;
    }

    private OverFrame Frame(SqlWindowFrame? frame)
    {
        if (frame is null)
        {
            return new OverFrame(false, -1);
        }

        if (frame.End is not null && frame.End.Kind != SqlFrameBoundKind.CurrentRow)
        {
            throw ExpressionBinder.Unsupported("An OVER frame that ends after CURRENT ROW", frame.End.Position);
        }

        var rows = frame.Unit == SqlFrameUnit.Rows;
        switch (frame.Start.Kind)
        {
            case SqlFrameBoundKind.UnboundedPreceding:
                return new OverFrame(rows, -1);
            case SqlFrameBoundKind.CurrentRow:
                return new OverFrame(rows, 0);
            case SqlFrameBoundKind.Preceding:
                {
                    var offset = BoundExpressions.Fold(new ExpressionBinder(new Scope(new Schema(), []), _functions, "an OVER frame").Bind(frame.Start.Offset!));
                    if (rows && offset is LiteralExpression { Value: int or long } count && Convert.ToInt64(count.Value, System.Globalization.CultureInfo.InvariantCulture) >= 0)
                    {
                        return new OverFrame(true, Convert.ToInt64(count.Value, System.Globalization.CultureInfo.InvariantCulture));
                    }

                    if (!rows && offset is IntervalLiteral { Kind: IntervalKind.DayToSecond } interval && interval.Value >= 0)
                    {
                        return new OverFrame(false, interval.Value);
                    }

                    throw new SqlException(rows ? "A ROWS frame's PRECEDING takes a non-negative integer." : "A RANGE frame's PRECEDING takes a DAY TO SECOND interval (INTERVAL '10' SECOND).", frame.Start.Position);
                }

            default:
                throw new SqlException("An OVER frame must start at or before the current row.", frame.Start.Position);
        }
    }
}
