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
        var input = Translate(node.Input);
        var rows = Project(input, node.Input.Schema, node.Columns, sink.Schema, $"Sink({node.Table.Name})", $"table '{node.Table.Name}'");
        sink.Attach(rows);
        Added($"Sink(table=[{node.Table.Name}], fields=[{string.Join(", ", FieldNames(sink.Schema))}])");
    }

    private DataStream<Row> Scan(TableScanNode node)
    {
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
        var stream = source.Open(_environment, computed, node.Watermark, rowtime, _settings.Scan);
        Added(node.Describe());
        if (IsIdentity(node.Fields, node.TableSchema.Count))
        {
            return stream;
        }

        // Projection push-down pruned columns: keep those the query reads.
        var fields = new BoundExpression[node.Fields.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = BoundExpressions.Field(node.TableSchema, node.Fields[i]);
        }

        return Project(stream, node.TableSchema, fields, node.Schema, $"Calc(select=[{string.Join(", ", FieldNames(node.Schema))}])", null);
    }

    private DataStream<Row> Calc(CalcNode node)
    {
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
        return input.Transform(name, () => new CalcOperator(name, condition, projector, schema, evaluation));
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
        var fields = new Field[target.Count];
        var enforced = new List<int>();
        var identity = expressions.Count == inputSchema.Count;
        for (var i = 0; i < fields.Length; i++)
        {
            var expression = expressions[i];
            var type = target[i].Type;
            if (!type.IsNullable && expression.Type.IsNullable)
            {
                type = type.Nullable();
                enforced.Add(i);
            }

            fields[i] = new Field(target[i].Name, type);
            identity &= expression is InputReference reference && reference.Index == i && inputSchema[i].Type.Equals(type);
        }

        if (identity && enforced.Count == 0)
        {
            return input;
        }

        var schema = new Schema(fields);
        var projector = ExpressionCompiler.CompileProjection(Folded(expressions, evaluation), inputSchema, schema);
        var notNull = enforced.ToArray();
        var owner = what;
        Added(name);
        return input.Transform(name, () => new CalcOperator(name, null, projector, schema, evaluation) { NotNullFields = notNull, NotNullOwner = owner });
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

/// <summary>The session settings the physical planner applies.</summary>
/// <param name="Scan">What table scans and expressions use (idle timeout, time zone, clock).</param>
/// <param name="StateTtl">Flink's <c>table.exec.state.ttl</c>: how long stateful operators keep a key's state after its last update; null keeps it forever.</param>
internal sealed record PhysicalSettings(TableScanSettings Scan, TimeSpan? StateTtl)
{
    /// <summary>UTC, the system clock, no idleness, no state TTL.</summary>
    public static PhysicalSettings Default { get; } = new(TableScanSettings.Default, null);
}
