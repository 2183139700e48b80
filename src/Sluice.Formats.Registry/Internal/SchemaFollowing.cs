using Sluice.Formats.Registry.Avro;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Internal;

/// <summary>
/// <c>schema-evolution = follow</c>: the row schema of one writer schema — the table's columns, then each field the
/// writer adds that is nullable or has a default, as a nullable column, in writer order. Its
/// <see cref="Schema.Origin"/> names the writer (subject, version, id). Stateless.
/// </summary>
internal static class SchemaFollowing
{
    /// <summary>The widened row schema.</summary>
    /// <exception cref="NotSupportedException">The writer adds a field that is neither nullable nor defaulted, or of a type Sluice cannot hold; the message names it and the writer.</exception>
    public static Schema Widen(Schema table, AvroSchema writer, string origin)
    {
        if (writer is not global::Avro.RecordSchema record)
        {
            throw new NotSupportedException($"the writer schema is a {writer.Tag}, not a record");
        }
        List<Field>? added = null;
        foreach (var field in record.Fields)
        {
            if (table.IndexOf(field.Name) >= 0)
            {
                continue;
            }
            var type = AvroSchemaMapping.ToSluice(field.Schema, field.Name);
            if (!type.IsNullable && field.DefaultValue is null)
            {
                throw new NotSupportedException(
                    $"it adds field '{field.Name}' ({type}) without a default and not nullable, and schema-evolution 'follow' lets only nullable or defaulted columns through");
            }
            (added ??= []).Add(new Field(field.Name, type.Nullable()));
        }
        return added is null ? new Schema(table) { Origin = origin } : new Schema([.. table, .. added]) { Origin = origin };
    }
}
