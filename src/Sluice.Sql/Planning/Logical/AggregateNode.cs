using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Planning;

/// <summary>
/// A regular (unwindowed) GROUP BY: one output row per distinct value of <see cref="GroupFields"/>, holding the group
/// fields then one field per <see cref="Calls"/> entry. Its result changes as rows arrive, so it always produces an
/// updating changelog (<see cref="ChangelogMode.All"/>), whatever its input; it consumes updating inputs by retracting.
/// The group fields are the unique key; no output field is a time attribute.
/// </summary>
internal sealed class AggregateNode : LogicalNode
{
    /// <summary>Creates the node.</summary>
    /// <param name="input">The input (usually a Calc computing the group keys and the aggregates' arguments).</param>
    /// <param name="groupFields">The grouping fields, by index into the input; empty for a global aggregate.</param>
    /// <param name="calls">The aggregates; their argument and filter fields index the input.</param>
    public AggregateNode(LogicalNode input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls)
        : base(AggregateSchemas.Output(input.Schema, groupFields, calls, []), NoTimeAttributes(groupFields.Count + calls.Count))
    {
        Input = input;
        GroupFields = groupFields;
        Calls = calls;
    }

    /// <summary>The input.</summary>
    public LogicalNode Input { get; }

    /// <summary>The grouping fields, by index into the input; output fields 0..n-1.</summary>
    public IReadOnlyList<int> GroupFields { get; }

    /// <summary>The aggregates; output fields n.. in order.</summary>
    public IReadOnlyList<AggregateCall> Calls { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog => ChangelogMode.All;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => this;

    /// <inheritdoc />
    public override IReadOnlyList<int>? UniqueKey => GroupFields.Count == 0 ? [] : AggregateSchemas.Range(GroupFields.Count);

    /// <inheritdoc />
    public override string Name => "GroupAggregate";

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder(Name).Append('(');
        if (GroupFields.Count > 0)
        {
            text.Append("groupBy=").Append(FieldList(Input.Schema, GroupFields)).Append(", ");
        }

        return text.Append("select=[").Append(AggregateSchemas.SelectList(Input.Schema, GroupFields, Calls)).Append("])").ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new AggregateNode(inputs[0], GroupFields, Calls);
}

/// <summary>Schemas and EXPLAIN text shared by the aggregating nodes.</summary>
internal static class AggregateSchemas
{
    /// <summary>Group fields (input names and types), then calls (their names and result types), then the window columns.</summary>
    public static Schema Output(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, IReadOnlyList<Field> windowFields)
    {
        var fields = new List<Field>(groupFields.Count + calls.Count + windowFields.Count);
        foreach (var group in groupFields)
        {
            fields.Add(input[group]);
        }

        foreach (var call in calls)
        {
            fields.Add(new Field(call.Name, call.ResultType));
        }

        fields.AddRange(windowFields);
        return new Schema(fields);
    }

    /// <summary>0, 1, …, <paramref name="count"/> - 1.</summary>
    public static int[] Range(int count)
    {
        var range = new int[count];
        for (var i = 0; i < count; i++)
        {
            range[i] = i;
        }

        return range;
    }

    /// <summary><c>a, b, COUNT(*) AS n, SUM(DISTINCT x) FILTER f AS s</c>: group field names, then the calls.</summary>
    public static string SelectList(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls)
    {
        var text = new StringBuilder();
        foreach (var group in groupFields)
        {
            text.Append(text.Length == 0 ? "" : ", ").Append(Schema.QuoteName(input[group].Name));
        }

        foreach (var call in calls)
        {
            text.Append(text.Length == 0 ? "" : ", ").Append(Call(input, call));
        }

        return text.ToString();
    }

    /// <summary><c>COUNT(DISTINCT x) FILTER (WHERE f) AS name</c>, fields by name.</summary>
    public static string Call(Schema input, AggregateCall call)
    {
        var text = new StringBuilder(FunctionName(call.Kind)).Append('(');
        if (call.Distinct)
        {
            text.Append("DISTINCT ");
        }

        if (call.Kind == AggregateKind.CountStar)
        {
            text.Append('*');
        }

        for (var i = 0; i < call.Arguments.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Schema.QuoteName(input[call.Arguments[i]].Name));
        }

        text.Append(')');
        if (call.FilterArgument >= 0)
        {
            text.Append(" FILTER (WHERE ").Append(Schema.QuoteName(input[call.FilterArgument].Name)).Append(')');
        }

        return text.Append(" AS ").Append(Schema.QuoteName(call.Name)).ToString();
    }

    /// <summary>The SQL name of an aggregate kind.</summary>
    public static string FunctionName(AggregateKind kind) => kind switch
    {
        AggregateKind.CountStar or AggregateKind.Count => "COUNT",
        AggregateKind.Sum => "SUM",
        AggregateKind.Sum0 => "$SUM0",
        AggregateKind.Avg => "AVG",
        AggregateKind.Min => "MIN",
        AggregateKind.Max => "MAX",
        AggregateKind.FirstValue => "FIRST_VALUE",
        AggregateKind.LastValue => "LAST_VALUE",
        AggregateKind.ListAgg => "LISTAGG",
        AggregateKind.StddevPop => "STDDEV_POP",
        AggregateKind.StddevSamp => "STDDEV_SAMP",
        AggregateKind.VarPop => "VAR_POP",
        AggregateKind.VarSamp => "VAR_SAMP",
        AggregateKind.BoolAnd => "BOOL_AND",
        _ => "BOOL_OR",
    };
}
