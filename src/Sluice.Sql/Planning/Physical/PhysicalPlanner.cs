using System.Diagnostics;
using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;
using Sluice.Sql.Expressions;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Planning.Physical;

/// <summary>
/// Translates an optimized logical plan into a job: each logical node becomes Sluice operators on a
/// <see cref="StreamEnvironment"/> (a scan becomes the connector's source, a Calc a <see cref="CalcOperator"/>, an
/// aggregate a keyed operator, …). A node shared by several consumers (a statement set reading one table twice through
/// one view) is translated once. One planner builds one job, on one thread.
/// </summary>
internal sealed partial class PhysicalPlanner
{
    private readonly StreamEnvironment _environment;
    private readonly ConnectorRegistry _connectors;
    private readonly PhysicalSettings _settings;
    private readonly Dictionary<LogicalNode, DataStream<Row>> _translated = new(ReferenceEqualityComparer.Instance);

    // How many nodes (and sinks) consume each node of the plans being translated: a scan or Calc consumed once is
    // fused into the operator of the scan below it (see Fusable); one read twice becomes operators once.
    private readonly Dictionary<LogicalNode, int> _consumers = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _operators = [];

    /// <summary>A planner adding operators to <paramref name="environment"/>, resolving tables through <paramref name="connectors"/>.</summary>
    public PhysicalPlanner(StreamEnvironment environment, ConnectorRegistry connectors, PhysicalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(connectors);
        ArgumentNullException.ThrowIfNull(settings);
        _environment = environment;
        _connectors = connectors;
        _settings = settings;
    }

    /// <summary>The physical operators added so far, one line each in the order they were added (EXPLAIN's physical plan).</summary>
    public IReadOnlyList<string> Operators => _operators;

    /// <summary>Adds every sink of <paramref name="statements"/> (and the plans below them) to the job.</summary>
    /// <exception cref="SqlException">A node has no streaming implementation yet (named), or a connector rejects its table.</exception>
    public void Translate(StatementSet statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        foreach (var sink in statements.Sinks)
        {
            CountConsumers(sink.Input);
        }

        foreach (var sink in statements.Sinks)
        {
            TranslateSink(sink);
        }
    }

    /// <summary>The stream of <paramref name="node"/>'s rows (each of <see cref="LogicalNode.Schema"/>), adding its operators on first use.</summary>
    /// <exception cref="SqlException">A node has no streaming implementation yet (named), or a connector rejects its table.</exception>
    public DataStream<Row> Translate(LogicalNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_translated.TryGetValue(node, out var done))
        {
            return done;
        }

        if (!_consumers.ContainsKey(node))
        {
            // The root of a query (a SELECT): its consumer is the query's result.
            CountConsumers(node);
        }

        var stream = node switch
        {
            TableScanNode scan => Scan(scan),
            CalcNode calc => Calc(calc),
            UnionNode union => Union(union),
            ValuesNode values => Values(values),
            AggregateNode aggregate => Aggregate(aggregate),
            JoinNode join => Join(join),
            RankNode rank => Rank(rank),
            WindowTableFunctionNode window => WindowTableFunction(window),
            WindowAggregateNode window => WindowAggregate(window),
            OverAggregateNode over => OverAggregate(over),
            _ => throw new SqlException($"{node.Describe()} cannot run yet: the streaming runtime has no {node.Name} operator."),
        };
        _translated.Add(node, stream);
        return stream;
    }

    private void TranslateSink(SinkNode node)
    {
        var sink = TableConnectors.ResolveSink(_connectors, node.Table);
        // The binder checked the sink's changelog against the same registry when it built the node.
        Debug.Assert(sink.ChangelogMode.Accepts(node.Input.Changelog), "The sink node was checked against the connector's changelog mode.");
        var name = $"Sink({node.Table.Name})";
        var what = $"table '{node.Table.Name}'";
        DataStream<Row> rows;
        if (_consumers.GetValueOrDefault(node.Input) == 1 && !_translated.ContainsKey(node.Input) && Fusable(node.Input) is { } fused)
        {
            // The sink's projection joins the scan's operator too: one output row per record, straight from the connector's row.
            var (schema, enforced) = ProjectionSchema(node.Columns, sink.Schema);
            var columns = new BoundExpression[node.Columns.Count];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = WatermarkExpressions.Inline(node.Columns[i], fused.Projections);
            }

            var calc = fused.Calc is null && enforced.Length == 0 && IsIdentity(node.Columns, node.Input.Schema, schema)
                ? fused
                : fused with { Calc = fused.Calc is null ? name : $"{fused.Calc} + {name}", Projections = Folded(columns, _settings.Scan.Evaluation), Output = schema, NotNullFields = enforced, NotNullOwner = what };
            rows = OpenScan(calc);
        }
        else
        {
            var input = Translate(node.Input);
            rows = Project(input, node.Input.Schema, node.Columns, sink.Schema, name, what);
            if (!ReferenceEquals(rows, input))
            {
                RouteDeadLetters(rows, node.Input);
            }
        }

        if (node.Checks.Count > 0 || node.Contract is not null)
        {
            rows = Checks(rows, node, sink.Schema);
            RouteDeadLetters(rows, node.Input);
        }

        sink.Attach(rows);
        Added($"Sink(table=[{node.Table.Name}], fields=[{string.Join(", ", FieldNames(sink.Schema))}])");
    }

    private DataStream<Row> Scan(TableScanNode node) => OpenScan(Fusable(node)!);

    private DataStream<Row> Calc(CalcNode node)
    {
        if (Fusable(node) is { } fused)
        {
            return OpenScan(fused);
        }

        var input = Translate(node.Input);
        if (node.IsIdentity)
        {
            return input;
        }

        var evaluation = _settings.Scan.Evaluation;
        var condition = node.Condition is null ? null : ExpressionCompiler.CompilePredicate(BoundExpressions.Fold(node.Condition, evaluation), node.Input.Schema);
        RowProjector? projector = null;
        if (!node.IsIdentityProjection)
        {
            projector = ExpressionCompiler.CompileProjection(Folded(node.Projections, evaluation), node.Input.Schema, node.Schema);
        }

        var name = node.Describe();
        var schema = node.Schema;
        Added(name);
        var calculated = input.Transform(name, () => new CalcOperator(name, condition, projector, schema, evaluation));
        RouteDeadLetters(calculated, node.Input);
        return calculated;
    }

    /// <summary>
    /// <paramref name="node"/> as work of one scan operator, or null: a scan (its pruned columns), or a Calc over a
    /// scan that nothing else reads and that is not translated yet (its condition and projections over the table's
    /// columns). Fusing saves a row and an operator call per record at each step, and filters before the scan
    /// computes anything.
    /// </summary>
    private FusedScan? Fusable(LogicalNode node)
    {
        if (node is TableScanNode scan)
        {
            var fields = new BoundExpression[scan.Fields.Count];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = BoundExpressions.Field(scan.TableSchema, scan.Fields[i]);
            }

            return new FusedScan(scan, null, null, fields, scan.Schema, [], null);
        }

        if (node is CalcNode { Input: TableScanNode input } calc && _consumers.GetValueOrDefault(input) == 1 && !_translated.ContainsKey(input))
        {
            var below = Fusable(input)!;
            var evaluation = _settings.Scan.Evaluation;
            var condition = calc.Condition is null ? null : BoundExpressions.Fold(WatermarkExpressions.Inline(calc.Condition, below.Projections), evaluation);
            var projections = new BoundExpression[calc.Projections.Count];
            for (var i = 0; i < projections.Length; i++)
            {
                projections[i] = WatermarkExpressions.Inline(calc.Projections[i], below.Projections);
            }

            return new FusedScan(input, calc.Describe(), condition, Folded(projections, evaluation), calc.Schema, [], null);
        }

        return null;
    }

    /// <summary>Adds the scan of <paramref name="fused"/> with its fused work, one operator after the source.</summary>
    private DataStream<Row> OpenScan(FusedScan fused)
    {
        var node = fused.Scan;
        var source = TableConnectors.ResolveSource(_connectors, node.Table);
        var computed = new List<BoundExpression>();
        for (var i = 0; i < node.Table.Columns.Count; i++)
        {
            if (node.Table.Columns[i] is ComputedColumn)
            {
                computed.Add(node.ColumnExpressions[i]);
            }
        }

        var rowtime = node.RowtimeColumn >= 0 ? node.RowtimeColumn : (int?)null;
        Added(node.Describe());
        TableScanCalc? calc = null;
        if (fused.Calc is not null)
        {
            calc = new TableScanCalc(fused.Calc, fused.Condition, fused.Projections, fused.Output, fused.NotNullFields, fused.NotNullOwner);
            Added(fused.Calc);
        }
        else if (!IsIdentity(node.Fields, node.TableSchema.Count))
        {
            // Projection push-down pruned columns: the scan computes only those the query reads.
            var name = $"Calc(select=[{string.Join(", ", FieldNames(node.Schema))}])";
            calc = new TableScanCalc(name, null, fused.Projections, node.Schema, [], null);
            Added(name);
        }

        var producers = new List<DataStream<Row>>(2);
        var rows = source.Open(_environment, computed, node.Watermark, rowtime, _settings.Scan, calc, producers);
        foreach (var producer in producers)
        {
            RouteDeadLetters(producer, source);
        }

        return rows;
    }

    private DataStream<Row> Union(UnionNode node)
    {
        var inputs = new DataStream<Row>[node.Inputs.Count - 1];
        for (var i = 1; i < node.Inputs.Count; i++)
        {
            inputs[i - 1] = Translate(node.Inputs[i]);
        }

        Added(node.Describe());
        return Translate(node.Inputs[0]).Union(inputs);
    }

    private DataStream<Row> Values(ValuesNode node)
    {
        var rows = new Row[node.Rows.Count];
        var none = new Schema();
        var empty = new Row(none);
        for (var r = 0; r < rows.Length; r++)
        {
            var row = new Row(node.Schema);
            for (var f = 0; f < node.Schema.Count; f++)
            {
                row.SetValue(f, ExpressionCompiler.CompileEvaluator(node.Rows[r][f], none)(empty, _settings.Scan.Evaluation));
            }

            rows[r] = row;
        }

        Added(node.Describe());
        return _environment.FromCollection(rows);
    }

    /// <summary>
    /// Projects <paramref name="input"/> onto <paramref name="target"/>'s fields. A NOT NULL target field fed by a
    /// nullable expression is enforced per row (Flink's <c>table.exec.sink.not-null-enforcer</c>): a row with NULL
    /// there becomes a dead letter naming the column of <paramref name="what"/>.
    /// </summary>
    private DataStream<Row> Project(DataStream<Row> input, Schema inputSchema, IReadOnlyList<BoundExpression> expressions, Schema target, string name, string? what)
    {
        var evaluation = _settings.Scan.Evaluation;
        var (schema, notNull) = ProjectionSchema(expressions, target);
        if (notNull.Length == 0 && IsIdentity(expressions, inputSchema, schema))
        {
            return input;
        }

        var projector = ExpressionCompiler.CompileProjection(Folded(expressions, evaluation), inputSchema, schema);
        var owner = what;
        Added(name);
        return input.Transform(name, () => new CalcOperator(name, null, projector, schema, evaluation) { NotNullFields = notNull, NotNullOwner = owner });
    }

    /// <summary>
    /// The schema a projection onto <paramref name="target"/>'s fields emits: the target's, except that a NOT NULL
    /// field fed by a nullable expression is nullable and listed in the second result, to be enforced per row.
    /// </summary>
    private static (Schema Schema, int[] NotNull) ProjectionSchema(IReadOnlyList<BoundExpression> expressions, Schema target)
    {
        var fields = new Field[target.Count];
        var enforced = new List<int>();
        for (var i = 0; i < fields.Length; i++)
        {
            var type = target[i].Type;
            if (!type.IsNullable && expressions[i].Type.IsNullable)
            {
                type = type.Nullable();
                enforced.Add(i);
            }

            fields[i] = new Field(target[i].Name, type);
        }

        return (new Schema(fields), enforced.ToArray());
    }

    /// <summary>Whether <paramref name="expressions"/> give rows of <paramref name="inputSchema"/> back as rows of <paramref name="schema"/> unchanged.</summary>
    private static bool IsIdentity(IReadOnlyList<BoundExpression> expressions, Schema inputSchema, Schema schema)
    {
        if (expressions.Count != inputSchema.Count)
        {
            return false;
        }

        for (var i = 0; i < expressions.Count; i++)
        {
            if (expressions[i] is not InputReference reference || reference.Index != i || !inputSchema[i].Type.Equals(schema[i].Type))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Counts, for <paramref name="node"/> and every node below it, how many consumers read it (a node below a node read twice counts once).</summary>
    private void CountConsumers(LogicalNode node)
    {
        var seen = _consumers.TryGetValue(node, out var count);
        _consumers[node] = count + 1;
        if (seen)
        {
            return;
        }

        foreach (var input in node.Inputs)
        {
            CountConsumers(input);
        }
    }

    private static BoundExpression[] Folded(IReadOnlyList<BoundExpression> expressions, SqlEvaluationContext evaluation)
    {
        var folded = new BoundExpression[expressions.Count];
        for (var i = 0; i < folded.Length; i++)
        {
            folded[i] = BoundExpressions.Fold(expressions[i], evaluation);
        }

        return folded;
    }

    private static bool IsIdentity(IReadOnlyList<int> fields, int count)
    {
        if (fields.Count != count)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (fields[i] != i)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> FieldNames(Schema schema)
    {
        for (var i = 0; i < schema.Count; i++)
        {
            yield return Schema.QuoteName(schema[i].Name);
        }
    }

    private void Added(string line) => _operators.Add(line);
}

/// <summary>
/// A table scan with the stateless work fused into its operator: a Calc's condition and projections (and a sink's
/// projection) over the table's columns (<see cref="TableScanNode.TableSchema"/>). Without <see cref="Calc"/>, only
/// the scan's pruned columns.
/// </summary>
internal sealed record FusedScan(TableScanNode Scan, string? Calc, BoundExpression? Condition, IReadOnlyList<BoundExpression> Projections, Schema Output, int[] NotNullFields, string? NotNullOwner);

/// <summary>The session settings the physical planner applies.</summary>
/// <param name="Scan">What table scans and expressions use (idle timeout, time zone, clock).</param>
/// <param name="StateTtl">Flink's <c>table.exec.state.ttl</c>: how long stateful operators keep a key's state after its last update; null keeps it forever.</param>
internal sealed record PhysicalSettings(TableScanSettings Scan, TimeSpan? StateTtl)
{
    /// <summary>UTC, the system clock, no idleness, no state TTL.</summary>
    public static PhysicalSettings Default { get; } = new(TableScanSettings.Default, null);
}
