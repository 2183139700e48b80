using Sluice.Schemas;
using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// A list of rows of one schema as the bytes kept in keyed state (the OVER aggregation's buffered rows and frame).
/// Format version 1: one byte <c>01</c>, the row count as unsigned LEB128, then each row in
/// <see cref="RowStateSerializer"/> format (its kind, null bitmap and fields). Not thread-safe: one instance per
/// operator subtask (it owns a write buffer).
/// </summary>
internal sealed class RowListSerializer(Schema schema)
{
    /// <summary>The format version written first.</summary>
    public const byte Version = 1;

    private readonly RowStateSerializer _rows = StateSerializers.ForRow(schema);
    private readonly StateWriter _buffer = new(256);

    /// <summary>The bytes of <paramref name="rows"/>, as a new array.</summary>
    public byte[] Serialize(IReadOnlyList<Row> rows)
    {
        _buffer.Reset();
        _buffer.WriteByte(Version);
        _buffer.WriteVarInt32((uint)rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            _rows.Write(_buffer, rows[i]);
        }
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the rows of <paramref name="bytes"/> into <paramref name="rows"/> (appending).</summary>
    /// <exception cref="StateFormatException">An unknown version, or invalid, truncated or trailing bytes.</exception>
    public void Deserialize(byte[] bytes, List<Row> rows)
    {
        var reader = new StateReader(bytes);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new StateFormatException($"SQL OVER aggregation row list state has version {version}; this build reads version {Version}. The checkpoint was written by a newer release or is corrupt.");
        }
        var count = reader.ReadVarInt32();
        for (var i = 0u; i < count; i++)
        {
            rows.Add(_rows.Read(reader, _rows.Version));
        }
        reader.EnsureAtEnd();
    }
}
