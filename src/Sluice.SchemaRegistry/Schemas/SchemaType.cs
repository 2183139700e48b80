namespace Sluice.SchemaRegistry.Schemas;

/// <summary>The kind of a registered schema, as Confluent's <c>schemaType</c> field names it (absent means AVRO).</summary>
public enum SchemaType
{
    /// <summary><c>AVRO</c>: an Apache Avro schema (the default when a request names no type).</summary>
    Avro,

    /// <summary><c>JSON</c>: a JSON Schema, draft 7 or later.</summary>
    Json,

    /// <summary><c>PROTOBUF</c>: a Protocol Buffers schema (not supported yet: registering one answers 42201).</summary>
    Protobuf,
}
