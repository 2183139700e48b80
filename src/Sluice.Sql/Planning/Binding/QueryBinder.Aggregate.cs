using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    // Placeholders bound into select items before the aggregate node exists: references with these index ranges stand
    // for the i-th aggregate call or window property, and are renumbered once the node's layout is known.
    private const int CallMarker = 1_000_000;
    private const int PropertyMarker = 2_000_000;

    /// <summary>
    /// GROUP BY / aggregates: a Calc computing group keys, aggregate arguments and filters; the (window) aggregate; a Calc
    /// computing the select items (and HAVING) from group keys and aggregate values.
    /// </summary>
    private LogicalNode BindAggregate(SqlSelect select, LogicalNode input, Scope scope, List<SelectItem> items)
    {
        var plain = new ExpressionBinder(scope, _functions, "GROUP BY");
        SqlFunctionCall? windowCall = null;
        var pre = new List<BoundExpression>();
        var preNames = new List<string>();
        var preIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int AddPre(BoundExpression expression)
        {
            var key = expression.ToString() + ":" + expression.Type;
            if (!preIndex.TryGetValue(key, out var index))
            {
                index = pre.Count;
                preIndex.Add(key, index);
                pre.Add(expression);
                preNames.Add(expression is InputReference reference ? reference.Name : $"$f{index}");
            }

            return index;
        }

        var groupFields = new List<int>();
        var groupKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var groupTypes = new List<DataType>();
        foreach (var group in select.GroupBy)
        {
            if (group is SqlFunctionCall { Over: null } call && call.Name.Name.ToUpperInvariant() is "TUMBLE" or "HOP" or "SESSION" or "CUMULATE")
            {
                windowCall = windowCall is null ? call : throw new SqlException("GROUP BY has two group windows; a query groups by at most one.", call.Position);
                continue;
            }

            if (ExpressionBinder.ContainsAggregate(group))
            {
                throw new SqlException("Aggregate functions are not allowed in GROUP BY.", group.Position);
            }

            var bound = plain.Bind(group);
            if (groupKeys.ContainsKey(bound.ToString()))
            {
                continue;
            }

            groupKeys.Add(bound.ToString(), groupFields.Count);
            groupFields.Add(AddPre(bound));
            groupTypes.Add(bound.Type);
        }

        WindowSpec? window = null;
        if (windowCall is not null)
        {
            window = BindGroupWindow(windowCall, plain, scope, input, AddPre);
        }

        var calls = new List<AggregateCall>();
        var callKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var properties = new List<WindowProperty>();
        SqlExpression? currentItem = null;
        string? currentName = null;

        BoundExpression? Intercept(SqlExpression expression)
        {
            if (expression is SqlFunctionCall { Over: not null } over)
            {
                throw ExpressionBinder.Unsupported("An OVER window function in an aggregating SELECT (with GROUP BY or aggregates)", over.Position);
            }

            if (expression is SqlFunctionCall call && ExpressionBinder.IsAggregate(call.Name.Name))
            {
                var aggregate = BindCall(call, plain, AddPre, ReferenceEquals(call, currentItem) ? currentName : null);
                var key = aggregate.Kind + "|" + string.Join(",", aggregate.Arguments) + "|" + aggregate.Distinct + "|" + aggregate.FilterArgument;
                if (!callKeys.TryGetValue(key, out var index))
                {
                    index = calls.Count;
                    callKeys.Add(key, index);
                    calls.Add(aggregate);
                }

                return PlanExpressions.Reference(CallMarker + index, calls[index].Name, calls[index].ResultType);
            }

            if (expression is SqlFunctionCall property && ExpressionBinder.IsWindowProperty(property.Name.Name))
            {
                return BindWindowProperty(property, windowCall, window, pre, properties);
            }

            if (ExpressionBinder.ContainsAggregate(expression) || ContainsWindowProperty(expression))
            {
                return null;
            }

            var bound = plain.Bind(expression);
            if (groupKeys.TryGetValue(bound.ToString(), out var group))
            {
                return PlanExpressions.Reference(group, preNames[groupFields[group]], groupTypes[group]);
            }

            if (PlanExpressions.IsConstant(bound))
            {
                return bound;
            }

            if (expression is SqlIdentifier or SqlFieldAccess)
            {
                throw new SqlException($"Expression '{SqlFormatter.Format(expression)}' is not being grouped: add it to GROUP BY or aggregate it (MAX({SqlFormatter.Format(expression)}), …).", expression.Position);
            }

            return null;
        }

        var binder = new ExpressionBinder(scope, _functions, "SELECT") { Intercept = Intercept };
        var projections = new BoundExpression[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            (currentItem, currentName) = (items[i].Expression, items[i].Name);
            projections[i] = items[i].Expression is { } expression
                ? binder.Bind(expression)
                : Intercept(new SqlIdentifier(SqlList<string>.Of(items[i].Name), select.Position))!;
            RequireValue(projections[i], items[i]);
        }

        BoundExpression? having = null;
        if (select.Having is not null)
        {
            (currentItem, currentName) = (null, null);
            having = new ExpressionBinder(scope, _functions, "HAVING") { Intercept = Intercept }.Bind(select.Having);
            RequireBoolean(having, "The HAVING condition");
        }

        var preCalc = new CalcNode(input, [.. pre], UniqueNames(preNames));
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in groupFields)
        {
            used.Add(preCalc.Schema[field].Name);
        }

        for (var i = 0; i < calls.Count; i++)
        {
            var name = calls[i].Name;
            for (var suffix = 0; !used.Add(name); suffix++)
            {
                name = calls[i].Name + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            calls[i] = calls[i] with { Name = name };
        }

        LogicalNode node;
        if (window is not null)
        {
            properties.Sort();
            var names = new string[properties.Count];
            for (var i = 0; i < names.Length; i++)
            {
                var name = properties[i] switch { WindowProperty.Start => "window_start", WindowProperty.End => "window_end", _ => "window_time" };
                for (var suffix = 0; !used.Add(name); suffix++)
                {
                    name += suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                names[i] = name;
            }

            node = new WindowAggregateNode(preCalc, window, groupFields, calls, properties, names);
        }
        else
        {
            node = new AggregateNode(preCalc, groupFields, calls);
        }

        BoundExpression Renumber(BoundExpression expression) => PlanExpressions.Replace(expression, reference =>
            reference.Index >= PropertyMarker ? PlanExpressions.Reference(node.Schema, ((WindowAggregateNode)node).PropertyIndex((WindowProperty)(reference.Index - PropertyMarker)), reference)
            : reference.Index >= CallMarker ? PlanExpressions.Reference(node.Schema, groupFields.Count + reference.Index - CallMarker, reference)
            : PlanExpressions.Reference(node.Schema, reference.Index, reference));

        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = Renumber(projections[i]);
        }

        return new CalcNode(node, projections, UniqueNames([.. items.Select(static i => i.Name)]), having is null ? null : Renumber(having));
    }

    private static bool ContainsWindowProperty(SqlExpression expression) =>
        (expression is SqlFunctionCall call && ExpressionBinder.IsWindowProperty(call.Name.Name))
        || ExpressionBinder.Children(expression).Any(ContainsWindowProperty);

    /// <summary>One aggregate call: its kind, arguments and filter added to the pre-aggregation Calc, its result type.</summary>
    private AggregateCall BindCall(SqlFunctionCall call, ExpressionBinder plain, Func<BoundExpression, int> addPre, string? name)
    {
        var upper = call.Name.Name.ToUpperInvariant();
        var position = call.Position;
        var argumentBinder = new ExpressionBinder(plain.Scope, _functions, $"the arguments of {upper}");
        if (call.Arguments.Count == 1 && call.Arguments[0] is SqlStar && upper != "COUNT")
        {
            throw new SqlException($"{upper}(*) is not allowed; only COUNT takes *.", position);
        }

        var countStar = upper == "COUNT" && (call.Arguments.Count == 0 || call.Arguments[0] is SqlStar);
        var arguments = new List<int>();
        var argumentTypes = new List<BoundExpression>();
        if (!countStar)
        {
            foreach (var argument in call.Arguments)
            {
                var bound = argumentBinder.Bind(argument);
                argumentTypes.Add(bound);
                arguments.Add(addPre(bound));
            }
        }

        var filter = -1;
        if (call.Filter is not null)
        {
            var condition = new ExpressionBinder(plain.Scope, _functions, $"the FILTER of {upper}").Bind(call.Filter);
            RequireBoolean(condition, $"The FILTER of {upper}");
            filter = addPre(condition);
        }

        var expectedArguments = upper switch { "COUNT" => countStar ? 0 : -1, "LISTAGG" => -2, _ => 1 };
        if ((expectedArguments == 1 && arguments.Count != 1) || (expectedArguments == -2 && arguments.Count is < 1 or > 2))
        {
            throw new SqlException($"{upper} takes {(expectedArguments == 1 ? "one argument" : "one or two arguments")}, not {arguments.Count}.", position);
        }

        if (upper == "COUNT" && arguments.Count > 1)
        {
            throw ExpressionBinder.Unsupported("COUNT with several arguments", position);
        }

        var first = argumentTypes.Count > 0 ? argumentTypes[0] : null;
        var (kind, type) = upper switch
        {
            "COUNT" => (countStar ? AggregateKind.CountStar : AggregateKind.Count, DataType.BigInt.NotNull()),
            "SUM" => (AggregateKind.Sum, Numeric(first!, upper)),
            "SUM0" => (AggregateKind.Sum0, Numeric(first!, upper).NotNull()),
            "AVG" => (AggregateKind.Avg, Numeric(first!, upper)),
            "MIN" => (AggregateKind.Min, Ordered(first!, upper)),
            "MAX" => (AggregateKind.Max, Ordered(first!, upper)),
            "FIRST_VALUE" => (AggregateKind.FirstValue, first!.Type.Nullable()),
            "LAST_VALUE" => (AggregateKind.LastValue, first!.Type.Nullable()),
            "LISTAGG" => (AggregateKind.ListAgg, Typed(argumentTypes, DataTypeKind.Varchar, upper)),
            "STDDEV_POP" => (AggregateKind.StddevPop, Numeric(first!, upper)),
            "STDDEV_SAMP" or "STDDEV" => (AggregateKind.StddevSamp, Numeric(first!, upper)),
            "VAR_POP" => (AggregateKind.VarPop, Numeric(first!, upper)),
            "VAR_SAMP" or "VARIANCE" => (AggregateKind.VarSamp, Numeric(first!, upper)),
            "BOOL_AND" => (AggregateKind.BoolAnd, Typed(argumentTypes, DataTypeKind.Boolean, upper)),
            "BOOL_OR" => (AggregateKind.BoolOr, Typed(argumentTypes, DataTypeKind.Boolean, upper)),
            _ => throw ExpressionBinder.Unsupported($"The aggregate function {upper}", position),
        };
        return new AggregateCall(kind, arguments, call.Distinct, filter, type, name ?? $"EXPR${upper}");
    }

    private static DataType Numeric(BoundExpression argument, string function) =>
        SqlTypeRules.IsNumeric(argument.Type) && argument is not IntervalLiteral
            ? (argument.Type.Kind == DataTypeKind.Decimal && function == "SUM" ? DataType.Decimal(38, argument.Type.Scale) : argument.Type).Nullable()
            : throw new SqlException($"{function} takes a numeric argument, not {argument.TypeName}.", argument.Position);

    private static DataType Ordered(BoundExpression argument, string function) =>
        argument.Type.Kind is DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row || argument is IntervalLiteral
            ? throw new SqlException($"{function} takes a value with an order, not {argument.TypeName}.", argument.Position)
            : argument.Type.Nullable();

    private static DataType Typed(List<BoundExpression> arguments, DataTypeKind kind, string function)
    {
        foreach (var argument in arguments)
        {
            if (argument.Type.Kind != kind)
            {
                throw new SqlException($"{function} takes {kind.ToString().ToUpperInvariant()} arguments, not {argument.TypeName}.", argument.Position);
            }
        }

        return arguments[0].Type.Nullable();
    }

    /// <summary>A legacy <c>GROUP BY TUMBLE(ts, size)</c> (HOP, SESSION, CUMULATE): its time field is added to the pre-aggregation Calc.</summary>
    private WindowSpec BindGroupWindow(SqlFunctionCall call, ExpressionBinder plain, Scope scope, LogicalNode input, Func<BoundExpression, int> addPre)
    {
        var name = call.Name.Name.ToUpperInvariant();
        var expectedIntervals = name switch { "TUMBLE" or "SESSION" => 1, _ => 2 };
        if (call.Arguments.Count < 1 + expectedIntervals || call.Arguments.Count > 2 + expectedIntervals - (name == "SESSION" ? 1 : 0))
        {
            throw new SqlException($"The group window {name} takes (time_attribute, {(name switch { "TUMBLE" => "size", "SESSION" => "gap", "HOP" => "slide, size", _ => "step, size" })}).", call.Position);
        }

        var time = plain.Bind(call.Arguments[0]);
        if (time is not InputReference reference)
        {
            throw new SqlException($"The group window {name} must be on a time attribute column, not {time}.", call.Arguments[0].Position);
        }

        var table = "the FROM clause";
        foreach (var item in scope.Items)
        {
            if (reference.Index >= item.Offset && reference.Index < item.Offset + item.Names.Count && item.Qualifier is not null)
            {
                table = item.Qualifier;
            }
        }

        RequireTimeAttribute(input, reference.Index, table, name, call.Arguments[0].Position);
        var values = new long[call.Arguments.Count - 1];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Duration(call.Arguments[i + 1], name);
        }

        var field = addPre(time);
        var processing = input.TimeAttributes[reference.Index] == TimeAttributeKind.Proctime;
        var window = name switch
        {
            "TUMBLE" => new WindowSpec(WindowKind.Tumble, field, values[0], 0, values.Length > 1 ? values[1] : 0, processing),
            "HOP" => new WindowSpec(WindowKind.Hop, field, values[1], values[0], values.Length > 2 ? values[2] : 0, processing),
            "CUMULATE" => new WindowSpec(WindowKind.Cumulate, field, values[1], values[0], 0, processing),
            _ => new WindowSpec(WindowKind.Session, field, values[0], 0, 0, processing),
        };
        CheckWindow(window, name, call.Position);
        return window;
    }

    /// <summary><c>TUMBLE_START(ts, size)</c> and friends: must repeat the GROUP BY window's arguments.</summary>
    private static InputReference BindWindowProperty(SqlFunctionCall property, SqlFunctionCall? windowCall, WindowSpec? window, List<BoundExpression> pre, List<WindowProperty> properties)
    {
        var upper = property.Name.Name.ToUpperInvariant();
        var separator = upper.IndexOf('_', StringComparison.Ordinal);
        var group = upper[..separator];
        if (windowCall is null || window is null || windowCall.Name.Name.ToUpperInvariant() != group
            || !property.Arguments.SequenceEqual(windowCall.Arguments))
        {
            throw new SqlException($"{upper} must repeat the arguments of the {group}(…) in GROUP BY.", property.Position);
        }

        var kind = upper[(separator + 1)..] switch { "START" => WindowProperty.Start, "END" => WindowProperty.End, _ => WindowProperty.Time };
        if (!properties.Contains(kind))
        {
            properties.Add(kind);
        }

        var field = WindowTableFunctionNode.WindowField(kind, window, new Schema(pre.Select(static (e, i) => new Field($"f{i}", e.Type))));
        return PlanExpressions.Reference(PropertyMarker + (int)kind, field.Name, field.Type);
    }
}
