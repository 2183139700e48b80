using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>
/// One schema id of the registry: the text first registered under it, its kind and references, and the versions
/// (of any subject) that use it. Mutable only under <see cref="SchemaStore"/>'s lock.
/// </summary>
internal sealed class StoredSchema
{
    private ParsedSchema? _parsed;

    public StoredSchema(int id, SchemaType type, string text, IReadOnlyList<SchemaReference> references)
    {
        Id = id;
        Type = type;
        Text = text;
        References = references;
    }

    /// <summary>The global id (≥ 1).</summary>
    public int Id { get; }

    /// <summary>The schema's kind.</summary>
    public SchemaType Type { get; }

    /// <summary>The text as first registered under this id.</summary>
    public string Text { get; }

    /// <summary>The references the text resolves its named types with.</summary>
    public IReadOnlyList<SchemaReference> References { get; }

    /// <summary>The dedup key (type, canonical text, references); null until computed after replay.</summary>
    public string? ContentKey { get; set; }

    /// <summary>The (subject, version) pairs registered with this id, soft-deleted ones included.</summary>
    public HashSet<(string Subject, int Version)> Usages { get; } = [];

    /// <summary>The parsed schema, parsing it on first use with <paramref name="resolve"/> for its references.</summary>
    /// <exception cref="InvalidSchemaException">The stored text no longer parses (a reference was hard-deleted).</exception>
    public ParsedSchema Parse(Func<SchemaReference, ParsedSchema?> resolve) =>
        _parsed ??= SchemaParser.Parse(Type, Text, References, resolve);
}

/// <summary>One version of a subject. Mutable only under <see cref="SchemaStore"/>'s lock.</summary>
/// <param name="Version">The version (≥ 1).</param>
/// <param name="Id">The schema id it was registered with.</param>
internal sealed record SubjectVersion(int Version, int Id)
{
    /// <summary>Whether the version is soft-deleted.</summary>
    public bool Deleted { get; set; }
}
