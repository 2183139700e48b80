using System.Buffers;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// Encodes a <see cref="Row"/> of <see cref="Schema"/> as the bytes of one record (one message, one line — no line
/// terminator). Made by a <see cref="RowFormat"/> for one schema and one set of options.
/// </summary>
/// <remarks>
/// Writes straight into the destination: no allocation per record beyond what the destination grows by. The row's
/// <see cref="Row.Kind"/> is not encoded (json, csv and raw are insert-only formats, as in Flink). Throws
/// <see cref="FormatException"/> naming the field for a value the format cannot represent (for example a map null key
/// under <c>json.map-null-key.mode</c> = FAIL); a sink lets that fail the job. Thread-safe: one instance may be shared
/// by parallel writers.
/// </remarks>
public interface IRowSerializer
{
    /// <summary>The schema of the rows accepted.</summary>
    Schema Schema { get; }

    /// <summary>Writes <paramref name="row"/> to <paramref name="destination"/>.</summary>
    /// <param name="row">A row of <see cref="Schema"/>.</param>
    /// <param name="destination">Where the bytes go; only appended to.</param>
    /// <returns>False when the row encodes as no value at all (raw: a null field), so a message sink writes a tombstone; then nothing is written.</returns>
    bool Serialize(Row row, IBufferWriter<byte> destination);
}
