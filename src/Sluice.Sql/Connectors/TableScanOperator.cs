using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Connectors;

/// <summary>
/// The operator after a table's source, with the stateless work the planner fused into it: keeps the rows the
/// condition accepts (when a Calc was fused), stamps each kept row with its rowtime (when the table has one and the
/// source's timestamp is not already it: <see cref="TableScanProgram.Rowtime"/>) and projects it into a new row of
/// <see cref="TableScanProgram.Output"/> — the table's columns, only those the query reads, or a fused Calc's and
/// sink's output — computed straight from the connector's row, so computed columns, pruning and the Calc cost one row
/// per kept record instead of one per step. Without a projection the connector's row is passed on unchanged.
/// Watermarks pass through: the source generated them from the WATERMARK expression.
/// </summary>
/// <remarks>
/// Keeps no state; runs on the task thread only. Per record it allocates the output row of a kept record (and what
/// the expressions need), nothing else; the input row is never changed. An expression that cannot be evaluated fails
/// the job naming the row, as a computed column does — unless a Calc was fused (<see cref="TableScanProgram.CalcName"/>),
/// whose failures, like <see cref="CalcOperator"/>'s, turn the row into a <see cref="DeadLetter"/> naming the Calc;
/// so does a NULL in a <see cref="TableScanProgram.NotNullFields"/> column.
/// </remarks>
internal sealed class TableScanOperator(TableScanProgram program) : OneInputStreamOperator<Row, Row>
{
    private readonly RowPredicate? _condition = program.Condition;
    private readonly RowProjector? _projection = program.Projection;
    private readonly Func<Row, SqlEvaluationContext, long>? _rowtime = program.Rowtime;
    private readonly Schema _output = program.Output;
    private readonly int[] _notNull = program.NotNullFields;
    private readonly SqlEvaluationContext _evaluation = program.Evaluation;

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        Row row;
        try
        {
            if (_condition is not null && !_condition(value, _evaluation))
            {
                return;
            }

            if (_rowtime is not null)
            {
                // NULL gives EventTime.MinWatermark, which is EventTime.NoTimestamp: the row has no event time.
                timestamp = _rowtime(value, _evaluation);
            }

            if (_projection is null)
            {
                row = value;
            }
            else
            {
                row = new Row(_output) { Kind = value.Kind };
                _projection(value, row, _evaluation);
                for (var i = 0; i < _notNull.Length; i++)
                {
                    if (row.IsNull(_notNull[i]))
                    {
                        DeadLetter(value, timestamp, $"Column '{_output[_notNull[i]].Name}' of {program.NotNullOwner ?? "the output"} is NOT NULL, but the row's value for it is NULL.",
                            DeadLetterKind.Schema, _output[_notNull[i]].Name);
                        return;
                    }
                }
            }
        }
        catch (SqlEvaluationException e) when (program.CalcName is not null)
        {
            DeadLetter(value, timestamp, e.Message, DeadLetterKind.Processing, null);
            return;
        }

        Output.Collect(row, timestamp);
    }

    /// <inheritdoc />
    public override void ProcessBatch(ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ProcessElement(values[i], timestamps[i]);
        }
    }

    private void DeadLetter(Row value, long timestamp, string reason, DeadLetterKind kind, string? field) =>
        Output.CollectSide(DeadLetters.Tag, new DeadLetter(program.CalcName ?? program.Name, $"row at event time {timestamp}", reason, DeadLetters.Truncate(value.ToString()), field)
        {
            Kind = kind,
            Operator = program.CalcName ?? program.Name,
            EventTime = timestamp,
        }, timestamp);
}

/// <summary>What a <see cref="TableScanOperator"/> runs, compiled over the connector's rows. Immutable; the delegates are thread-safe.</summary>
/// <param name="Name">The operator's name, e.g. <c>TableScan(bids)</c>.</param>
/// <param name="Condition">The fused Calc's filter, or null to keep every row.</param>
/// <param name="Projection">Computes the output row from the connector's row, or null to pass the connector's row on unchanged.</param>
/// <param name="Output">The schema of the emitted rows (the connector's when <paramref name="Projection"/> is null).</param>
/// <param name="Rowtime">The rowtime column's value in ms since the epoch (<see cref="EventTime.MinWatermark"/> when NULL), or null to keep the source's timestamp.</param>
/// <param name="Evaluation">The session time zone and clock the expressions read.</param>
/// <param name="CalcName">The fused Calc's description (named in dead letters), or null when only the scan runs here.</param>
/// <param name="NotNullFields">Output fields that must not be NULL although their expressions may be (a fused sink projection's NOT NULL columns).</param>
/// <param name="NotNullOwner">What owns the <paramref name="NotNullFields"/> columns, for the dead letter (e.g. <c>table 'out'</c>).</param>
internal sealed record TableScanProgram(
    string Name,
    RowPredicate? Condition,
    RowProjector? Projection,
    Schema Output,
    Func<Row, SqlEvaluationContext, long>? Rowtime,
    SqlEvaluationContext Evaluation,
    string? CalcName,
    int[] NotNullFields,
    string? NotNullOwner);
