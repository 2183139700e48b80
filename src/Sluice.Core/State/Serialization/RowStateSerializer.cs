using System.Globalization;
using System.Text;
using Sluice.Schemas;

namespace Sluice.State.Serialization;

/// <summary>
/// Writes and reads <see cref="Row"/>s of one <see cref="Schemas.Schema"/> in checkpoints. The schema is part of the
/// format: <see cref="FormatId"/> is <c>row(</c> the field list <c>)</c>, e.g. <c>row(id BIGINT NOT NULL, tags
/// ARRAY&lt;VARCHAR&gt;)</c> (names, types and nullability; comments are left out, they do not change the bytes), so
/// restoring a checkpoint written with another schema fails in <see cref="SerializerDescriptor.EnsureReadableBy"/> with
/// a <see cref="StateFormatException"/> naming both schemas instead of misreading the bytes.
/// </summary>
/// <remarks>
/// <para>Version 1 of the encoding, for a row and for every nested row:</para>
/// <list type="number">
/// <item><description>the <see cref="RowKind"/> as one byte (<c>00</c> +I, <c>01</c> -U, <c>02</c> +U, <c>03</c> -D);</description></item>
/// <item><description>the null bitmap, ⌈fields / 8⌉ bytes: bit <c>i % 8</c> of byte <c>i / 8</c> is set when field <c>i</c> is null;</description></item>
/// <item><description>each non-null field in order: BOOLEAN one byte <c>00</c>/<c>01</c>; INT, BIGINT and DATE (its day
/// number) zig-zag LEB128; FLOAT and DOUBLE their IEEE 754 bits, 4 and 8 bytes little-endian; DECIMAL its unscaled
/// magnitude shifted left once with the sign in the low bit, as unsigned LEB128 (at most 14 bytes), then its scale as
/// one byte; VARCHAR UTF-8 and BYTES as a LEB128 length and the bytes; TIME (ticks since midnight), TIMESTAMP (ticks)
/// and TIMESTAMP_LTZ (UTC ticks) unsigned LEB128 of 100 ns ticks; ROW recursively (kind, bitmap, fields); ARRAY a
/// LEB128 count, then per element a flag byte (<c>00</c> null, <c>01</c> present) and the present value; MAP a
/// LEB128 count, then per entry the key (never null, no flag), a flag byte and the present value.</description></item>
/// </list>
/// <para>
/// Array and map elements are checked on write: each must be the CLR value of its element type listed on
/// <see cref="DataTypeKind"/> (an <see cref="int"/> in <c>ARRAY&lt;INT&gt;</c>, a <see cref="Row"/> of the element
/// schema in <c>ARRAY&lt;ROW&lt;…&gt;&gt;</c>…), and null only where the element type is nullable; otherwise
/// <see cref="Write"/> throws <see cref="InvalidCastException"/> naming the path (<c>tags[2]</c>, <c>attrs[0].value</c>,
/// <c>address.lines[1]</c>) and writes nothing. Restored arrays are <see cref="object"/> arrays and restored maps are
/// arrays of key/value pairs, in the written order.
/// </para>
/// <para>Immutable and thread-safe. Obtain one from <see cref="StateSerializers.ForRow"/> (cached per schema) or construct it.</para>
/// </remarks>
public sealed partial class RowStateSerializer : IStateSerializer<Row>
{
    private const int MaxDecimalVarIntBytes = 14; // 97 bits (96-bit magnitude and the sign) in 7-bit groups

    private readonly Codec[] _fields;

    /// <summary>Creates the serializer of rows of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> is null.</exception>
    public RowStateSerializer(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _fields = new Codec[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            _fields[i] = new Codec(schema[i].Type);
        }
        FormatId = "row(" + FieldList(schema) + ")";
    }

    /// <summary>The schema of the rows this serializer writes and reads.</summary>
    public Schema Schema { get; }

    /// <summary><c>row(</c>the schema's fields, types and nullability<c>)</c>: a different schema is a different format.</summary>
    public string FormatId { get; }

    /// <summary>1.</summary>
    public int Version => 1;

    /// <summary>Appends <paramref name="value"/> (its kind and fields) to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The row's schema is not <see cref="Schema"/>.</exception>
    /// <exception cref="InvalidCastException">
    /// An array or map element does not match its element type; the message names its path. Nothing is written.
    /// </exception>
    public void Write(StateWriter output, Row value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        if (!ReferenceEquals(value.Schema, Schema) && !value.Schema.Equals(Schema))
        {
            throw new ArgumentException($"A row of {value.Schema} cannot be written by the serializer of {Schema}.", nameof(value));
        }
        var start = output.Length;
        try
        {
            WriteRow(output, value);
        }
        catch (ElementMismatchException mismatch)
        {
            output.TruncateTo(start);
            throw new InvalidCastException($"Element '{mismatch.Path}' of a row of {Schema} {mismatch.Problem}.");
        }
    }

    /// <summary>Reads one row written by version <paramref name="version"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="StateFormatException">
    /// The version is not 1, or the bytes are truncated or invalid (a bad kind or flag, a null in a NOT NULL field, a
    /// decimal that does not fit its field, an out-of-range date or time); the message names the offset.
    /// </exception>
    public Row Read(StateReader input, int version)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (version != 1)
        {
            throw new StateFormatException(
                $"State format '{FormatId}' has no version {version} (this build reads version 1); offset {input.Position}. " +
                "The checkpoint was written by a newer release or is corrupt.");
        }
        return ReadRow(input);
    }

    private static string FieldList(Schema schema)
    {
        var text = new StringBuilder();
        schema.AppendRow(text, descriptions: false);
        // "ROW<a INT, b VARCHAR>" → "a INT, b VARCHAR"
        return text.ToString(4, text.Length - 5);
    }

    private void WriteRow(StateWriter output, Row row)
    {
        output.WriteByte((byte)row.Kind);
        var count = _fields.Length;
        for (var start = 0; start < count; start += 8)
        {
            var bits = 0;
            var end = Math.Min(start + 8, count);
            for (var i = start; i < end; i++)
            {
                if (row.IsNull(i))
                {
                    bits |= 1 << (i - start);
                }
            }
            output.WriteByte((byte)bits);
        }
        for (var i = 0; i < count; i++)
        {
            if (!row.IsNull(i))
            {
                try
                {
                    WriteField(output, row, i);
                }
                catch (ElementMismatchException mismatch)
                {
                    mismatch.Prepend(Schema[i].Name);
                    throw;
                }
            }
        }
    }

    private void WriteField(StateWriter output, Row row, int i)
    {
        switch (_fields[i].Kind)
        {
            case DataTypeKind.Boolean:
                output.WriteBool(row.GetBoolean(i));
                break;
            case DataTypeKind.Int:
                output.WriteZigZagInt32(row.GetInt32(i));
                break;
            case DataTypeKind.BigInt:
                output.WriteZigZagInt64(row.GetInt64(i));
                break;
            case DataTypeKind.Float:
                output.WriteSingle(row.GetSingle(i));
                break;
            case DataTypeKind.Double:
                output.WriteDouble(row.GetDouble(i));
                break;
            case DataTypeKind.Decimal:
                WriteDecimal(output, row.GetDecimal(i));
                break;
            case DataTypeKind.Varchar:
                output.WriteString(row.GetString(i));
                break;
            case DataTypeKind.Bytes:
                output.WriteBytes(row.GetBytes(i));
                break;
            case DataTypeKind.Date:
                output.WriteZigZagInt32(row.GetDate(i).DayNumber);
                break;
            case DataTypeKind.Time:
                output.WriteVarInt64((ulong)row.GetTime(i).Ticks);
                break;
            case DataTypeKind.Timestamp:
                output.WriteVarInt64((ulong)row.GetTimestamp(i).Ticks);
                break;
            case DataTypeKind.TimestampLtz:
                output.WriteVarInt64((ulong)row.GetTimestampLtz(i).UtcTicks);
                break;
            case DataTypeKind.Row:
                _fields[i].Row!.WriteRow(output, row.GetRow(i)!);
                break;
            case DataTypeKind.Array:
                WriteArray(output, _fields[i], row.GetArray(i)!);
                break;
            case DataTypeKind.Map:
                WriteMap(output, _fields[i], row.GetMap(i)!);
                break;
            default:
                throw new InvalidOperationException($"Unknown kind {_fields[i].Kind}.");
        }
    }

    private static void WriteArray(StateWriter output, Codec array, IReadOnlyList<object?> elements)
    {
        var element = array.Element!;
        output.WriteLength(elements.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            try
            {
                WriteFlaggedElement(output, element, elements[i]);
            }
            catch (ElementMismatchException mismatch)
            {
                mismatch.Prepend("[" + i.ToString(CultureInfo.InvariantCulture) + "]");
                throw;
            }
        }
    }

    private static void WriteMap(StateWriter output, Codec map, IReadOnlyList<KeyValuePair<object, object?>> entries)
    {
        var key = map.Element!;
        var value = map.Value!;
        output.WriteLength(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var part = "key";
            try
            {
                if (entries[i].Key is null)
                {
                    throw new ElementMismatchException("is null, but map keys are never null");
                }
                WriteElement(output, key, entries[i].Key);
                part = "value";
                WriteFlaggedElement(output, value, entries[i].Value);
            }
            catch (ElementMismatchException mismatch)
            {
                mismatch.Prepend("[" + i.ToString(CultureInfo.InvariantCulture) + "]." + part);
                throw;
            }
        }
    }

    private static void WriteFlaggedElement(StateWriter output, Codec codec, object? value)
    {
        if (value is null)
        {
            if (!codec.Type.IsNullable)
            {
                throw new ElementMismatchException($"is null, but its type is {codec.Type}");
            }
            output.WriteByte(0);
            return;
        }
        output.WriteByte(1);
        WriteElement(output, codec, value);
    }

    private static void WriteElement(StateWriter output, Codec codec, object value)
    {
        switch (codec.Kind, value)
        {
            case (DataTypeKind.Boolean, bool b):
                output.WriteBool(b);
                break;
            case (DataTypeKind.Int, int i):
                output.WriteZigZagInt32(i);
                break;
            case (DataTypeKind.BigInt, long l):
                output.WriteZigZagInt64(l);
                break;
            case (DataTypeKind.Float, float f):
                output.WriteSingle(f);
                break;
            case (DataTypeKind.Double, double d):
                output.WriteDouble(d);
                break;
            case (DataTypeKind.Decimal, decimal m):
                WriteDecimal(output, m);
                break;
            case (DataTypeKind.Varchar, string s):
                output.WriteString(s);
                break;
            case (DataTypeKind.Bytes, byte[] bytes):
                output.WriteBytes(bytes);
                break;
            case (DataTypeKind.Date, DateOnly date):
                output.WriteZigZagInt32(date.DayNumber);
                break;
            case (DataTypeKind.Time, TimeOnly time):
                output.WriteVarInt64((ulong)time.Ticks);
                break;
            case (DataTypeKind.Timestamp, DateTime timestamp):
                output.WriteVarInt64((ulong)timestamp.Ticks);
                break;
            case (DataTypeKind.TimestampLtz, DateTimeOffset instant):
                output.WriteVarInt64((ulong)instant.UtcTicks);
                break;
            case (DataTypeKind.Row, Row nested) when nested.Schema.Equals(codec.Row!.Schema):
                codec.Row.WriteRow(output, nested);
                break;
            case (DataTypeKind.Array, IReadOnlyList<object?> elements):
                WriteArray(output, codec, elements);
                break;
            case (DataTypeKind.Map, IReadOnlyList<KeyValuePair<object, object?>> entries):
                WriteMap(output, codec, entries);
                break;
            default:
                var found = value is Row other ? $"a row of {other.Schema}" : $"a {value.GetType().Name}";
                throw new ElementMismatchException($"holds {found}, but its type is {codec.Type}");
        }
    }

    private static void WriteDecimal(StateWriter output, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var encoded = (magnitude << 1) | (UInt128)((uint)bits[3] >> 31);
        while (encoded >= 0x80)
        {
            output.WriteByte((byte)((byte)encoded | 0x80));
            encoded >>= 7;
        }
        output.WriteByte((byte)encoded);
        output.WriteByte((byte)((bits[3] >> 16) & 0xFF));
    }

    /// <summary>How to write one type: its kind, and the codecs of its parts (built once per schema).</summary>
    private sealed class Codec
    {
        public Codec(DataType type)
        {
            Type = type;
            Kind = type.Kind;
            Row = type.Fields is { } fields ? new RowStateSerializer(fields) : null;
            Element = type.ElementType is { } element ? new Codec(element) : null;
            Value = type.ValueType is { } value ? new Codec(value) : null;
        }

        public DataType Type { get; }

        public DataTypeKind Kind { get; }

        public RowStateSerializer? Row { get; }

        public Codec? Element { get; }

        public Codec? Value { get; }
    }

    /// <summary>An element that does not fit its type; the path is built as the exception unwinds (errors only).</summary>
    private sealed class ElementMismatchException(string problem) : Exception(problem)
    {
        private string _path = "";

        public string Problem { get; } = problem;

        public string Path => _path;

        public void Prepend(string segment) =>
            _path = _path.Length == 0 || _path[0] == '[' ? segment + _path : segment + "." + _path;
    }
}
