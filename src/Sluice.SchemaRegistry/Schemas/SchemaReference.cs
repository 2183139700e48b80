namespace Sluice.SchemaRegistry.Schemas;

/// <summary>
/// A reference from one schema to another registered schema, as in Confluent's <c>references</c> array: the
/// <paramref name="Name"/> the referencing schema uses (an Avro full name, a JSON Schema <c>$ref</c> URL) resolves to
/// version <paramref name="Version"/> of <paramref name="Subject"/>.
/// </summary>
/// <param name="Name">The name under which the referencing schema uses the referenced one.</param>
/// <param name="Subject">The subject the referenced schema is registered under.</param>
/// <param name="Version">The referenced version (≥ 1).</param>
public sealed record SchemaReference(string Name, string Subject, int Version);
