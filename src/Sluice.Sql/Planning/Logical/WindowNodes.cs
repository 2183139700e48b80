using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Planning;

/// <summary>A column a window adds to its rows.</summary>
internal enum WindowProperty : byte
{
    /// <summary><c>window_start</c>: TIMESTAMP(3), the window's first millisecond.</summary>
    Start,

    /// <summary><c>window_end</c>: TIMESTAMP(3), the millisecond after the window.</summary>
    End,

    /// <summary><c>window_time</c>: <c>window_end - 1 ms</c>, a time attribute of the window's kind.</summary>
    Time,
}

/// <summary>
/// A window table-valued function <c>TABLE(TUMBLE|HOP|CUMULATE|SESSION(TABLE t, DESCRIPTOR(ts), …))</c>: every input row
/// once per window it belongs to, with <c>window_start</c>, <c>window_end</c> and <c>window_time</c> appended. The
/// input must be insert-only and so is the output. The input's time attributes become plain timestamps; only
/// <c>window_time</c> is a time attribute. Usually fused with the aggregate above it into a
/// <see cref="WindowAggregateNode"/> by the optimizer.
/// </summary>
internal sealed class WindowTableFunctionNode : LogicalNode
{
    /// <summary>Creates the node.</summary>
    /// <param name="input">The rows to window.</param>
    /// <param name="window">The window; its time field indexes the input and is a time attribute there.</param>
    /// <param name="partitionKeys">SESSION's PARTITION BY fields (sessions are per key), by index into the input; empty otherwise.</param>
    /// <exception cref="SqlException">The input produces updates.</exception>
    public WindowTableFunctionNode(LogicalNode input, WindowSpec window, IReadOnlyList<int> partitionKeys)
        : base(MakeSchema(input.Schema, window), Attributes(input, window))
    {
        RequireInsertOnly(input, "WindowTableFunction");
        Input = input;
        Window = window;
        PartitionKeys = partitionKeys;
    }

    /// <summary>The input.</summary>
    public LogicalNode Input { get; }

    /// <summary>The window.</summary>
    public WindowSpec Window { get; }

    /// <summary>SESSION's partition keys, by index into the input.</summary>
    public IReadOnlyList<int> PartitionKeys { get; }

    /// <summary>The index of <c>window_start</c> (<c>window_end</c> and <c>window_time</c> follow it).</summary>
    public int WindowStartField => Input.Schema.Count;

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => null;

    /// <inheritdoc />
    public override string Name => "WindowTableFunction";

    /// <inheritdoc />
    public override string Describe() =>
        $"{Name}(window=[{WindowText.Of(Window, Input.Schema, PartitionKeys)}])";

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new WindowTableFunctionNode(inputs[0], Window, PartitionKeys);

    /// <summary>The window columns' fields: window_start and window_end TIMESTAMP(3), window_time of the time field's type.</summary>
    internal static Field WindowField(WindowProperty property, WindowSpec window, Schema input, string? name = null) => property switch
    {
        WindowProperty.Start => new Field(name ?? "window_start", DataType.Timestamp(3).NotNull()),
        WindowProperty.End => new Field(name ?? "window_end", DataType.Timestamp(3).NotNull()),
        _ => new Field(name ?? "window_time", (input[window.TimeField].Type.Kind == DataTypeKind.TimestampLtz ? DataType.TimestampLtz(3) : DataType.Timestamp(3)).NotNull()),
    };

    private static Schema MakeSchema(Schema input, WindowSpec window)
    {
        var fields = new List<Field>(input.Count + 3);
        fields.AddRange(input);
        fields.Add(WindowField(WindowProperty.Start, window, input));
        fields.Add(WindowField(WindowProperty.End, window, input));
        fields.Add(WindowField(WindowProperty.Time, window, input));
        return new Schema(fields);
    }

    private static TimeAttributeKind[] Attributes(LogicalNode input, WindowSpec window)
    {
        var attributes = new TimeAttributeKind[input.Schema.Count + 3];
        attributes[^1] = window.IsProcessingTime ? TimeAttributeKind.Proctime : TimeAttributeKind.Rowtime;
        return attributes;
    }
}

/// <summary>
/// A window aggregate: a window assignment fused with the GROUP BY over it (window TVF + <c>GROUP BY window_start,
/// window_end, …</c>, or a legacy <c>GROUP BY TUMBLE(ts, …)</c>). Emits each window's groups once, when the window
/// closes. Output: the group fields, then one field per call, then the <see cref="Properties"/> window columns in the
/// order given. Insert-only input (an updating input is an error) and insert-only output; <c>window_time</c> is a
/// time attribute of the window's kind; group fields with window_start and window_end are the unique key.
/// </summary>
internal sealed class WindowAggregateNode : LogicalNode
{
    /// <summary>Creates the node.</summary>
    /// <param name="input">The rows before windowing; the window's time field indexes it.</param>
    /// <param name="window">The window.</param>
    /// <param name="groupFields">The non-window grouping fields, by index into the input (also SESSION's partition keys).</param>
    /// <param name="calls">The aggregates over the input.</param>
    /// <param name="properties">The window columns to output, in order.</param>
    /// <param name="propertyNames">Their output names, one per property.</param>
    /// <exception cref="SqlException">The input produces updates.</exception>
    public WindowAggregateNode(LogicalNode input, WindowSpec window, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, IReadOnlyList<WindowProperty> properties, IReadOnlyList<string> propertyNames)
        : base(AggregateSchemas.Output(input.Schema, groupFields, calls, PropertyFields(input.Schema, window, properties, propertyNames)), Attributes(groupFields.Count + calls.Count, window, properties))
    {
        RequireInsertOnly(input, "WindowAggregate");
        Input = input;
        Window = window;
        GroupFields = groupFields;
        Calls = calls;
        Properties = properties;
    }

    /// <summary>The input.</summary>
    public LogicalNode Input { get; }

    /// <summary>The window.</summary>
    public WindowSpec Window { get; }

    /// <summary>The grouping fields besides the window, by index into the input.</summary>
    public IReadOnlyList<int> GroupFields { get; }

    /// <summary>The aggregates.</summary>
    public IReadOnlyList<AggregateCall> Calls { get; }

    /// <summary>The window columns output after the calls, in order.</summary>
    public IReadOnlyList<WindowProperty> Properties { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => null;

    /// <inheritdoc />
    public override IReadOnlyList<int>? UniqueKey
    {
        get
        {
            var start = PropertyIndex(WindowProperty.Start);
            var end = PropertyIndex(WindowProperty.End);
            if (start < 0 && end < 0)
            {
                return null;
            }

            var key = new List<int>(AggregateSchemas.Range(GroupFields.Count)) { start >= 0 ? start : end };
            return key;
        }
    }

    /// <inheritdoc />
    public override string Name => "WindowAggregate";

    /// <summary>The output index of window column <paramref name="property"/>, or -1 when it is not output.</summary>
    public int PropertyIndex(WindowProperty property)
    {
        for (var i = 0; i < Properties.Count; i++)
        {
            if (Properties[i] == property)
            {
                return GroupFields.Count + Calls.Count + i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder(Name).Append('(');
        if (GroupFields.Count > 0)
        {
            text.Append("groupBy=").Append(FieldList(Input.Schema, GroupFields)).Append(", ");
        }

        text.Append("window=[").Append(WindowText.Of(Window, Input.Schema, [])).Append("], select=[").Append(AggregateSchemas.SelectList(Input.Schema, GroupFields, Calls));
        for (var i = 0; i < Properties.Count; i++)
        {
            var name = Schema[GroupFields.Count + Calls.Count + i].Name;
            var property = Properties[i] switch { WindowProperty.Start => "start", WindowProperty.End => "end", _ => "rowtime" };
            text.Append(text[^1] == '[' ? "" : ", ").Append(property).Append("('w$) AS ").Append(Schema.QuoteName(name));
        }

        return text.Append("])").ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) =>
        new WindowAggregateNode(inputs[0], Window, GroupFields, Calls, Properties, PropertyNames());

    /// <summary>The output names of the window columns, in <see cref="Properties"/> order.</summary>
    public string[] PropertyNames()
    {
        var names = new string[Properties.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Schema[GroupFields.Count + Calls.Count + i].Name;
        }

        return names;
    }

    private static Field[] PropertyFields(Schema input, WindowSpec window, IReadOnlyList<WindowProperty> properties, IReadOnlyList<string> names)
    {
        var fields = new Field[properties.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = WindowTableFunctionNode.WindowField(properties[i], window, input, names[i]);
        }

        return fields;
    }

    private static TimeAttributeKind[] Attributes(int leading, WindowSpec window, IReadOnlyList<WindowProperty> properties)
    {
        var attributes = new TimeAttributeKind[leading + properties.Count];
        for (var i = 0; i < properties.Count; i++)
        {
            if (properties[i] == WindowProperty.Time)
            {
                attributes[leading + i] = window.IsProcessingTime ? TimeAttributeKind.Proctime : TimeAttributeKind.Rowtime;
            }
        }

        return attributes;
    }
}

/// <summary>EXPLAIN text of a window, fields by name.</summary>
internal static class WindowText
{
    /// <summary><c>TUMBLE(time_col=[ts], size=[10 s])</c> and the like.</summary>
    public static string Of(WindowSpec window, Schema input, IReadOnlyList<int> partitionKeys)
    {
        var time = Schema.QuoteName(input[window.TimeField].Name);
        var text = window.Kind switch
        {
            WindowKind.Tumble => $"TUMBLE(time_col=[{time}], size=[{Duration(window.SizeMillis)}]",
            WindowKind.Hop => $"HOP(time_col=[{time}], size=[{Duration(window.SizeMillis)}], slide=[{Duration(window.SlideMillis)}]",
            WindowKind.Cumulate => $"CUMULATE(time_col=[{time}], max_size=[{Duration(window.SizeMillis)}], step=[{Duration(window.SlideMillis)}]",
            _ => $"SESSION(time_col=[{time}], gap=[{Duration(window.SizeMillis)}]",
        };
        if (window.OffsetMillis != 0)
        {
            text += $", offset=[{Duration(window.OffsetMillis)}]";
        }

        if (partitionKeys.Count > 0)
        {
            var keys = new string[partitionKeys.Count];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = Schema.QuoteName(input[partitionKeys[i]].Name);
            }

            text += $", partition keys=[{string.Join(", ", keys)}]";
        }

        return text + ")";
    }

    /// <summary><c>10 s</c>, <c>1 min</c>, <c>1500 ms</c>: the largest unit that divides the duration.</summary>
    public static string Duration(long millis) =>
        millis % 3_600_000 == 0 && millis != 0 ? $"{millis / 3_600_000} h"
        : millis % 60_000 == 0 && millis != 0 ? $"{millis / 60_000} min"
        : millis % 1000 == 0 && millis != 0 ? $"{millis / 1000} s"
        : $"{millis} ms";
}
