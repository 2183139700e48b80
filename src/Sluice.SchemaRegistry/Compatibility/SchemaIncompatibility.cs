namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>
/// One reason a reader schema cannot read what a writer schema produced: Confluent's <c>errorType</c> (for Avro the
/// names of Avro's <c>SchemaIncompatibilityType</c>, for JSON Schema those of Confluent's <c>Difference.Type</c>), where
/// in the schema it is, and a description in terms of reader and writer.
/// </summary>
/// <param name="Type">The incompatibility type, e.g. <c>READER_FIELD_MISSING_DEFAULT_VALUE</c>.</param>
/// <param name="Location">A JSON-pointer-like path into the reader schema: <c>/fields/1/type</c> for Avro,
/// <c>#/properties/email</c> for JSON Schema.</param>
/// <param name="Description">What is wrong, naming reader and writer, without a trailing period.</param>
internal sealed record SchemaIncompatibility(string Type, string Location, string Description);
