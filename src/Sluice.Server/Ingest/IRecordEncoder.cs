using System.Buffers;

namespace Sluice.Server.Ingest;

/// <summary>
/// Turns one ingested JSON record into the bytes its topic stores, for requests that name a registry format
/// (<c>?format=avro-confluent</c> or <c>?format=json-registry</c>, see <see cref="IngestSchemas"/>): it checks the record
/// against the subject's schema and writes Confluent's wire format (magic byte 0, the 4-byte schema id, the body).
/// Called for every record from many request threads at once: implementations are thread-safe.
/// </summary>
internal interface IRecordEncoder
{
    /// <summary>
    /// Writes <paramref name="json"/> (one JSON object, already known to be well-formed) into
    /// <paramref name="destination"/>; when it does not fit the schema, returns false with the field at fault (a path
    /// such as <c>address.city</c>; null when none is) and the problem as a phrase naming it. After false, what was
    /// written is garbage: the caller discards it.
    /// </summary>
    bool TryEncode(ReadOnlySpan<byte> json, IBufferWriter<byte> destination, out string? field, out string? problem);
}
