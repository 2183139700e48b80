using System.Buffers;
using Sluice.Formats.Registry.Avro;
using Sluice.Formats.Registry.Internal;
using Sluice.Schemas;

namespace Sluice.Formats.Registry;

/// <summary>
/// The <c>avro-confluent</c> serializer (see <see cref="AvroConfluentFormat"/>): the wire header with the writer
/// schema's id, then the row as an Avro binary body of that schema, written straight into the destination. The id is
/// registered (or looked up) once, on the first row. Thread-safe.
/// </summary>
internal sealed class AvroConfluentRowSerializer : IRowSerializer, IDisposable
{
    private readonly Schema _schema;
    private readonly string _writer;
    private readonly AvroWritePlan[] _plan;
    private readonly RegistryClient _registry;
    private readonly WriterSchemaId _id;

    public AvroConfluentRowSerializer(Schema schema, string writer, AvroWritePlan[] plan, RegistrySettings settings, RegistryClient registry)
    {
        _schema = schema;
        _writer = writer;
        _plan = plan;
        _registry = registry;
        _id = new WriterSchemaId(registry, settings, new Confluent.SchemaRegistry.Schema(_writer, Confluent.SchemaRegistry.SchemaType.Avro));
    }

    /// <inheritdoc />
    public Schema Schema => _schema;

    /// <summary>The Avro schema rows are written with, as registered (JSON).</summary>
    public string WriterSchema => _writer;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The schema cannot be registered or found under the subject.</exception>
    public bool Serialize(Row row, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destination);
        WireFormat.Write(destination, _id.Get());
        var writer = new AvroWriter(destination);
        AvroRowEncoder.Encode(ref writer, row, _plan);
        writer.Flush();
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _registry.Dispose();
}
