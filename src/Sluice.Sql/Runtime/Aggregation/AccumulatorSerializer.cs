using System.Buffers.Binary;
using Sluice.Schemas;
using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Writes an aggregation's accumulator row (see <see cref="RowAggregator.AccumulatorSchema"/>) to the bytes kept in
/// keyed state, and reads them back into a reused row; the per-record path allocates nothing when the stored array
/// can be rewritten in place (see <see cref="Serialize(Row, byte[])"/>).
/// </summary>
/// <remarks>
/// <para>Format version 1: one byte <c>01</c> (the version), then for each field of the accumulator schema in order a
/// flag byte — <c>00</c> null, <c>01</c> present — and a present value as <see cref="FieldValues.Encode"/> writes it
/// (BOOLEAN one byte; INT, BIGINT, DATE zig-zag LEB128; FLOAT, DOUBLE IEEE bits little-endian; DECIMAL as the state
/// writer's decimal; VARCHAR and BYTES a LEB128 length and the bytes; TIME, TIMESTAMP, TIMESTAMP_LTZ zig-zag LEB128 of
/// 100 ns ticks). The accumulator schema follows from the aggregate calls, so a changed query needs a new operator
/// uid (as in Flink, state of a changed aggregation is not compatible).</para>
/// <para>Speed: a read or write costs tens of nanoseconds per record, so the fixed-width kinds (BOOLEAN, INT, BIGINT,
/// FLOAT, DOUBLE, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ) are read straight from the array and, when every field is of
/// one of them, <see cref="Serialize(Row, byte[])"/> (the per-record path) writes straight into a scratch array, in
/// the same format. Anything irregular — a bad version or flag,
/// a truncated or overlong number — is read again through <see cref="StateReader"/>, which throws the error naming
/// the offset; DECIMAL, VARCHAR and BYTES fields are always read and written through it.</para>
/// <para>Not thread-safe: one instance per operator subtask (it owns a write buffer).</para>
/// </remarks>
internal sealed class AccumulatorSerializer(Schema schema)
{
    /// <summary>The format version written first.</summary>
    public const byte Version = 1;

    private const int MaxFixedFieldBytes = 1 + 10; // the null flag and a 10-byte LEB128 (the widest fixed-width value)

    private readonly DataTypeKind[] _kinds = Kinds(schema);
    private readonly StateWriter _buffer = new(128);
    private readonly StateReader _reader = new(ReadOnlyMemory<byte>.Empty);
    private readonly byte[]? _scratch = IsFixedWidth(schema) ? new byte[1 + (schema.Count * MaxFixedFieldBytes)] : null;

    /// <summary>The accumulator rows' schema.</summary>
    public Schema Schema { get; } = schema;

    /// <summary>The bytes of <paramref name="accumulator"/> (a row of <see cref="Schema"/>), as a new array.</summary>
    public byte[] Serialize(Row accumulator)
    {
        Write(accumulator);
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The bytes of <paramref name="accumulator"/>, written over <paramref name="reuse"/> when they are as long as it
    /// (the common case: an updated count or sum rarely changes its encoded length), else as a new array. The caller
    /// must own <paramref name="reuse"/>: it is the value just read from keyed state, which the heap backend hands out
    /// as the live entry's own object (copied first when a snapshot still reads it) and RocksDB as a fresh array. The
    /// caller still writes the returned array back to state (a no-op store on the heap, a write on RocksDB).
    /// </summary>
    public byte[] Serialize(Row accumulator, byte[]? reuse)
    {
        ReadOnlySpan<byte> written;
        if (_scratch is not null)
        {
            written = _scratch.AsSpan(0, WriteFixedWidth(accumulator, _scratch));
        }
        else
        {
            Write(accumulator);
            written = _buffer.WrittenSpan;
        }
        if (reuse is null || reuse.Length != written.Length)
        {
            return written.ToArray();
        }
        written.CopyTo(reuse);
        return reuse;
    }

    private void Write(Row accumulator)
    {
        _buffer.Reset();
        _buffer.WriteByte(Version);
        for (var i = 0; i < _kinds.Length; i++)
        {
            if (accumulator.IsNull(i))
            {
                _buffer.WriteByte(0);
                continue;
            }
            _buffer.WriteByte(1);
            FieldValues.Encode(_buffer, accumulator, i, _kinds[i]);
        }
    }

    /// <summary>Reads <paramref name="bytes"/> into <paramref name="accumulator"/>, overwriting every field.</summary>
    /// <exception cref="StateFormatException">An unknown version, a bad flag, or truncated or trailing bytes.</exception>
    public void Deserialize(byte[] bytes, Row accumulator)
    {
        if (!TryReadDirect(bytes, accumulator))
        {
            CheckedReads++;
            ReadChecked(bytes, accumulator);
        }
    }

    /// <summary>How many reads found something irregular and went through <see cref="ReadChecked"/> (tests: a well-formed accumulator never does).</summary>
    internal long CheckedReads { get; private set; }

    /// <summary>Whether <see cref="Serialize(Row, byte[])"/> writes straight into the scratch array (every field fixed-width).</summary>
    internal bool WritesDirect => _scratch is not null;

    /// <summary>
    /// Writes <paramref name="accumulator"/>, whose fields are all fixed-width (<see cref="IsFixedWidth"/>), into
    /// <paramref name="target"/> (large enough for the widest values) in the format <see cref="Write"/> uses; returns
    /// the length.
    /// </summary>
    private int WriteFixedWidth(Row accumulator, byte[] target)
    {
        var span = target.AsSpan();
        span[0] = Version;
        var p = 1;
        var kinds = _kinds;
        for (var i = 0; i < kinds.Length; i++)
        {
            if (accumulator.IsNull(i))
            {
                span[p++] = 0;
                continue;
            }
            span[p++] = 1;
            switch (kinds[i])
            {
                case DataTypeKind.Boolean:
                    span[p++] = accumulator.GetBoolean(i) ? (byte)1 : (byte)0;
                    break;
                case DataTypeKind.Int:
                    p = WriteVarInt(span, p, ZigZag(accumulator.GetInt32(i)));
                    break;
                case DataTypeKind.BigInt:
                    p = WriteVarInt(span, p, ZigZag(accumulator.GetInt64(i)));
                    break;
                case DataTypeKind.Float:
                    BinaryPrimitives.WriteSingleLittleEndian(span[p..], accumulator.GetSingle(i));
                    p += 4;
                    break;
                case DataTypeKind.Double:
                    BinaryPrimitives.WriteDoubleLittleEndian(span[p..], accumulator.GetDouble(i));
                    p += 8;
                    break;
                case DataTypeKind.Date:
                    p = WriteVarInt(span, p, ZigZag(accumulator.GetDate(i).DayNumber));
                    break;
                case DataTypeKind.Time:
                    p = WriteVarInt(span, p, ZigZag(accumulator.GetTime(i).Ticks));
                    break;
                case DataTypeKind.Timestamp:
                    p = WriteVarInt(span, p, ZigZag(accumulator.GetTimestamp(i).Ticks));
                    break;
                case DataTypeKind.TimestampLtz:
                    p = WriteVarInt(span, p, ZigZag(accumulator.GetTimestampLtz(i).UtcTicks));
                    break;
                default:
                    throw new InvalidOperationException($"Accumulator field '{Schema[i].Name}' of kind {kinds[i]} is not fixed-width.");
            }
        }
        return p;
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> into <paramref name="accumulator"/> straight from the array, handing DECIMAL,
    /// VARCHAR and BYTES fields to <see cref="FieldValues.Decode"/>; false at anything irregular (then nothing is
    /// known of the row's fields: read it again with <see cref="ReadChecked"/>, which names the error).
    /// </summary>
    private bool TryReadDirect(byte[] bytes, Row accumulator)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.IsEmpty || span[0] != Version)
        {
            return false;
        }
        var p = 1;
        var kinds = _kinds;
        for (var i = 0; i < kinds.Length; i++)
        {
            if ((uint)p >= (uint)span.Length)
            {
                return false;
            }
            var flag = span[p++];
            if (flag == 0)
            {
                accumulator.SetNull(i);
                continue;
            }
            if (flag != 1)
            {
                return false;
            }
            switch (kinds[i])
            {
                case DataTypeKind.Boolean:
                    if ((uint)p >= (uint)span.Length || span[p] > 1)
                    {
                        return false;
                    }
                    accumulator.SetBoolean(i, span[p++] == 1);
                    break;
                case DataTypeKind.Int:
                    if (!TryReadZigZag32(span, ref p, out var int32))
                    {
                        return false;
                    }
                    accumulator.SetInt32(i, int32);
                    break;
                case DataTypeKind.BigInt:
                    if (!TryReadZigZag64(span, ref p, out var int64))
                    {
                        return false;
                    }
                    accumulator.SetInt64(i, int64);
                    break;
                case DataTypeKind.Float:
                    if (span.Length - p < 4)
                    {
                        return false;
                    }
                    accumulator.SetSingle(i, BinaryPrimitives.ReadSingleLittleEndian(span[p..]));
                    p += 4;
                    break;
                case DataTypeKind.Double:
                    if (span.Length - p < 8)
                    {
                        return false;
                    }
                    accumulator.SetDouble(i, BinaryPrimitives.ReadDoubleLittleEndian(span[p..]));
                    p += 8;
                    break;
                case DataTypeKind.Date:
                    if (!TryReadZigZag32(span, ref p, out var days))
                    {
                        return false;
                    }
                    accumulator.SetDate(i, DateOnly.FromDayNumber(days));
                    break;
                case DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz:
                    if (!TryReadZigZag64(span, ref p, out var ticks))
                    {
                        return false;
                    }
                    SetTicks(accumulator, i, kinds[i], ticks);
                    break;
                default:
                    // DECIMAL, VARCHAR, BYTES: the reader from here (it throws on a bad value: the checked read then
                    // never runs, and its message names the value's offset all the same).
                    _reader.Reset(bytes);
                    _reader.ReadRaw(p);
                    FieldValues.Decode(_reader, accumulator, i, kinds[i]);
                    p = _reader.Position;
                    break;
            }
        }
        return p == span.Length;
    }

    /// <summary>A zig-zag LEB128 32-bit value at <paramref name="p"/>, as <see cref="StateReader.ReadZigZagInt32"/> reads it; false where that read throws.</summary>
    private static bool TryReadZigZag32(ReadOnlySpan<byte> span, ref int p, out int value)
    {
        var ok = TryReadVarInt(span, ref p, 5, out var raw) && raw <= uint.MaxValue;
        value = UnZigZag((uint)raw);
        return ok;
    }

    /// <summary>A zig-zag LEB128 64-bit value at <paramref name="p"/>, as <see cref="StateReader.ReadZigZagInt64"/> reads it; false where that read throws.</summary>
    private static bool TryReadZigZag64(ReadOnlySpan<byte> span, ref int p, out long value)
    {
        var ok = TryReadVarInt(span, ref p, 10, out var raw);
        value = UnZigZag(raw);
        return ok;
    }

    /// <summary>Sets a TIME, TIMESTAMP or TIMESTAMP_LTZ field from its ticks, as <see cref="FieldValues.Decode"/> does.</summary>
    private static void SetTicks(Row row, int index, DataTypeKind kind, long ticks)
    {
        switch (kind)
        {
            case DataTypeKind.Time:
                row.SetTime(index, new TimeOnly(ticks));
                break;
            case DataTypeKind.Timestamp:
                row.SetTimestamp(index, new DateTime(ticks, DateTimeKind.Unspecified));
                break;
            default:
                row.SetTimestampLtz(index, new DateTimeOffset(ticks, TimeSpan.Zero));
                break;
        }
    }

    /// <summary>
    /// An unsigned LEB128 value of at most <paramref name="maxBytes"/> bytes at <paramref name="p"/> (5 for a 32-bit
    /// value, as <see cref="StateReader.ReadVarInt32"/> allows; 10 for a 64-bit one, whose last byte may only hold bit
    /// 63); false when truncated, longer, or past 64 bits, as the checked read refuses.
    /// </summary>
    private static bool TryReadVarInt(ReadOnlySpan<byte> span, ref int p, int maxBytes, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < maxBytes * 7; shift += 7)
        {
            if ((uint)p >= (uint)span.Length)
            {
                return false;
            }
            var b = span[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return shift != 63 || b <= 1;
            }
        }
        return false;
    }

    /// <summary>Writes <paramref name="value"/> as unsigned LEB128 at <paramref name="p"/>; returns the position after it.</summary>
    private static int WriteVarInt(Span<byte> span, int p, ulong value)
    {
        while (value >= 0x80)
        {
            span[p++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[p++] = (byte)value;
        return p;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static long UnZigZag(ulong raw) => (long)(raw >> 1) ^ -(long)(raw & 1);

    private static int UnZigZag(uint raw) => (int)(raw >> 1) ^ -(int)(raw & 1);

    /// <summary>
    /// Reads <paramref name="bytes"/> through <see cref="StateReader"/>, checking everything: what
    /// <see cref="Deserialize"/> does when the direct read finds something irregular (tests compare the two).
    /// </summary>
    internal void ReadChecked(byte[] bytes, Row accumulator)
    {
        _reader.Reset(bytes);
        var version = _reader.ReadByte();
        if (version != Version)
        {
            throw new StateFormatException($"SQL aggregation accumulator state has version {version}; this build reads version {Version}. The checkpoint was written by a newer release or is corrupt.");
        }
        for (var i = 0; i < _kinds.Length; i++)
        {
            switch (_reader.ReadByte())
            {
                case 0:
                    accumulator.SetNull(i);
                    break;
                case 1:
                    FieldValues.Decode(_reader, accumulator, i, _kinds[i]);
                    break;
                default:
                    throw new StateFormatException($"SQL aggregation accumulator field '{Schema[i].Name}' has an invalid null flag at offset {_reader.Position - 1}.");
            }
        }
        _reader.EnsureAtEnd();
    }

    /// <summary>Whether every field of <paramref name="schema"/> is of a fixed-width kind, written without <see cref="StateWriter"/>.</summary>
    private static bool IsFixedWidth(Schema schema)
    {
        for (var i = 0; i < schema.Count; i++)
        {
            if (schema[i].Type.Kind is not (DataTypeKind.Boolean or DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Float
                or DataTypeKind.Double or DataTypeKind.Date or DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                return false;
            }
        }
        return true;
    }

    private static DataTypeKind[] Kinds(Schema schema)
    {
        var kinds = new DataTypeKind[schema.Count];
        for (var i = 0; i < kinds.Length; i++)
        {
            kinds[i] = schema[i].Type.Kind;
        }
        return kinds;
    }
}
