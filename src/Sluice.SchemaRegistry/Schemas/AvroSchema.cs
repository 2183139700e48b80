namespace Sluice.SchemaRegistry.Schemas;

/// <summary>A parsed Avro schema: Apache.Avro's <see cref="Avro.Schema"/> and its canonical text.</summary>
public sealed class AvroSchema : ParsedSchema
{
    internal AvroSchema(string text, IReadOnlyList<SchemaReference> references, Avro.Schema schema, string canonicalText)
        : base(text, references)
    {
        Schema = schema;
        CanonicalText = canonicalText;
    }

    /// <inheritdoc/>
    public override SchemaType Type => SchemaType.Avro;

    /// <summary>The schema as Apache.Avro parsed it (named types of references resolved).</summary>
    public Avro.Schema Schema { get; }

    /// <inheritdoc/>
    public override string CanonicalText { get; }
}
