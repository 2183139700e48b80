using Sluice.Schemas;

namespace Sluice.Sql.Planning;

/// <summary>
/// <c>UNION ALL</c>: the rows of every input, in no particular order. The inputs have the same field types (the binder
/// casts them to their common types); the output takes the first input's names. Updating when any input is; a field
/// is a time attribute when it is one of the same kind in every input.
/// </summary>
internal sealed class UnionNode : LogicalNode
{
    /// <summary>Creates the node over two or more inputs of equal field types.</summary>
    /// <exception cref="ArgumentException">Fewer than two inputs, or their field types differ.</exception>
    public UnionNode(IReadOnlyList<LogicalNode> inputs) : base(inputs[0].Schema, Attributes(inputs))
    {
        if (inputs.Count < 2)
        {
            throw new ArgumentException("A union has two or more inputs.", nameof(inputs));
        }

        foreach (var input in inputs)
        {
            if (input.Schema.Count != Schema.Count)
            {
                throw new ArgumentException("The inputs of a union must have the same number of fields.", nameof(inputs));
            }

            for (var i = 0; i < Schema.Count; i++)
            {
                if (!input.Schema[i].Type.Equals(Schema[i].Type))
                {
                    throw new ArgumentException($"Field {i} of a union input is {input.Schema[i].Type}, not {Schema[i].Type}.", nameof(inputs));
                }
            }
        }

        Inputs = inputs;
    }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs { get; }

    /// <inheritdoc />
    public override ChangelogMode Changelog => Widest(Inputs);

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => FirstProducer(Inputs);

    /// <inheritdoc />
    public override string Name => "Union";

    /// <inheritdoc />
    public override string Describe() => $"{Name}(all=[true], union={AllFields(Schema)})";

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new UnionNode(inputs);

    private static TimeAttributeKind[] Attributes(IReadOnlyList<LogicalNode> inputs)
    {
        var attributes = new TimeAttributeKind[inputs[0].Schema.Count];
        for (var i = 0; i < attributes.Length; i++)
        {
            attributes[i] = inputs[0].TimeAttributes[i];
            foreach (var input in inputs)
            {
                if (i >= input.TimeAttributes.Count || input.TimeAttributes[i] != attributes[i])
                {
                    attributes[i] = TimeAttributeKind.None;
                }
            }
        }

        return attributes;
    }
}
