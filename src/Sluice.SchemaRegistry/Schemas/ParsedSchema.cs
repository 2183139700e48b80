namespace Sluice.SchemaRegistry.Schemas;

/// <summary>
/// A schema text parsed and checked as its <see cref="Type"/>, with the references it resolved. Immutable and
/// thread-safe. Two registrations are the same schema when their type, <see cref="CanonicalText"/> and references are
/// equal; that is how the registry finds an existing id instead of assigning a new one.
/// </summary>
public abstract class ParsedSchema
{
    private protected ParsedSchema(string text, IReadOnlyList<SchemaReference> references)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(references);
        Text = text;
        References = references;
    }

    /// <summary>The schema's kind.</summary>
    public abstract SchemaType Type { get; }

    /// <summary>The text as registered.</summary>
    public string Text { get; }

    /// <summary>The text in canonical form: the same for two texts that differ only in whitespace and key order.</summary>
    public abstract string CanonicalText { get; }

    /// <summary>The references the schema was parsed with (empty when it has none).</summary>
    public IReadOnlyList<SchemaReference> References { get; }
}
