using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Connectors;

/// <summary>
/// The operator after a table's source: computes the computed columns into a new row of the table's schema (when
/// there are any) and stamps each row with its rowtime (when the table has one). Watermarks pass through unchanged:
/// the source generated them from the WATERMARK expression. Keeps no state; runs on the task thread only. Per row it
/// allocates the output row (and what the computed expressions need), nothing else; the input row is not changed.
/// </summary>
internal sealed class TableScanOperator(RowProjector? projector, Schema output, int rowtimeIndex, DataTypeKind rowtimeKind, SqlEvaluationContext evaluation)
    : OneInputStreamOperator<Row, Row>
{
    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        var row = value;
        if (projector is not null)
        {
            row = new Row(output) { Kind = value.Kind };
            projector(value, row, evaluation);
        }

        Output.Collect(row, rowtimeIndex < 0 ? timestamp : WatermarkExpressions.RowtimeMillis(row, rowtimeIndex, rowtimeKind));
    }
}
