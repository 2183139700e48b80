using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Connectors;

/// <summary>
/// A catalog table resolved as a source (<see cref="TableConnectors.ResolveSource"/>): the connector's validated
/// context and changelog mode. <see cref="Open"/> adds the scan to a job. Immutable; build jobs on one thread, as
/// <see cref="StreamEnvironment"/> requires.
/// </summary>
internal sealed class TableSource
{
    private readonly IConnectorFactory _factory;
    private readonly ConnectorContext _context;

    internal TableSource(CatalogTable table, IConnectorFactory factory, ConnectorContext context, ChangelogMode changelogMode)
    {
        Table = table;
        _factory = factory;
        _context = context;
        ChangelogMode = changelogMode;
    }

    /// <summary>The table.</summary>
    public CatalogTable Table { get; }

    /// <summary>
    /// The rows the connector produces: the table's physical columns, in declaration order (key columns NOT NULL).
    /// The binder binds computed columns over this schema.
    /// </summary>
    public Schema PersistedSchema => _context.Schema;

    /// <summary>The changelog the connector produces (an upsert source needs normalizing before operators that need the previous row).</summary>
    public ChangelogMode ChangelogMode { get; }

    /// <summary>The table's dead-letter topic when its connector has dead-letter queues (<see cref="IDeadLetterQueueFactory"/>); else null.</summary>
    /// <exception cref="SqlException">The connector rejects the table's options.</exception>
    public string? DeadLetterTopic() =>
        _factory is IDeadLetterQueueFactory queues ? TableConnectors.Guard(Table, null, () => queues.DeadLetterTopic(_context)) : null;

    /// <summary>Creates the sink of the table's dead letters (<see cref="IDeadLetterQueueFactory.CreateDeadLetterSink"/>); only when <see cref="DeadLetterTopic"/> is not null.</summary>
    /// <exception cref="SqlException">The connector rejects the table's dead-letter queue.</exception>
    public Sinks.ISink<DeadLetter> CreateDeadLetterSink(JobOptions job) =>
        TableConnectors.Guard(Table, null, () => ((IDeadLetterQueueFactory)_factory).CreateDeadLetterSink(_context, job));

    /// <summary>
    /// The rows <see cref="Open"/> produces: every column in declaration order, computed column i typed as
    /// <paramref name="computedColumns"/>[i].
    /// </summary>
    /// <exception cref="SqlException">The number of computed expressions is not the table's number of computed columns.</exception>
    public Schema TableSchema(IReadOnlyList<BoundExpression> computedColumns)
    {
        ArgumentNullException.ThrowIfNull(computedColumns);
        var fields = new Field[Table.Columns.Count];
        int persisted = 0, computed = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            var column = Table.Columns[i];
            if (column is ComputedColumn)
            {
                if (computed == computedColumns.Count)
                {
                    throw CountMismatch(computedColumns.Count);
                }

                fields[i] = new Field(column.Name, computedColumns[computed++].Type);
            }
            else
            {
                fields[i] = PersistedSchema[persisted++];
            }
        }

        return computed == computedColumns.Count ? new Schema(fields) : throw CountMismatch(computedColumns.Count);
    }

    /// <summary>
    /// Adds the table's scan to <paramref name="environment"/>: the connector's source, then — when the table has
    /// computed columns or a watermark, or <paramref name="calc"/> is given — one <see cref="TableScanOperator"/> that
    /// computes the computed columns, gives each row its rowtime as event time and forwards the watermarks. Rows have
    /// <see cref="TableSchema"/> (<see cref="TableScanCalc.Output"/> with a Calc); their <see cref="Row.Kind"/> is the
    /// source's.
    /// </summary>
    /// <param name="environment">The job being built.</param>
    /// <param name="computedColumns">The table's computed columns in declaration order, bound over <see cref="PersistedSchema"/>.</param>
    /// <param name="watermark">The WATERMARK expression bound over <see cref="TableSchema"/> (TIMESTAMP(3) or TIMESTAMP_LTZ(3)), or null.</param>
    /// <param name="rowtimeIndex">The index in <see cref="TableSchema"/> of the WATERMARK's column, whose value becomes each row's event time; null without a watermark.</param>
    /// <param name="settings">The session's settings for scans.</param>
    /// <remarks>
    /// Watermarks follow Flink SQL: the watermark is the largest value of the WATERMARK expression seen so far, per
    /// source split (the source's watermark is the minimum over its non-idle splits), emitted periodically by the
    /// source; a row whose expression is NULL does not move it. A split idle for
    /// <see cref="TableScanSettings.IdleTimeout"/> stops holding the watermark back. A NULL rowtime gives the row no
    /// event time. An expression that fails fails the job, naming the row; with a fused Calc the row becomes a dead
    /// letter naming the Calc instead, as <see cref="Runtime.CalcOperator"/> does. For the usual WATERMARK,
    /// <c>FOR c AS c - INTERVAL …</c> (at least 1 ms), the source's timestamp is the rowtime itself, computed for every
    /// row, and the watermark trails the largest by the interval; for any other expression the source's timestamp
    /// follows the expression and the scan computes the rowtime of the rows it keeps.
    /// </remarks>
    /// <param name="calc">
    /// Null for the plain scan; else a Calc's filter and projection (over <see cref="TableSchema"/>) fused into the
    /// scan's operator: rows then have <see cref="TableScanCalc.Output"/>, are computed straight from the connector's
    /// row, and only rows the condition keeps get an output row.
    /// </param>
    /// <exception cref="SqlException">The pieces do not fit the table (counts, types or indexes), or the connector rejects the table.</exception>
    /// <param name="producers">Receives the operators added that route dead letters (the source, and the scan operator when there is one); null = not needed.</param>
    public DataStream<Row> Open(StreamEnvironment environment, IReadOnlyList<BoundExpression> computedColumns, BoundExpression? watermark, int? rowtimeIndex, TableScanSettings settings, TableScanCalc? calc = null,
        ICollection<DataStream<Row>>? producers = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(settings);
        var tableSchema = TableSchema(computedColumns);
        CheckRowtime(tableSchema, watermark, rowtimeIndex);

        // Column i of the table as an expression over the persisted row: what the scan writes into the output row
        // and what the watermark expression (and a fused Calc) reads instead of the table's columns.
        var columns = new BoundExpression[tableSchema.Count];
        var hasComputed = false;
        int persisted = 0, computed = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            if (Table.Columns[i] is ComputedColumn)
            {
                columns[i] = computedColumns[computed++];
                hasComputed = true;
            }
            else
            {
                columns[i] = BoundExpressions.Field(PersistedSchema, persisted++);
            }
        }

        var strategy = WatermarkStrategy<Row>.NoWatermarks();
        var evaluation = settings.Evaluation;
        var lag = RowtimeLag(watermark, rowtimeIndex);
        if (lag is { } delay)
        {
            // WATERMARK FOR c AS c - INTERVAL, the usual form: the source stamps each row with its rowtime and trails
            // the largest by delay - 1 ms (W = max(c) - delay, the largest expression value, as below), so the scan
            // reads each row's rowtime from its timestamp instead of computing it a second time.
            var rowtimeOfRow = WatermarkExpressions.CompileMillis(columns[rowtimeIndex!.Value], PersistedSchema);
            strategy = WatermarkStrategy<Row>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(delay - 1))
                .WithTimestampAssigner(row => rowtimeOfRow(row, evaluation));
        }
        else if (watermark is not null)
        {
            var watermarkOfRow = WatermarkExpressions.CompileMillis(WatermarkExpressions.Inline(watermark, columns), PersistedSchema);

            // The source's generator emits max(timestamp) - 1 with a zero bound: a timestamp of expression + 1 makes
            // the watermark exactly the largest expression value, as Flink SQL's. The scan operator then stamps each
            // row with its rowtime.
            strategy = WatermarkStrategy<Row>.ForBoundedOutOfOrderness(TimeSpan.Zero)
                .WithTimestampAssigner(row =>
                {
                    var value = watermarkOfRow(row, evaluation);
                    return value is EventTime.MinWatermark or long.MaxValue ? value : value + 1;
                });
        }

        if (watermark is not null && settings.IdleTimeout > TimeSpan.Zero)
        {
            strategy = strategy.WithIdleness(settings.IdleTimeout);
        }

        var source = TableConnectors.Guard(Table, null, () => _factory.CreateSource(_context));
        var stream = environment.FromSource(source, strategy, $"TableSource({Table.Name})");
        producers?.Add(stream);
        // With the rowtime already the source's timestamp (lag), a table without computed columns or a Calc still gets
        // its scan operator, passing rows through: operators are identified by their position in the job, so the
        // operators after it keep the identities a checkpoint of an earlier version recorded.
        var rowtime = rowtimeIndex is { } index && lag is null ? WatermarkExpressions.CompileMillis(columns[index], PersistedSchema) : null;
        if (calc is null && !hasComputed && rowtimeIndex is null)
        {
            return stream;
        }

        var name = $"TableScan({Table.Name})";
        TableScanProgram program;
        if (calc is null)
        {
            var projector = hasComputed ? ExpressionCompiler.CompileProjection(columns, PersistedSchema, tableSchema) : null;
            program = new TableScanProgram(name, null, projector, projector is null ? PersistedSchema : tableSchema, rowtime, settings.Evaluation, null, [], null);
        }
        else
        {
            var condition = calc.Condition is null ? null : ExpressionCompiler.CompilePredicate(WatermarkExpressions.Inline(calc.Condition, columns), PersistedSchema);
            var projections = new BoundExpression[calc.Projections.Count];
            for (var i = 0; i < projections.Length; i++)
            {
                projections[i] = WatermarkExpressions.Inline(calc.Projections[i], columns);
            }

            var projector = IsPassThrough(projections, calc.Output) ? null : ExpressionCompiler.CompileProjection(projections, PersistedSchema, calc.Output);
            name = $"{name} + {calc.Name}";
            program = new TableScanProgram(name, condition, projector, calc.Output, rowtime, settings.Evaluation, calc.Name, [.. calc.NotNullFields], calc.NotNullOwner);
        }

        // The scan runs at its source's parallelism, chained to it, as Flink SQL's watermark assigner does: rows reach
        // it in the source's order, so a row that is late against the source's watermark is late downstream too. Were
        // it rebalanced from a narrower source, a late row could overtake the watermark on another channel, and
        // whether it is dropped would depend on timing.
        var scan = stream.Transform(name, () => new TableScanOperator(program));
        scan = SourceParallelism(stream.Transformation, environment.Options) is { } parallelism ? scan.SetParallelism(parallelism) : scan;
        producers?.Add(scan);
        return scan;
    }

    /// <summary>
    /// The delay in ms when <paramref name="watermark"/> is the rowtime column minus a constant of at least 1 ms
    /// (<c>WATERMARK FOR c AS c - INTERVAL '5' SECOND</c>): the largest value of the expression is then the largest
    /// rowtime minus the delay exactly (a TIMESTAMP's ms, rounded down, less a whole number of ms). Null for any other
    /// expression, which the source evaluates as written.
    /// </summary>
    private static long? RowtimeLag(BoundExpression? watermark, int? rowtimeIndex) =>
        watermark is ArithmeticExpression { Operator: ArithmeticOperator.Subtract, Left: InputReference column, Right: IntervalLiteral { Kind: IntervalKind.DayToSecond, Value: >= 1 } interval }
        && column.Index == rowtimeIndex && watermark.Type.Kind == column.Type.Kind
            ? interval.Value
            : null;

    /// <summary>The parallelism a source runs at when it differs from the job's default: set on it, or capped by its maximum; else null.</summary>
    private static int? SourceParallelism(Graph.Transformation source, JobOptions options) =>
        source.Parallelism > 0 ? source.Parallelism
        : source.MaxParallelism > 0 && source.MaxParallelism < options.Parallelism ? source.MaxParallelism
        : null;

    /// <summary>Whether <paramref name="projections"/> over the persisted row give it back unchanged (field i is persisted column i, same type).</summary>
    private bool IsPassThrough(IReadOnlyList<BoundExpression> projections, Schema output)
    {
        if (projections.Count != PersistedSchema.Count || output.Count != PersistedSchema.Count)
        {
            return false;
        }

        for (var i = 0; i < projections.Count; i++)
        {
            if (projections[i] is not InputReference reference || reference.Index != i || !PersistedSchema[i].Type.Equals(output[i].Type) || PersistedSchema[i].Name != output[i].Name)
            {
                return false;
            }
        }

        return true;
    }

    private void CheckRowtime(Schema tableSchema, BoundExpression? watermark, int? rowtimeIndex)
    {
        if (rowtimeIndex is { } index)
        {
            if (index < 0 || index >= tableSchema.Count)
            {
                throw new SqlException($"The rowtime column index {index} is outside table '{Table.Name}', which has {tableSchema.Count} columns.");
            }

            var type = tableSchema[index].Type;
            if (type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                throw new SqlException($"The rowtime column '{tableSchema[index].Name}' of table '{Table.Name}' is {type}; an event-time column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3).");
            }
        }

        if (watermark is not null)
        {
            if (rowtimeIndex is null)
            {
                throw new SqlException($"Table '{Table.Name}' has a WATERMARK but no rowtime column was given.");
            }

            if (watermark.Type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                throw new SqlException($"The WATERMARK expression of table '{Table.Name}' is {watermark.TypeName}; it must be TIMESTAMP(3) or TIMESTAMP_LTZ(3).", watermark.Position);
            }
        }
    }

    private SqlException CountMismatch(int given) =>
        new($"Table '{Table.Name}' has {Table.Columns.Count(static c => c is ComputedColumn)} computed columns but {given} expressions were given for them.");
}

/// <summary>
/// A Calc (and a sink's projection) fused into a table's scan operator
/// (<see cref="TableSource.Open"/>).
/// Expressions are bound over the table's columns (<see cref="TableSource.TableSchema"/>), computed columns included.
/// </summary>
/// <param name="Name">The Calc's description, named in the operator and in dead letters.</param>
/// <param name="Condition">The filter (BOOLEAN), or null to keep every row.</param>
/// <param name="Projections">Output field i's expression.</param>
/// <param name="Output">The emitted rows' schema.</param>
/// <param name="NotNullFields">Output fields that must not be NULL although their expressions may be (a sink's NOT NULL columns).</param>
/// <param name="NotNullOwner">What owns the <paramref name="NotNullFields"/> columns, for the dead letter (e.g. <c>table 'out'</c>).</param>
internal sealed record TableScanCalc(string Name, BoundExpression? Condition, IReadOnlyList<BoundExpression> Projections, Schema Output, IReadOnlyList<int> NotNullFields, string? NotNullOwner);

/// <summary>The session settings a table scan uses.</summary>
/// <param name="IdleTimeout">Flink's <c>table.exec.source.idle-timeout</c>: a source split without rows for this long is idle and does not hold the watermark back; zero never marks one idle.</param>
/// <param name="Evaluation">The session time zone and clock that computed columns and WATERMARK expressions use.</param>
internal sealed record TableScanSettings(TimeSpan IdleTimeout, SqlEvaluationContext Evaluation)
{
    /// <summary>No idleness; UTC and the system clock.</summary>
    public static TableScanSettings Default { get; } = new(TimeSpan.Zero, SqlEvaluationContext.Default);
}
