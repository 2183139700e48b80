using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Runtime;

/// <summary>
/// The physical form of a logical Calc: keeps the rows for which the compiled condition is true and projects each into
/// a new row of <see cref="OutputSchema"/>, with the input row's kind and timestamp. Stateless, so it chains and runs
/// at any parallelism.
/// </summary>
/// <remarks>
/// A row whose condition or projection cannot be evaluated (a division by zero, a failed CAST, …) is not emitted: it
/// becomes a <see cref="DeadLetter"/> on <see cref="DeadLetters.Tag"/> naming the operator, the row and the reason, and
/// the job goes on; so does a row with NULL in a <see cref="NotNullFields"/> column. Per record the operator allocates only the output row. Runs on the task thread only.
/// </remarks>
internal sealed class CalcOperator : OneInputStreamOperator<Row, Row>
{
    private readonly string _name;
    private readonly RowPredicate? _condition;
    private readonly RowProjector? _projection;
    private readonly SqlEvaluationContext _evaluation;

    /// <summary>A Calc named <paramref name="name"/> (in plans and dead letters).</summary>
    /// <param name="name">The operator's description, e.g. <c>Calc(select=[a, b + 1], where=[a &gt; 0])</c>.</param>
    /// <param name="condition">The filter, or null to keep every row.</param>
    /// <param name="projection">The projection into rows of <paramref name="outputSchema"/>, or null to pass rows on unchanged (a pure filter; <paramref name="outputSchema"/> is then the input's).</param>
    /// <param name="outputSchema">The schema of the emitted rows.</param>
    /// <param name="evaluation">The session time zone and clock the expressions read.</param>
    public CalcOperator(string name, RowPredicate? condition, RowProjector? projection, Schema outputSchema, SqlEvaluationContext evaluation)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(outputSchema);
        ArgumentNullException.ThrowIfNull(evaluation);
        if (condition is null && projection is null)
        {
            throw new ArgumentException($"Calc '{name}' has neither a condition nor a projection: it should not be planned.", nameof(projection));
        }
        _name = name;
        _condition = condition;
        _projection = projection;
        OutputSchema = outputSchema;
        _evaluation = evaluation;
    }

    /// <summary>The schema of the rows this operator emits.</summary>
    public Schema OutputSchema { get; }

    /// <summary>
    /// Output fields that must not be NULL although their expressions may be (a sink's NOT NULL columns, Flink's
    /// <c>table.exec.sink.not-null-enforcer</c>): a projected row with NULL in one of them becomes a dead letter naming
    /// the column of <see cref="NotNullOwner"/>.
    /// </summary>
    public IReadOnlyList<int> NotNullFields { get; init; } = [];

    /// <summary>What owns the <see cref="NotNullFields"/> columns, for the dead letter (e.g. <c>table 'out'</c>).</summary>
    public string? NotNullOwner { get; init; }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        Row output;
        try
        {
            if (_condition is not null && !_condition(value, _evaluation))
            {
                return;
            }
            if (_projection is null)
            {
                Output.Collect(value, timestamp);
                return;
            }
            output = new Row(OutputSchema) { Kind = value.Kind };
            _projection(value, output, _evaluation);
            for (var i = 0; i < NotNullFields.Count; i++)
            {
                if (output.IsNull(NotNullFields[i]))
                {
                    DeadLetter(value, timestamp, $"Column '{OutputSchema[NotNullFields[i]].Name}' of {NotNullOwner ?? "the output"} is NOT NULL, but the row's value for it is NULL.",
                        DeadLetterKind.Schema, OutputSchema[NotNullFields[i]].Name);
                    return;
                }
            }
        }
        catch (SqlEvaluationException e)
        {
            DeadLetter(value, timestamp, e.Message, DeadLetterKind.Processing, null);
            return;
        }
        Output.Collect(output, timestamp);
    }

    private void DeadLetter(Row value, long timestamp, string reason, DeadLetterKind kind, string? field) =>
        Output.CollectSide(DeadLetters.Tag, new DeadLetter(_name, $"row at event time {timestamp}", reason, DeadLetters.Truncate(value.ToString()), field)
        {
            Kind = kind,
            Operator = _name,
            EventTime = timestamp,
        }, timestamp);
}
