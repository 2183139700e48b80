using System.Text;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// A filter and a projection in one node: rows of the input for which <see cref="Condition"/> is true (all rows when it
/// is null) become one row of <see cref="Projections"/> each. Expressions are bound over the input's schema. Passes
/// the input's changelog through. A projection that is a bare reference to a time attribute (or a <c>PROCTIME()</c>
/// call) keeps the attribute; any other expression of a time attribute is a plain timestamp.
/// </summary>
internal sealed class CalcNode : LogicalNode
{
    /// <summary>Creates the node.</summary>
    /// <param name="input">The input.</param>
    /// <param name="projections">One expression per output field, over <paramref name="input"/>'s schema.</param>
    /// <param name="names">The output field names, unique, one per projection.</param>
    /// <param name="condition">A BOOLEAN condition over the input, or null for none.</param>
    public CalcNode(LogicalNode input, IReadOnlyList<BoundExpression> projections, IReadOnlyList<string> names, BoundExpression? condition = null)
        : base(MakeSchema(projections, names), Attributes(input, projections))
    {
        Input = input;
        Projections = projections;
        Condition = condition;
    }

    /// <summary>The input.</summary>
    public LogicalNode Input { get; }

    /// <summary>One expression per output field, over the input's schema.</summary>
    public IReadOnlyList<BoundExpression> Projections { get; }

    /// <summary>The filter, or null.</summary>
    public BoundExpression? Condition { get; }

    /// <summary>Whether the node outputs its input's fields unchanged, in order, with the same names, and filters nothing.</summary>
    public bool IsIdentity => Condition is null && IsIdentityProjection;

    /// <summary>Whether every input field is projected as is, in order and with its name.</summary>
    public bool IsIdentityProjection
    {
        get
        {
            if (Projections.Count != Input.Schema.Count)
            {
                return false;
            }

            for (var i = 0; i < Projections.Count; i++)
            {
                if (Projections[i] is not InputReference reference || reference.Index != i || Schema[i].Name != Input.Schema[i].Name)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog => Input.Changelog;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => Input.UpdateProducer;

    /// <inheritdoc />
    public override IReadOnlyList<int>? UniqueKey
    {
        get
        {
            if (Input.UniqueKey is not { } key)
            {
                return null;
            }

            var mapped = new int[key.Count];
            for (var k = 0; k < key.Count; k++)
            {
                mapped[k] = -1;
                for (var i = 0; i < Projections.Count && mapped[k] < 0; i++)
                {
                    if (Projections[i] is InputReference reference && reference.Index == key[k])
                    {
                        mapped[k] = i;
                    }
                }

                if (mapped[k] < 0)
                {
                    return null;
                }
            }

            return mapped;
        }
    }

    /// <inheritdoc />
    public override string Name => "Calc";

    /// <summary>Creates a Calc outputting every field of <paramref name="input"/> and keeping the rows where <paramref name="condition"/> holds.</summary>
    public static CalcNode Filter(LogicalNode input, BoundExpression condition)
    {
        var projections = new BoundExpression[input.Schema.Count];
        var names = new string[projections.Length];
        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = BoundExpressions.Field(input.Schema, i);
            names[i] = input.Schema[i].Name;
        }

        return new CalcNode(input, projections, names, condition);
    }

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder($"{Name}(select=[");
        for (var i = 0; i < Projections.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Projections[i]);
            if (Projections[i] is not InputReference reference || reference.Name != Schema[i].Name)
            {
                text.Append(" AS ").Append(Schema.QuoteName(Schema[i].Name));
            }
        }

        text.Append(']');
        if (Condition is not null)
        {
            text.Append(", where=[").Append(Condition).Append(']');
        }

        return text.Append(')').ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new CalcNode(inputs[0], Projections, FieldNames(Schema), Condition);

    /// <summary>The field names of <paramref name="schema"/>, in order.</summary>
    internal static string[] FieldNames(Schema schema)
    {
        var names = new string[schema.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = schema[i].Name;
        }

        return names;
    }

    private static Schema MakeSchema(IReadOnlyList<BoundExpression> projections, IReadOnlyList<string> names)
    {
        if (projections.Count != names.Count)
        {
            throw new ArgumentException($"{names.Count} names for {projections.Count} projections.", nameof(names));
        }

        var fields = new Field[projections.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new Field(names[i], projections[i].Type);
        }

        return new Schema(fields);
    }

    private static TimeAttributeKind[] Attributes(LogicalNode input, IReadOnlyList<BoundExpression> projections)
    {
        var attributes = new TimeAttributeKind[projections.Count];
        for (var i = 0; i < attributes.Length; i++)
        {
            attributes[i] = projections[i] switch
            {
                InputReference reference => input.TimeAttributes[reference.Index],
                CallExpression call when call.Function.Name.Equals("PROCTIME", StringComparison.OrdinalIgnoreCase) => TimeAttributeKind.Proctime,
                _ => TimeAttributeKind.None,
            };
        }

        return attributes;
    }
}
