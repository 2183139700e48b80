using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Planning;

/// <summary>The ranking function of a <see cref="RankNode"/>.</summary>
internal enum RankFunction : byte
{
    /// <summary><c>ROW_NUMBER()</c>: 1, 2, 3, … without ties.</summary>
    RowNumber,

    /// <summary><c>RANK()</c>: ties share a rank, with gaps after them.</summary>
    Rank,

    /// <summary><c>DENSE_RANK()</c>: ties share a rank, without gaps.</summary>
    DenseRank,
}

/// <summary>A sort key: a field, its direction, and where nulls go.</summary>
/// <param name="Field">The field, by index into the input.</param>
/// <param name="Descending">True for DESC.</param>
/// <param name="NullsFirst">True when nulls sort before other values (Flink's default: first for ASC, last for DESC).</param>
internal sealed record SortKey(int Field, bool Descending, bool NullsFirst);

/// <summary>
/// Top-N: per partition, the rows whose rank by <see cref="OrderKeys"/> is in [<see cref="RankStart"/>,
/// <see cref="RankEnd"/>] (<c>ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) AS rn … WHERE rn &lt;= N</c>). Output:
/// the input fields, then the rank number (BIGINT NOT NULL) when <see cref="OutputRankNumber"/>. Deduplication is the
/// case ROW_NUMBER, rank 1..1, ordered by a time attribute (<see cref="IsDeduplicate"/>): keeping the first row on
/// processing time is insert-only; every other rank is updating (a better row retracts the one it displaces). A rank
/// partitioned by the <c>window_start</c> and <c>window_end</c> of an event-time window over insert-only input, with an
/// upper bound, is Flink's window Top-N (or window deduplication, <see cref="WindowFields"/>): it ranks each window once,
/// when the window closes, and is insert-only.
/// </summary>
internal sealed class RankNode : LogicalNode
{
    /// <summary>Rank end of a rank whose filter was not found yet (<c>ROW_NUMBER()</c> without <c>WHERE rn &lt;= N</c>).</summary>
    public const long Unbounded = long.MaxValue;

    /// <summary>Creates the node.</summary>
    /// <param name="input">The input.</param>
    /// <param name="function">The ranking function.</param>
    /// <param name="partitionFields">The PARTITION BY fields, by index into the input.</param>
    /// <param name="orderKeys">The ORDER BY keys, at least one.</param>
    /// <param name="rankStart">The first rank kept (1-based).</param>
    /// <param name="rankEnd">The last rank kept, or <see cref="Unbounded"/>.</param>
    /// <param name="outputRankNumber">Whether the rank number is the last output field.</param>
    /// <param name="rankFieldName">The rank number field's name.</param>
    public RankNode(LogicalNode input, RankFunction function, IReadOnlyList<int> partitionFields, IReadOnlyList<SortKey> orderKeys, long rankStart, long rankEnd, bool outputRankNumber, string rankFieldName)
        : base(MakeSchema(input.Schema, outputRankNumber, rankFieldName), Attributes(input, outputRankNumber))
    {
        Input = input;
        Function = function;
        PartitionFields = partitionFields;
        OrderKeys = orderKeys;
        RankStart = rankStart;
        RankEnd = rankEnd;
        OutputRankNumber = outputRankNumber;
        RankFieldName = rankFieldName;
    }

    /// <summary>The input.</summary>
    public LogicalNode Input { get; }

    /// <summary>The ranking function.</summary>
    public RankFunction Function { get; }

    /// <summary>The PARTITION BY fields, by index into the input.</summary>
    public IReadOnlyList<int> PartitionFields { get; }

    /// <summary>The ORDER BY keys.</summary>
    public IReadOnlyList<SortKey> OrderKeys { get; }

    /// <summary>The first rank kept.</summary>
    public long RankStart { get; }

    /// <summary>The last rank kept, or <see cref="Unbounded"/> before the optimizer found the filter on the rank.</summary>
    public long RankEnd { get; }

    /// <summary>Whether the rank number is output (as the last field).</summary>
    public bool OutputRankNumber { get; }

    /// <summary>The rank number field's name (kept when it is not output, for EXPLAIN and re-adding it).</summary>
    public string RankFieldName { get; }

    /// <summary>Whether this is a deduplication: ROW_NUMBER, ranks 1..1, ordered by one time attribute.</summary>
    public bool IsDeduplicate =>
        Function == RankFunction.RowNumber && RankStart == 1 && RankEnd == 1 && OrderKeys.Count == 1 && Input.IsTimeAttribute(OrderKeys[0].Field);

    /// <summary>
    /// For a window Top-N or window deduplication, the input's <c>window_start</c> and <c>window_end</c> fields (both in
    /// <see cref="PartitionFields"/>, of one event-time window, over insert-only input, with an upper rank bound); null
    /// for a regular rank.
    /// </summary>
    public (int Start, int End)? WindowFields
    {
        get
        {
            if (RankEnd == Unbounded || Input.Changelog != ChangelogMode.InsertOnly || WindowColumns.Find(Input) is not { } window
                || !Contains(PartitionFields, window.Start) || !Contains(PartitionFields, window.End))
            {
                return null;
            }

            return (window.Start, window.End);
        }
    }

    /// <summary>For a deduplication, whether it keeps the last row (ORDER BY time DESC) rather than the first.</summary>
    public bool KeepsLastRow => OrderKeys.Count > 0 && OrderKeys[0].Descending;

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog =>
        WindowFields is not null || (IsDeduplicate && !KeepsLastRow && Input.TimeAttributes[OrderKeys[0].Field] == TimeAttributeKind.Proctime && Input.Changelog == ChangelogMode.InsertOnly)
            ? ChangelogMode.InsertOnly
            : ChangelogMode.All;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => Changelog == ChangelogMode.InsertOnly ? null : Input.UpdateProducer ?? this;

    /// <inheritdoc />
    public override IReadOnlyList<int>? UniqueKey =>
        RankEnd == 1 && Function == RankFunction.RowNumber ? PartitionFields
        : OutputRankNumber && Function == RankFunction.RowNumber ? [.. PartitionFields, Schema.Count - 1]
        : null;

    /// <inheritdoc />
    public override string Name => (WindowFields is not null ? "Window" : "") + (IsDeduplicate ? "Deduplicate" : "Rank");

    /// <summary>The same rank keeping ranks <paramref name="start"/>..<paramref name="end"/>.</summary>
    public RankNode WithRange(long start, long end) => new(Input, Function, PartitionFields, OrderKeys, start, end, OutputRankNumber, RankFieldName);

    /// <summary>The same rank with or without its rank number output.</summary>
    public RankNode WithRankNumber(bool output) => new(Input, Function, PartitionFields, OrderKeys, RankStart, RankEnd, output, RankFieldName);

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder(Name).Append('(');
        if (IsDeduplicate)
        {
            text.Append("keep=[").Append(KeepsLastRow ? "LastRow" : "FirstRow").Append("], key=").Append(FieldList(Input.Schema, PartitionFields))
                .Append(", order=[").Append(Input.TimeAttributes[OrderKeys[0].Field] == TimeAttributeKind.Proctime ? "PROCTIME" : "ROWTIME").Append(']');
        }
        else
        {
            var function = Function switch { RankFunction.RowNumber => "ROW_NUMBER", RankFunction.Rank => "RANK", _ => "DENSE_RANK" };
            text.Append("rankType=[").Append(function).Append("], rankRange=[rankStart=").Append(RankStart).Append(", rankEnd=")
                .Append(RankEnd == Unbounded ? "unbounded" : RankEnd.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Append("], partitionBy=").Append(FieldList(Input.Schema, PartitionFields)).Append(", orderBy=[");
            for (var i = 0; i < OrderKeys.Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(Schema.QuoteName(Input.Schema[OrderKeys[i].Field].Name)).Append(OrderKeys[i].Descending ? " DESC" : " ASC");
            }

            text.Append(']');
        }

        return text.Append(", select=").Append(AllFields(Schema)).Append(')').ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) =>
        new RankNode(inputs[0], Function, PartitionFields, OrderKeys, RankStart, RankEnd, OutputRankNumber, RankFieldName);

    private static bool Contains(IReadOnlyList<int> fields, int field)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i] == field)
            {
                return true;
            }
        }

        return false;
    }

    private static Schema MakeSchema(Schema input, bool outputRankNumber, string rankFieldName)
    {
        var fields = new List<Field>(input);
        if (outputRankNumber)
        {
            fields.Add(new Field(rankFieldName, DataType.BigInt.NotNull()));
        }

        return new Schema(fields);
    }

    private static TimeAttributeKind[] Attributes(LogicalNode input, bool outputRankNumber)
    {
        var attributes = new TimeAttributeKind[input.Schema.Count + (outputRankNumber ? 1 : 0)];
        for (var i = 0; i < input.Schema.Count; i++)
        {
            attributes[i] = input.TimeAttributes[i];
        }

        return attributes;
    }
}
