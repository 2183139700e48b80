using Sluice.Schemas;
using Sluice.State.Serialization;

namespace Sluice.Changelog;

/// <summary>
/// The key of a row as a string: its key fields encoded without loss (a null flag, then the value as in state
/// checkpoints: zig-zag integers, IEEE bits, length-prefixed UTF-8 text and bytes, ticks), one char per byte. Equal key
/// fields give equal strings and different ones different strings, so the string keys a stream (stable hash, state
/// serializer) where a <see cref="Row"/> cannot. Thread-safe: each thread encodes into its own buffer.
/// </summary>
internal sealed class RowKeyEncoder
{
    [ThreadStatic]
    private static StateWriter? s_buffer;

    private readonly int[] _indexes;
    private readonly DataTypeKind[] _kinds;

    /// <summary>Encodes the fields <paramref name="keyFields"/> of rows of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentException">No key field, a name that is not a field, or a ROW, ARRAY or MAP field.</exception>
    public RowKeyEncoder(Schema schema, IReadOnlyList<string> keyFields)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keyFields);
        if (keyFields.Count == 0)
        {
            throw new ArgumentException("A changelog key needs at least one field.", nameof(keyFields));
        }
        _indexes = new int[keyFields.Count];
        _kinds = new DataTypeKind[keyFields.Count];
        for (var i = 0; i < _indexes.Length; i++)
        {
            var index = schema.IndexOf(keyFields[i]);
            if (index < 0)
            {
                throw new ArgumentException($"Key field '{keyFields[i]}' is not a field of {schema}.", nameof(keyFields));
            }
            var kind = schema[index].Type.Kind;
            if (kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map)
            {
                throw new ArgumentException($"Key field '{keyFields[i]}' is of type {schema[index].Type}; a key is made of scalar fields.", nameof(keyFields));
            }
            _indexes[i] = index;
            _kinds[i] = kind;
        }
    }

    /// <summary>The key of <paramref name="row"/> (a row of the schema given to the constructor). Allocates the string only.</summary>
    public string Encode(Row row)
    {
        var buffer = s_buffer ??= new StateWriter(64);
        buffer.Reset();
        for (var i = 0; i < _indexes.Length; i++)
        {
            var index = _indexes[i];
            if (row.IsNull(index))
            {
                buffer.WriteByte(0);
                continue;
            }
            buffer.WriteByte(1);
            switch (_kinds[i])
            {
                case DataTypeKind.Boolean:
                    buffer.WriteBool(row.GetBoolean(index));
                    break;
                case DataTypeKind.Int:
                    buffer.WriteZigZagInt32(row.GetInt32(index));
                    break;
                case DataTypeKind.BigInt:
                    buffer.WriteZigZagInt64(row.GetInt64(index));
                    break;
                case DataTypeKind.Float:
                    buffer.WriteSingle(row.GetSingle(index));
                    break;
                case DataTypeKind.Double:
                    buffer.WriteDouble(row.GetDouble(index));
                    break;
                case DataTypeKind.Decimal:
                    buffer.WriteDecimal(row.GetDecimal(index));
                    break;
                case DataTypeKind.Varchar:
                    buffer.WriteString(row.GetString(index));
                    break;
                case DataTypeKind.Bytes:
                    buffer.WriteByteArray(row.GetBytes(index));
                    break;
                case DataTypeKind.Date:
                    buffer.WriteZigZagInt32(row.GetDate(index).DayNumber);
                    break;
                case DataTypeKind.Time:
                    buffer.WriteZigZagInt64(row.GetTime(index).Ticks);
                    break;
                case DataTypeKind.Timestamp:
                    buffer.WriteZigZagInt64(row.GetTimestamp(index).Ticks);
                    break;
                default:
                    buffer.WriteZigZagInt64(row.GetTimestampLtz(index).UtcTicks);
                    break;
            }
        }
        return string.Create(buffer.Length, buffer, static (chars, state) =>
        {
            var bytes = state.WrittenSpan;
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[i] = (char)bytes[i];
            }
        });
    }
}
