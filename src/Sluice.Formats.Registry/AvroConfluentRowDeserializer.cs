using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Sluice.Formats.Registry.Avro;
using Sluice.Formats.Registry.Internal;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry;

/// <summary>
/// The <c>avro-confluent</c> deserializer (see <see cref="AvroConfluentFormat"/>): reads the wire header, finds the
/// compiled plan of the writer schema id (fetched and compiled on its first sighting), and decodes the body with it.
/// Bad records (wrong magic byte, unknown id, truncated body, a writer schema the reader cannot resolve) return a
/// <see cref="FormatError"/> naming the id and the field. Thread-safe.
/// </summary>
internal sealed class AvroConfluentRowDeserializer : IRowDeserializer, IDisposable
{
    private readonly Schema _schema;
    private readonly AvroSchema _readerAvro;
    private readonly RegistrySettings _settings;
    private readonly RegistryClient _registry;
    private readonly WriterSchemaCache<WriterEntry> _writers;

    public AvroConfluentRowDeserializer(Schema schema, AvroSchema readerAvro, RegistrySettings settings, RegistryClient registry)
    {
        _schema = schema;
        _readerAvro = readerAvro;
        _settings = settings;
        _registry = registry;
        _writers = new WriterSchemaCache<WriterEntry>(Compile);
    }

    /// <inheritdoc />
    public Schema Schema => _schema;

    /// <inheritdoc />
    public long IgnoredErrorCount => 0;

    /// <inheritdoc />
    public bool TryDeserialize(ReadOnlySpan<byte> data, out Row? row, [NotNullWhen(false)] out FormatError? error)
    {
        row = null;
        if (!WireFormat.TryRead(data, out var id, out var body, out error))
        {
            return false;
        }
        var entry = _writers.Get(id);
        if (entry.Plan is not { } plan)
        {
            error = new FormatError(entry.Error!);
            return false;
        }
        try
        {
            row = AvroRowDecoder.Decode(body, plan);
            return true;
        }
        catch (AvroDataException e)
        {
            error = new FormatError($"{e.Message} (writer schema {entry.Origin})", e.FieldPath);
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _registry.Dispose();

    private WriterEntry Compile(int id)
    {
        var registered = _registry.GetSchema(id, out var missing);
        if (registered is null)
        {
            return WriterEntry.Failed(string.Create(CultureInfo.InvariantCulture, $"Unknown writer schema id {id}: {missing}."));
        }
        if (registered.SchemaType != Confluent.SchemaRegistry.SchemaType.Avro)
        {
            return WriterEntry.Failed(string.Create(CultureInfo.InvariantCulture,
                $"Writer schema id {id} is a {registered.SchemaType} schema, not Avro: the record was not written in the avro-confluent format."));
        }
        var origin = Origin(id, registered);
        try
        {
            var writer = AvroSchema.Parse(registered.SchemaString);
            if (_settings.Evolution == SchemaEvolution.Fixed)
            {
                return new WriterEntry(AvroReadPlans.Compile(writer, _schema, _readerAvro), origin, null);
            }
            var evolved = SchemaFollowing.Widen(_schema, writer, origin);
            return new WriterEntry(AvroReadPlans.Compile(writer, evolved, _readerAvro), origin, null);
        }
        catch (Exception e) when (e is NotSupportedException or global::Avro.AvroException or Newtonsoft.Json.JsonException)
        {
            return WriterEntry.Failed($"Writer schema {origin} cannot be read into the table: {e.Message}");
        }
    }

    private string Origin(int id, Confluent.SchemaRegistry.Schema registered) =>
        _settings.Subject is { } subject && _registry.FindVersion(subject, registered) is { } version
            ? string.Create(CultureInfo.InvariantCulture, $"subject '{subject}' version {version} (id {id})")
            : string.Create(CultureInfo.InvariantCulture, $"id {id}");

    /// <summary>A writer id's compiled plan and where it came from, or why the id cannot be read.</summary>
    private sealed record WriterEntry(AvroRecordPlan? Plan, string Origin, string? Error)
    {
        public static WriterEntry Failed(string error) => new(null, "", error);
    }
}
