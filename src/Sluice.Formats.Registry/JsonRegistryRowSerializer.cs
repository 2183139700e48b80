using System.Buffers;
using Sluice.Formats.Registry.Internal;
using Sluice.Schemas;

namespace Sluice.Formats.Registry;

/// <summary>
/// The <c>json-registry</c> serializer (see <see cref="JsonRegistryFormat"/>): the wire header with the id of the
/// table's JSON Schema (registered or looked up once, on the first row), then the row as JSON (the <c>json</c> format,
/// timestamps in ISO-8601). Thread-safe.
/// </summary>
internal sealed class JsonRegistryRowSerializer : IRowSerializer, IDisposable
{
    private readonly IRowSerializer _json;
    private readonly string _jsonSchema;
    private readonly RegistryClient _registry;
    private readonly WriterSchemaId _id;

    public JsonRegistryRowSerializer(IRowSerializer json, string jsonSchema, RegistrySettings settings, RegistryClient registry)
    {
        _json = json;
        _jsonSchema = jsonSchema;
        _registry = registry;
        _id = new WriterSchemaId(registry, settings, new Confluent.SchemaRegistry.Schema(_jsonSchema, Confluent.SchemaRegistry.SchemaType.Json));
    }

    /// <inheritdoc />
    public Schema Schema => _json.Schema;

    /// <summary>The JSON Schema registered for the rows.</summary>
    public string JsonSchema => _jsonSchema;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The schema cannot be registered or found under the subject.</exception>
    public bool Serialize(Row row, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destination);
        WireFormat.Write(destination, _id.Get());
        return _json.Serialize(row, destination);
    }

    /// <inheritdoc />
    public void Dispose() => _registry.Dispose();
}
