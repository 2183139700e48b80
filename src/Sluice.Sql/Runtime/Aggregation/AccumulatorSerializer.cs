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
/// <para>Not thread-safe: one instance per operator subtask (it owns a write buffer).</para>
/// </remarks>
internal sealed class AccumulatorSerializer(Schema schema)
{
    /// <summary>The format version written first.</summary>
    public const byte Version = 1;

    private readonly DataTypeKind[] _kinds = Kinds(schema);
    private readonly StateWriter _buffer = new(128);
    private readonly StateReader _reader = new(ReadOnlyMemory<byte>.Empty);

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
        Write(accumulator);
        var written = _buffer.WrittenSpan;
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
