using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Planning;

/// <summary>Whether a field of a plan node's output is a time attribute, and which kind.</summary>
internal enum TimeAttributeKind : byte
{
    /// <summary>A plain value (a timestamp that lost its attribute, or not a timestamp).</summary>
    None = 0,

    /// <summary>An event-time attribute: the table's WATERMARK column, or a window's <c>window_time</c> over one.</summary>
    Rowtime = 1,

    /// <summary>A processing-time attribute: a <c>PROCTIME()</c> column, or <c>window_time</c> over one.</summary>
    Proctime = 2,
}

/// <summary>
/// A node of the logical plan: a relational operator over the rows of its <see cref="Inputs"/>, producing rows of
/// <see cref="Schema"/>. Immutable and thread-safe; a node computes its output schema, changelog mode, time attributes
/// and unique key when it is built, and fails then (a <see cref="SqlException"/> naming the node) when its inputs'
/// changelogs cannot feed it — so every plan that exists is a valid one. Fields are named by index into the input
/// schema (for two-input nodes, into the concatenation of the inputs' schemas unless stated otherwise).
/// </summary>
internal abstract class LogicalNode
{
    private protected LogicalNode(Schema schema, IReadOnlyList<TimeAttributeKind> timeAttributes)
    {
        if (timeAttributes.Count != schema.Count)
        {
            throw new ArgumentException($"{timeAttributes.Count} time attribute flags for {schema.Count} fields.", nameof(timeAttributes));
        }

        Schema = schema;
        TimeAttributes = timeAttributes;
    }

    /// <summary>The nodes whose rows this node consumes, in order (empty for sources).</summary>
    public abstract IReadOnlyList<LogicalNode> Inputs { get; }

    /// <summary>The output rows' fields; names are unique.</summary>
    public Schema Schema { get; }

    /// <summary>For each output field, whether it is a time attribute.</summary>
    public IReadOnlyList<TimeAttributeKind> TimeAttributes { get; }

    /// <summary>
    /// The row kinds this node emits: <see cref="ChangelogMode.InsertOnly"/>, or <see cref="ChangelogMode.All"/> for a
    /// retracting (updating) stream. Inferred from the inputs when the node is built.
    /// </summary>
    public abstract ChangelogMode Changelog { get; }

    /// <summary>
    /// The node whose output first made this node's stream updating (this node itself, or one below it), or null for
    /// an insert-only stream; named in the error of an updating query into an append-only sink.
    /// </summary>
    public abstract LogicalNode? UpdateProducer { get; }

    /// <summary>Output fields that together identify a row (at most one current row per value), or null when unknown.</summary>
    public virtual IReadOnlyList<int>? UniqueKey => null;

    /// <summary>The operator's name as EXPLAIN prints it (<c>Calc</c>, <c>GroupAggregate</c>, …).</summary>
    public abstract string Name { get; }

    /// <summary>One line for EXPLAIN: <c>Name(attribute=[…], …)</c>, fields named by their names.</summary>
    public abstract string Describe();

    /// <summary>The same node over new inputs whose schemas equal the current inputs' schemas (used by rewrite rules).</summary>
    public abstract LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs);

    /// <summary>Whether field <paramref name="index"/> is a time attribute of either kind.</summary>
    public bool IsTimeAttribute(int index) => TimeAttributes[index] != TimeAttributeKind.None;

    /// <summary>
    /// The plan below and including this node, one node per line as Flink prints plans: each input on its own line
    /// under its parent, prefixed <c>+- </c> (the last input) or <c>:- </c> (the others).
    /// </summary>
    public string Explain()
    {
        var text = new StringBuilder();
        Explain(text, "", true, true);
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>Appends this node's line and its inputs' lines under <paramref name="prefix"/>.</summary>
    internal void Explain(StringBuilder text, string prefix, bool isLast, bool isRoot)
    {
        text.Append(prefix).Append(isRoot ? "" : isLast ? "+- " : ":- ").Append(Describe()).Append('\n');
        var childPrefix = isRoot ? "" : prefix + (isLast ? "   " : ":  ");
        for (var i = 0; i < Inputs.Count; i++)
        {
            Inputs[i].Explain(text, childPrefix, i == Inputs.Count - 1, false);
        }
    }

    /// <summary>The changelog of a node that passes its single input's rows through (filters, projections, unions).</summary>
    private protected static ChangelogMode Widest(IReadOnlyList<LogicalNode> inputs)
    {
        var mode = ChangelogMode.InsertOnly;
        foreach (var input in inputs)
        {
            if (input.Changelog > mode)
            {
                mode = input.Changelog;
            }
        }

        return mode;
    }

    /// <summary>The first input's update producer, for nodes that pass updates through.</summary>
    private protected static LogicalNode? FirstProducer(IReadOnlyList<LogicalNode> inputs)
    {
        foreach (var input in inputs)
        {
            if (input.UpdateProducer is { } producer)
            {
                return producer;
            }
        }

        return null;
    }

    /// <summary>Fails when <paramref name="input"/> is updating: <paramref name="consumer"/> takes insert-only rows.</summary>
    /// <exception cref="SqlException">The input produces updates; the message names both operators.</exception>
    private protected static void RequireInsertOnly(LogicalNode input, string consumer)
    {
        if (input.Changelog != ChangelogMode.InsertOnly)
        {
            throw new SqlException($"{consumer} does not support consuming update and delete changes, which {input.UpdateProducer?.Describe() ?? input.Describe()} produces.");
        }
    }

    /// <summary><c>[a, b, c]</c>: the names of <paramref name="fields"/> of <paramref name="schema"/>.</summary>
    private protected static string FieldList(Schema schema, IReadOnlyList<int> fields)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < fields.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Schema.QuoteName(schema[fields[i]].Name));
        }

        return text.Append(']').ToString();
    }

    /// <summary><c>[a, b, c]</c>: every field name of <paramref name="schema"/>.</summary>
    private protected static string AllFields(Schema schema)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < schema.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Schema.QuoteName(schema[i].Name));
        }

        return text.Append(']').ToString();
    }

    /// <summary>No time attribute on any of <paramref name="count"/> fields.</summary>
    private protected static TimeAttributeKind[] NoTimeAttributes(int count) => new TimeAttributeKind[count];
}
