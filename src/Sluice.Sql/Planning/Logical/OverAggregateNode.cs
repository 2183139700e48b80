using System.Globalization;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Planning;

/// <summary>
/// The frame of an OVER aggregate: the rows from <see cref="Preceding"/> before the current row up to the current row
/// (Flink supports only frames ending at CURRENT ROW in streaming).
/// </summary>
/// <param name="IsRows">True for ROWS (a count of rows), false for RANGE (an interval of the order field).</param>
/// <param name="Preceding">Rows (ROWS) or milliseconds (RANGE) before the current row, or -1 for UNBOUNDED PRECEDING.</param>
internal sealed record OverFrame(bool IsRows, long Preceding)
{
    /// <summary>Whether the frame starts at UNBOUNDED PRECEDING.</summary>
    public bool IsUnbounded => Preceding < 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsRows ? "ROWS" : "RANGE")} BETWEEN {(IsUnbounded ? "UNBOUNDED" : IsRows ? Preceding.ToString(CultureInfo.InvariantCulture) : WindowText.Duration(Preceding))} PRECEDING AND CURRENT ROW";
}

/// <summary>
/// An OVER aggregate: every input row, with one aggregate per <see cref="Calls"/> entry over the rows of its partition
/// in the frame ending at it, ordered by a time attribute ascending. Output: the input fields, then the calls. Input
/// and output are insert-only (an updating input is an error, as in Flink); time attributes pass through.
/// </summary>
internal sealed class OverAggregateNode : LogicalNode
{
    /// <summary>Creates the node.</summary>
    /// <param name="input">The input.</param>
    /// <param name="partitionFields">The PARTITION BY fields, by index into the input.</param>
    /// <param name="orderField">The ORDER BY field: a time attribute of the input, ascending.</param>
    /// <param name="frame">The frame.</param>
    /// <param name="calls">The aggregates over the input.</param>
    /// <exception cref="SqlException">The input produces updates.</exception>
    public OverAggregateNode(LogicalNode input, IReadOnlyList<int> partitionFields, int orderField, OverFrame frame, IReadOnlyList<AggregateCall> calls)
        : base(MakeSchema(input.Schema, calls), Attributes(input, calls.Count))
    {
        RequireInsertOnly(input, "OverAggregate");
        Input = input;
        PartitionFields = partitionFields;
        OrderField = orderField;
        Frame = frame;
        Calls = calls;
    }

    /// <summary>The input.</summary>
    public LogicalNode Input { get; }

    /// <summary>The PARTITION BY fields.</summary>
    public IReadOnlyList<int> PartitionFields { get; }

    /// <summary>The ORDER BY time attribute.</summary>
    public int OrderField { get; }

    /// <summary>The frame.</summary>
    public OverFrame Frame { get; }

    /// <summary>The aggregates, output after the input fields.</summary>
    public IReadOnlyList<AggregateCall> Calls { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => null;

    /// <inheritdoc />
    public override string Name => "OverAggregate";

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder(Name).Append('(');
        if (PartitionFields.Count > 0)
        {
            text.Append("partitionBy=").Append(FieldList(Input.Schema, PartitionFields)).Append(", ");
        }

        text.Append("orderBy=[").Append(Schema.QuoteName(Input.Schema[OrderField].Name)).Append(" ASC], window=[").Append(Frame).Append("], select=[")
            .Append(AggregateSchemas.SelectList(Input.Schema, AggregateSchemas.Range(Input.Schema.Count), Calls));
        return text.Append("])").ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new OverAggregateNode(inputs[0], PartitionFields, OrderField, Frame, Calls);

    private static Schema MakeSchema(Schema input, IReadOnlyList<AggregateCall> calls) => AggregateSchemas.Output(input, AggregateSchemas.Range(input.Count), calls, []);

    private static TimeAttributeKind[] Attributes(LogicalNode input, int calls)
    {
        var attributes = new TimeAttributeKind[input.Schema.Count + calls];
        for (var i = 0; i < input.Schema.Count; i++)
        {
            attributes[i] = input.TimeAttributes[i];
        }

        return attributes;
    }
}
