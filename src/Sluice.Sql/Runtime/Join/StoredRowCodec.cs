using Sluice.Schemas;
using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// How the SQL join and rank operators keep rows of one schema in keyed state: as a map-state key (a row's identity),
/// as a list of rows in one value, or as a list of rows each with a flag. Every layout starts with its version, so a
/// later layout can still read checkpoints of this one.
/// </summary>
/// <remarks>
/// <para>Version 1 layouts (<c>row</c> is the row's <see cref="RowStateSerializer"/> encoding, version 1: kind byte,
/// null bitmap, fields; the schema is part of the meaning, so a changed schema needs a new operator uid):</para>
/// <list type="bullet">
/// <item><description>Row key (<see cref="ToKey"/>): a string whose char 0 is <c>U+0001</c> (the version) and whose
/// following chars are the bytes of <c>row</c> <em>without its kind byte</em>, one char per byte (U+0000–U+00FF).
/// Equal rows, whatever their kind, give equal keys.</description></item>
/// <item><description>Row list (<see cref="WriteList"/>): <c>01</c> (the version), the count as unsigned LEB128, then
/// each <c>row</c> (kind +I).</description></item>
/// <item><description>Flagged row list (<see cref="WriteFlaggedList"/>): <c>01</c>, the count as unsigned LEB128, then
/// per entry one flag byte (<c>00</c> or <c>01</c>) and its <c>row</c> (kind +I).</description></item>
/// </list>
/// <para>Not thread-safe: one instance per operator instance (it reuses its buffers). Decoded rows are new rows of kind
/// <see cref="RowKind.Insert"/>, owned by the caller.</para>
/// </remarks>
internal sealed class StoredRowCodec
{
    /// <summary>The version of every layout this codec writes.</summary>
    public const byte Version = 1;

    private readonly RowStateSerializer _rows;
    private readonly StateWriter _buffer = new(256);
    private readonly StateWriter _other = new(256);
    private readonly StateReader _reader = new(ReadOnlyMemory<byte>.Empty);
    private byte[] _scratch = new byte[256];

    /// <summary>Creates the codec of rows of <paramref name="schema"/>.</summary>
    public StoredRowCodec(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _rows = StateSerializers.ForRow(schema);
    }

    /// <summary>The schema of the rows.</summary>
    public Schema Schema => _rows.Schema;

    /// <summary>The row's identity as a map-state key (see the remarks); its kind is ignored. Allocates the string.</summary>
    public string ToKey(Row row)
    {
        _buffer.Reset();
        _rows.Write(_buffer, row);
        return string.Create(_buffer.Length, _buffer, static (chars, buffer) =>
        {
            var bytes = buffer.WrittenSpan;
            chars[0] = (char)Version;
            for (var i = 1; i < bytes.Length; i++)
            {
                chars[i] = (char)bytes[i];
            }
        });
    }

    /// <summary>The row a key of <see cref="ToKey"/> stands for, as a new <see cref="RowKind.Insert"/> row.</summary>
    /// <exception cref="StateFormatException">The key is not a version 1 row key of this schema.</exception>
    public Row FromKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key[0] != (char)Version)
        {
            throw new StateFormatException($"A stored row key of {Schema} starts with version {(key.Length == 0 ? "(none)" : ((int)key[0]).ToString(System.Globalization.CultureInfo.InvariantCulture))}; this build reads version {Version}.");
        }
        if (_scratch.Length < key.Length)
        {
            _scratch = new byte[Math.Max(key.Length, _scratch.Length * 2)];
        }
        _scratch[0] = (byte)RowKind.Insert;
        for (var i = 1; i < key.Length; i++)
        {
            var c = key[i];
            if (c > 0xFF)
            {
                throw new StateFormatException($"A stored row key of {Schema} holds char U+{(int)c:X4} at {i}; keys hold one byte per char.");
            }
            _scratch[i] = (byte)c;
        }
        _reader.Reset(_scratch.AsMemory(0, key.Length));
        var row = _rows.Read(_reader, _rows.Version);
        _reader.EnsureAtEnd();
        return row;
    }

    /// <summary>Encodes <paramref name="rows"/> as a version 1 row list (each stored as +I). Allocates the array.</summary>
    public byte[] WriteList(List<Row> rows)
    {
        _buffer.Reset();
        _buffer.WriteByte(Version);
        _buffer.WriteVarInt32((uint)rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            WriteInsert(rows[i]);
        }
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends the rows of a row list to <paramref name="rows"/>.</summary>
    /// <exception cref="StateFormatException">The bytes are not a version 1 row list of this schema.</exception>
    public void ReadList(byte[] bytes, List<Row> rows)
    {
        var count = Begin(bytes, "row list");
        for (var i = 0; i < count; i++)
        {
            rows.Add(_rows.Read(_reader, _rows.Version));
        }
        _reader.EnsureAtEnd();
    }

    /// <summary>Encodes rows with one flag each as a version 1 flagged row list. Allocates the array.</summary>
    public byte[] WriteFlaggedList(List<Row> rows, List<bool> flags)
    {
        _buffer.Reset();
        _buffer.WriteByte(Version);
        _buffer.WriteVarInt32((uint)rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            _buffer.WriteBool(flags[i]);
            WriteInsert(rows[i]);
        }
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends the rows and flags of a flagged row list to <paramref name="rows"/> and <paramref name="flags"/>.</summary>
    /// <exception cref="StateFormatException">The bytes are not a version 1 flagged row list of this schema.</exception>
    public void ReadFlaggedList(byte[] bytes, List<Row> rows, List<bool> flags)
    {
        var count = Begin(bytes, "flagged row list");
        for (var i = 0; i < count; i++)
        {
            flags.Add(_reader.ReadBool());
            rows.Add(_rows.Read(_reader, _rows.Version));
        }
        _reader.EnsureAtEnd();
    }

    private int Begin(byte[] bytes, string what)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _reader.Reset(bytes);
        var version = bytes.Length == 0 ? -1 : _reader.ReadByte();
        if (version != Version)
        {
            throw new StateFormatException($"A stored {what} of {Schema} has version {version}; this build reads version {Version}.");
        }
        return checked((int)_reader.ReadVarInt32());
    }

    // Stored rows are +I whatever kind the input row had; the input row is not changed.
    private void WriteInsert(Row row)
    {
        if (row.Kind == RowKind.Insert)
        {
            _rows.Write(_buffer, row);
            return;
        }
        _other.Reset();
        _rows.Write(_other, row);
        _buffer.WriteByte((byte)RowKind.Insert);
        _buffer.WriteRaw(_other.WrittenSpan[1..]);
    }
}
