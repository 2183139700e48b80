using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    private const int MaxViewDepth = 32;

    /// <summary>Binds a FROM item: the node producing its rows and the names its columns go by.</summary>
    private (LogicalNode Node, Scope Scope) BindFrom(SqlTableReference reference, CteScope? ctes)
    {
        switch (reference)
        {
            case SqlNamedTable named:
                {
                    if (named.SystemTime is not null)
                    {
                        throw new SqlException($"FOR SYSTEM_TIME AS OF is allowed only on the right side of a JOIN (a lookup join), not on '{named.Name.Name}' here.", named.SystemTime.Position);
                    }

                    var node = BindNamedTable(named.Name, ctes);
                    return Aliased(node, named.Alias, named.Name.Name);
                }

            case SqlDerivedTable derived:
                {
                    if (derived.Lateral)
                    {
                        throw ExpressionBinder.Unsupported("LATERAL subqueries", derived.Position);
                    }

                    var node = BindQuery(derived.Query, ctes);
                    return Aliased(node, derived.Alias, null);
                }

            case SqlTableFunction function:
                {
                    var node = BindTableFunction(function, ctes);
                    return Aliased(node, function.Alias, null);
                }

            case SqlUnnest unnest:
                throw ExpressionBinder.Unsupported("UNNEST", unnest.Position);
            case SqlJoin join:
                return BindJoin(join, ctes);
            default:
                throw ExpressionBinder.Unsupported(reference.GetType().Name, reference.Position);
        }
    }

    /// <summary>A table, view or CTE by name, with its own column names.</summary>
    private LogicalNode BindNamedTable(SqlIdentifier name, CteScope? ctes)
    {
        if (name.Names.Count == 1 && CteScope.Find(ctes, name.Name) is { } cte)
        {
            // A CTE sees only the CTEs declared before it.
            var outer = ctes;
            while (outer is not null && !ReferenceEquals(outer.Table, cte))
            {
                outer = outer.Outer;
            }

            var node = BindQuery(cte.Query, outer?.Outer);
            return cte.Columns.Count == 0 ? node : Rename(node, cte.Columns, $"WITH {cte.Name}", cte.Position);
        }

        switch (_catalog.Find(name.Name))
        {
            case CatalogTable table:
                return TableBinder.Scan(table, name.Name, _functions, _settings.SourceChangelogMode(table));
            case CatalogView view:
                {
                    if (++_viewDepth > MaxViewDepth)
                    {
                        throw new SqlException($"View '{view.Name}' expands more than {MaxViewDepth} levels deep; a view probably refers to itself.", name.Position);
                    }

                    try
                    {
                        var node = BindQuery(SqlParser.ParseQuery(view.Query), null);
                        return view.ColumnNames.Count == 0 ? node : Rename(node, view.ColumnNames, $"view '{view.Name}'", name.Position);
                    }
                    catch (SqlException e) when (e.Position is not null)
                    {
                        throw new SqlException($"View '{view.Name}' is invalid: {e.Reason}", name.Position, e);
                    }
                    finally
                    {
                        _viewDepth--;
                    }
                }

            default:
                {
                    var names = new List<string>(_catalog.Names(tables: true, views: true));
                    for (var s = ctes; s is not null; s = s.Outer)
                    {
                        names.Add(s.Table.Name);
                    }

                    throw new SqlException($"Table '{string.Join('.', name.Names)}' does not exist.{NameSuggestions.DidYouMean(name.Name, names)}", name.Position);
                }
        }
    }

    /// <summary><paramref name="node"/>'s columns renamed to <paramref name="names"/> (a Calc of references).</summary>
    private static CalcNode Rename(LogicalNode node, IReadOnlyList<string> names, string what, SqlPosition position)
    {
        if (names.Count != node.Schema.Count)
        {
            throw new SqlException($"The {what} names {names.Count} columns, but its query has {node.Schema.Count}.", position);
        }

        var projections = new BoundExpression[names.Count];
        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = BoundExpressions.Field(node.Schema, i);
        }

        var unique = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!unique.Add(name))
            {
                throw new SqlException($"The {what} names column '{name}' twice.", position);
            }
        }

        return new CalcNode(node, projections, names);
    }

    /// <summary>The scope of one FROM item: its alias (or name) and column names, renamed by <c>AS t (a, b)</c>.</summary>
    private static (LogicalNode Node, Scope Scope) Aliased(LogicalNode node, SqlTableAlias? alias, string? name)
    {
        if (alias is { Columns.Count: > 0 })
        {
            node = Rename(node, alias.Columns, $"alias {alias.Name}", alias.Position);
        }

        return (node, Scope.Of(node.Schema, alias?.Name ?? name));
    }

    private (LogicalNode Node, Scope Scope) BindJoin(SqlJoin join, CteScope? ctes)
    {
        var (left, leftScope) = BindFrom(join.Left, ctes);
        var kind = join.Type switch
        {
            SqlJoinType.Left => JoinKind.Left,
            SqlJoinType.Right => JoinKind.Right,
            SqlJoinType.Full => JoinKind.Full,
            _ => JoinKind.Inner,
        };

        LogicalNode right;
        Scope rightScope;
        var lookupTimeField = -1;
        if (join.Right is SqlNamedTable { SystemTime: { } systemTime } temporal)
        {
            var time = new ExpressionBinder(leftScope, _functions, "FOR SYSTEM_TIME AS OF").Bind(systemTime);
            if (time is not InputReference reference || !left.IsTimeAttribute(reference.Index))
            {
                throw new SqlException($"FOR SYSTEM_TIME AS OF must name a time attribute of the left table (a PROCTIME() column), not {time}.", systemTime.Position);
            }

            if (left.TimeAttributes[reference.Index] == TimeAttributeKind.Rowtime)
            {
                throw ExpressionBinder.Unsupported("An event-time temporal join (FOR SYSTEM_TIME AS OF a rowtime attribute)", systemTime.Position);
            }

            var table = _catalog.Find(temporal.Name.Name) as CatalogTable
                ?? throw new SqlException($"The right side of a lookup join (FOR SYSTEM_TIME AS OF) must be a table, and '{temporal.Name.Name}' is {(_catalog.Find(temporal.Name.Name) is null ? "not a table of the catalog" : "a view")}.", temporal.Position);
            (right, rightScope) = Aliased(TableBinder.Scan(table, temporal.Name.Name, _functions), temporal.Alias, temporal.Name.Name);
            lookupTimeField = reference.Index;
        }
        else
        {
            (right, rightScope) = BindFrom(join.Right, ctes);
        }

        var joined = JoinNode.Joined(left.Schema, right.Schema);
        var scope = Scope.Join(leftScope, rightScope, joined);
        BoundExpression? condition = null;
        if (join.Using.Count > 0)
        {
            return BindUsing(join, left, leftScope, right, rightScope, kind, lookupTimeField, joined, scope);
        }

        if (join.Condition is not null)
        {
            if (ExpressionBinder.ContainsAggregate(join.Condition))
            {
                throw new SqlException("Aggregate functions are not allowed in a JOIN condition.", join.Condition.Position);
            }

            condition = new ExpressionBinder(scope, _functions, "a JOIN condition").Bind(join.Condition);
            RequireBoolean(condition, "The JOIN condition");
        }
        else if (join.Type is SqlJoinType.Left or SqlJoinType.Right or SqlJoinType.Full)
        {
            throw new SqlException($"A {join.Type.ToString().ToUpperInvariant()} JOIN needs an ON condition.", join.Position);
        }

        var node = MakeJoin(left, right, kind, condition, lookupTimeField, joined);
        return (node, new Scope(node.Schema, scope.Items));
    }

    /// <summary>
    /// <c>a JOIN b USING (k, …)</c>, as Calcite and Flink: the condition <c>a.k = b.k AND …</c>, and the output the
    /// merged columns first (the left's value; the right's for RIGHT JOIN; <c>COALESCE(a.k, b.k)</c> for FULL), then
    /// the other columns of the left and of the right. An unqualified <c>k</c> names the merged column and <c>*</c>
    /// lists it once; <c>a.k</c>, <c>b.k</c> and <c>a.*</c> still read the sides.
    /// </summary>
    private (LogicalNode Node, Scope Scope) BindUsing(SqlJoin join, LogicalNode left, Scope leftScope, LogicalNode right, Scope rightScope, JoinKind kind, int lookupTimeField, Schema joined, Scope scope)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var conjuncts = new List<BoundExpression>(join.Using.Count);
        var pairs = new List<(int Left, int Right)>(join.Using.Count);
        var leftCount = left.Schema.Count;
        foreach (var name in join.Using)
        {
            if (!names.Add(name))
            {
                throw new SqlException($"Column '{name}' appears twice in the USING list.", join.Position);
            }

            var column = new SqlIdentifier(SqlList<string>.Of(name), join.Position);
            var l = UsingColumn(leftScope, column, "left", name, join.Position);
            var r = UsingColumn(rightScope, column, "right", name, join.Position);
            var shifted = PlanExpressions.Reference(joined, r.Index + leftCount, r);
            var onLeft = PlanExpressions.Reference(joined, l.Index, l);
            conjuncts.Add(BoundExpressions.Compare(ComparisonOperator.Equal, onLeft, shifted, join.Position));
            pairs.Add((onLeft.Index, shifted.Index));
        }

        // The join's output has the joined names and the padded sides' nullability: the merged columns read it.
        var node = MakeJoin(left, right, kind, PlanExpressions.And(conjuncts), lookupTimeField, joined);
        var projections = new List<BoundExpression>(pairs.Count + joined.Count);
        var outputNames = new List<string>(projections.Capacity);
        foreach (var (l, r) in pairs)
        {
            var onLeft = BoundExpressions.Field(node.Schema, l, join.Position);
            var onRight = BoundExpressions.Field(node.Schema, r, join.Position);
            projections.Add(kind switch
            {
                JoinKind.Right => onRight,
                JoinKind.Full => BoundExpressions.Coalesce([onLeft, onRight], join.Position),
                _ => onLeft,
            });
            outputNames.Add(join.Using[projections.Count - 1]);
        }

        for (var i = 0; i < joined.Count; i++)
        {
            projections.Add(BoundExpressions.Field(node.Schema, i));
            outputNames.Add(joined[i].Name);
        }

        var calc = new CalcNode(node, projections, UniqueNames(outputNames));
        var items = new List<ScopeItem>(scope.Items.Count + 1) { new(null, 0, [.. join.Using]) };
        foreach (var item in scope.Items)
        {
            var hidden = new HashSet<string>(names, StringComparer.Ordinal);
            if (item.Qualified is not null)
            {
                hidden.UnionWith(item.Qualified);
            }

            items.Add(item with { Offset = item.Offset + pairs.Count, Qualified = hidden });
        }

        return (calc, new Scope(calc.Schema, items));
    }

    private static InputReference UsingColumn(Scope side, SqlIdentifier column, string which, string name, SqlPosition position)
    {
        BoundExpression resolved;
        try
        {
            resolved = side.Resolve(column);
        }
        catch (SqlException error)
        {
            throw new SqlException($"USING column '{name}' is not a column of the {which} side of the join: {error.Reason}", position);
        }

        return resolved as InputReference
            ?? throw new SqlException($"USING column '{name}' must be a column of the {which} side of the join.", position);
    }

    /// <summary>
    /// The join, with equality conjuncts between an expression of the left side and one of the right side turned into
    /// key fields: a side's expression that is not a plain field is computed by a Calc below the join, and a Calc above
    /// the join drops those fields again.
    /// </summary>
    private static LogicalNode MakeJoin(LogicalNode left, LogicalNode right, JoinKind kind, BoundExpression? condition, int lookupTimeField, Schema joined)
    {
        var leftCount = left.Schema.Count;
        var leftExtras = new List<BoundExpression>();
        var rightExtras = new List<BoundExpression>();
        var conjuncts = PlanExpressions.Conjuncts(condition);
        var keyConjuncts = new List<int>();
        for (var i = 0; i < conjuncts.Count; i++)
        {
            if (conjuncts[i] is not ComparisonExpression { Operator: ComparisonOperator.Equal } equal || (equal.Left is InputReference && equal.Right is InputReference))
            {
                continue;
            }

            var (l, r) = PlanExpressions.ReadsOnly(equal.Left, 0, leftCount) && PlanExpressions.ReadsOnly(equal.Right, leftCount, joined.Count) ? (equal.Left, equal.Right)
                : PlanExpressions.ReadsOnly(equal.Right, 0, leftCount) && PlanExpressions.ReadsOnly(equal.Left, leftCount, joined.Count) ? (equal.Right, equal.Left)
                : (null, null);
            if (l is null || r is null || PlanExpressions.IsConstant(l) || PlanExpressions.IsConstant(r) || (lookupTimeField >= 0 && r is not InputReference))
            {
                continue;
            }

            if (l is not InputReference)
            {
                leftExtras.Add(l);
            }

            if (r is not InputReference)
            {
                rightExtras.Add(PlanExpressions.Shift(r, -leftCount, right.Schema));
            }

            keyConjuncts.Add(i);
        }

        if (keyConjuncts.Count == 0)
        {
            return new JoinNode(left, right, kind, condition, lookupTimeField);
        }

        var newLeft = leftExtras.Count == 0 ? left : Extend(left, leftExtras);
        var newRight = rightExtras.Count == 0 ? right : Extend(right, rightExtras);
        var newJoined = JoinNode.Joined(newLeft.Schema, newRight.Schema);
        var newLeftCount = newLeft.Schema.Count;
        BoundExpression Move(BoundExpression e) => PlanExpressions.Replace(e, reference =>
            PlanExpressions.Reference(newJoined, reference.Index < leftCount ? reference.Index : reference.Index - leftCount + newLeftCount, reference));
        var leftNext = leftCount;
        var rightNext = newLeftCount + right.Schema.Count;
        var rewritten = new List<BoundExpression>(conjuncts.Count);
        for (var i = 0; i < conjuncts.Count; i++)
        {
            if (!keyConjuncts.Contains(i))
            {
                rewritten.Add(Move(conjuncts[i]));
                continue;
            }

            var equal = (ComparisonExpression)conjuncts[i];
            var leftFirst = PlanExpressions.ReadsOnly(equal.Left, 0, leftCount);
            var (l, r) = leftFirst ? (equal.Left, equal.Right) : (equal.Right, equal.Left);
            var newL = l is InputReference ? Move(l) : PlanExpressions.Reference(newJoined, leftNext++);
            var newR = r is InputReference ? Move(r) : PlanExpressions.Reference(newJoined, rightNext++);
            rewritten.Add(BoundExpressions.Compare(ComparisonOperator.Equal, newL, newR, equal.Position));
        }

        var node = new JoinNode(newLeft, newRight, kind, PlanExpressions.And(rewritten), lookupTimeField);

        // A semi or anti join outputs its left side only.
        var semi = kind is JoinKind.Semi or JoinKind.Anti;
        var projections = new BoundExpression[semi ? leftCount : joined.Count];
        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = BoundExpressions.Field(node.Schema, i < leftCount ? i : i - leftCount + newLeftCount);
        }

        return new CalcNode(node, projections, semi ? CalcNode.FieldNames(left.Schema) : CalcNode.FieldNames(joined));
    }

    /// <summary><paramref name="node"/>'s fields followed by <paramref name="extras"/> (named <c>$f0</c>, …).</summary>
    private static CalcNode Extend(LogicalNode node, List<BoundExpression> extras)
    {
        var projections = new List<BoundExpression>(node.Schema.Count + extras.Count);
        var names = new List<string>(projections.Capacity);
        for (var i = 0; i < node.Schema.Count; i++)
        {
            projections.Add(BoundExpressions.Field(node.Schema, i));
            names.Add(node.Schema[i].Name);
        }

        foreach (var extra in extras)
        {
            projections.Add(extra);
            names.Add($"$f{names.Count}");
        }

        return new CalcNode(node, projections, UniqueNames(names));
    }

    private static void RequireBoolean(BoundExpression condition, string what)
    {
        if (condition.Type.Kind != DataTypeKind.Boolean && condition is not LiteralExpression { IsUntypedNull: true })
        {
            throw new SqlException($"{what} must be BOOLEAN, not {condition.TypeName}.", condition.Position);
        }
    }
}
