namespace Sluice.SchemaRegistry.Schemas;

/// <summary>
/// A schema text that does not parse as its <see cref="SchemaType"/>. The REST API answers it with HTTP 422 and error
/// code 42201; the message says where the text is invalid (a JSON position, an Avro field path) and why.
/// </summary>
public sealed class InvalidSchemaException : Exception
{
    /// <summary>Creates the exception with a message saying where and why the schema is invalid.</summary>
    public InvalidSchemaException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message saying where and why, and the parser's own exception.</summary>
    public InvalidSchemaException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
