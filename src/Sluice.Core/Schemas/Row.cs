using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Sluice.Schemas;

/// <summary>
/// One row of a <see cref="Schema"/>, with its changelog <see cref="Kind"/>. Fixed-width fields live unboxed in 64-bit
/// slots, so typed accessors (<see cref="GetInt64"/>, <see cref="SetDouble"/>…) read and write without boxing or
/// allocation; strings, byte arrays and nested values are references. Generated code (SQL) addresses fields by index.
/// </summary>
/// <remarks>
/// <para>Contracts: a new row is an <see cref="RowKind.Insert"/> whose fields are all null. A typed accessor must match
/// the field's kind exactly (<see cref="GetInt32"/> for INT, <see cref="GetInt64"/> for BIGINT…) or it throws
/// <see cref="InvalidCastException"/> naming the field; a null field reads as the type's default, so check
/// <see cref="IsNull"/> first. Setting null on a NOT NULL field throws. Stored byte arrays, arrays and maps are
/// not copied: treat them as immutable once set.</para>
/// <para>Values are normalised on the way in: a DECIMAL is rounded half away from zero to the field's scale and must
/// fit its precision (else <see cref="OverflowException"/>); TIME and TIMESTAMP values are truncated to the field's
/// fractional-second precision (precision 8 and 9 keep .NET's 100 ns resolution).</para>
/// <para>Memory: the row object, one <c>long[]</c> (the fixed-width slots, then the null bits, a word per 64 fields) and,
/// when the schema has reference fields, one <c>object[]</c>: two or three allocations per row (one without fields). A
/// DECIMAL takes two slots, so its 16-byte value never reaches the null bits.</para>
/// <para>Not thread-safe: a row belongs to one thread at a time.</para>
/// </remarks>
public sealed class Row : IEquatable<Row>
{
    private static readonly long[] s_tickDivisors = [10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
    private static readonly decimal[] s_zeros = [.. Enumerable.Range(0, DataType.MaxDecimalPrecision + 1).Select(scale => new decimal(0, 0, 0, false, (byte)scale))];

    private readonly Schema _schema;
    private readonly RowLayout _layout;
    private readonly long[] _fixed; // the fixed-width slots, then one word of null bits per 64 fields
    private readonly object?[] _references;
    private readonly int _nullBase; // where the null bits start in _fixed

    /// <summary>Creates an <see cref="RowKind.Insert"/> row of <paramref name="schema"/> with every field null.</summary>
    public Row(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
        _layout = schema.Layout;
        _nullBase = _layout.FixedSlots;
        var words = _nullBase + ((schema.Count + 63) >> 6);
        _fixed = words == 0 ? [] : new long[words];
        _references = _layout.ReferenceSlots == 0 ? [] : new object?[_layout.ReferenceSlots];
        for (var i = 0; i < schema.Count; i++)
        {
            NullWord(i) |= 1UL << i;
        }
    }

    /// <summary>Creates a row of <paramref name="schema"/> holding <paramref name="values"/> in field order (see <see cref="SetValue"/>).</summary>
    /// <exception cref="ArgumentException">The number of values is not the number of fields.</exception>
    public static Row Of(Schema schema, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != schema.Count)
        {
            throw new ArgumentException($"The schema has {schema.Count} fields but {values.Length} values were given.", nameof(values));
        }
        var row = new Row(schema);
        for (var i = 0; i < values.Length; i++)
        {
            row.SetValue(i, values[i]);
        }
        return row;
    }

    /// <summary>The row's schema.</summary>
    public Schema Schema => _schema;

    /// <summary>What the row means in a changelog; <see cref="RowKind.Insert"/> for an append-only stream.</summary>
    public RowKind Kind { get; set; }

    /// <summary>The number of fields.</summary>
    public int FieldCount => _schema.Count;

    /// <summary>Whether field <paramref name="index"/> is null.</summary>
    public bool IsNull(int index)
    {
        CheckIndex(index);
        return (NullWord(index) & (1UL << index)) != 0;
    }

    /// <summary>Sets field <paramref name="index"/> to null.</summary>
    /// <exception cref="ArgumentException">The field is NOT NULL.</exception>
    public void SetNull(int index)
    {
        CheckIndex(index);
        if (!_schema[index].Type.IsNullable)
        {
            throw new ArgumentException($"Field '{_schema[index].Name}' is {_schema[index].Type}; it cannot be set to null.", nameof(index));
        }
        NullWord(index) |= 1UL << index;
        var slot = _layout.Slots[index];
        if (RowLayout.IsReference(_layout.Kinds[index]))
        {
            _references[slot] = null;
        }
        else
        {
            _fixed[slot] = 0;
            if (_layout.Kinds[index] == DataTypeKind.Decimal)
            {
                _fixed[slot + 1] = 0;
            }
        }
    }

    /// <summary>
    /// Copies field <paramref name="index"/> into field <paramref name="targetIndex"/> of <paramref name="target"/>, which
    /// must have the same type, without boxing (a projection: the filesystem sink's file body without partition
    /// columns). References (strings, nested values) are shared, not cloned.
    /// </summary>
    internal void CopyFieldTo(int index, Row target, int targetIndex)
    {
        CheckIndex(index);
        target.CheckIndex(targetIndex);
        var kind = _layout.Kinds[index];
        if (kind != target._layout.Kinds[targetIndex])
        {
            // Checked in every build: a DECIMAL copied into another kind would write past its slot (into the null bits).
            throw new InvalidOperationException($"Field {index} ({kind}) cannot be copied into field {targetIndex} ({target._layout.Kinds[targetIndex]}): a projection copies between fields of one kind.");
        }
        var slot = _layout.Slots[index];
        var targetSlot = target._layout.Slots[targetIndex];
        if (RowLayout.IsReference(kind))
        {
            target._references[targetSlot] = _references[slot];
        }
        else
        {
            target._fixed[targetSlot] = _fixed[slot];
            if (kind == DataTypeKind.Decimal)
            {
                target._fixed[targetSlot + 1] = _fixed[slot + 1];
            }
        }
        var bit = 1UL << targetIndex;
        if ((NullWord(index) & (1UL << index)) != 0)
        {
            target.NullWord(targetIndex) |= bit;
        }
        else
        {
            target.NullWord(targetIndex) &= ~bit;
        }
    }

    /// <summary>Reads a BOOLEAN field.</summary>
    public bool GetBoolean(int index) => _fixed[Slot(index, DataTypeKind.Boolean)] != 0;

    /// <summary>Writes a BOOLEAN field.</summary>
    public void SetBoolean(int index, bool value) => SetFixed(index, DataTypeKind.Boolean, value ? 1 : 0);

    /// <summary>Reads an INT field.</summary>
    public int GetInt32(int index) => (int)_fixed[Slot(index, DataTypeKind.Int)];

    /// <summary>Writes an INT field.</summary>
    public void SetInt32(int index, int value) => SetFixed(index, DataTypeKind.Int, value);

    /// <summary>Reads a BIGINT field.</summary>
    public long GetInt64(int index) => _fixed[Slot(index, DataTypeKind.BigInt)];

    /// <summary>Writes a BIGINT field.</summary>
    public void SetInt64(int index, long value) => SetFixed(index, DataTypeKind.BigInt, value);

    /// <summary>Reads a FLOAT field.</summary>
    public float GetSingle(int index) => BitConverter.Int32BitsToSingle((int)_fixed[Slot(index, DataTypeKind.Float)]);

    /// <summary>Writes a FLOAT field.</summary>
    public void SetSingle(int index, float value) => SetFixed(index, DataTypeKind.Float, BitConverter.SingleToInt32Bits(value));

    /// <summary>Reads a DOUBLE field.</summary>
    public double GetDouble(int index) => BitConverter.Int64BitsToDouble(_fixed[Slot(index, DataTypeKind.Double)]);

    /// <summary>Writes a DOUBLE field.</summary>
    public void SetDouble(int index, double value) => SetFixed(index, DataTypeKind.Double, BitConverter.DoubleToInt64Bits(value));

    /// <summary>Reads a DECIMAL field.</summary>
    public decimal GetDecimal(int index) => Unsafe.As<long, decimal>(ref _fixed[Slot(index, DataTypeKind.Decimal)]);

    /// <summary>Writes a DECIMAL field, rounded half away from zero to the field's scale.</summary>
    /// <exception cref="OverflowException">The rounded value has more integer digits than precision − scale allows.</exception>
    public void SetDecimal(int index, decimal value)
    {
        var slot = Slot(index, DataTypeKind.Decimal);
        var type = _schema[index].Type;
        if (!type.TryRoundDecimal(value, out var rounded))
        {
            throw new OverflowException($"The value {value} does not fit field '{_schema[index].Name}' of type {type}.");
        }
        // Equal values have equal slots: the scale is always the field's (adding a zero of that scale sets it) and zero has no sign.
        Unsafe.As<long, decimal>(ref _fixed[slot]) = rounded == 0m ? s_zeros[type.Scale] : rounded + s_zeros[type.Scale];
        ClearNull(index);
    }

    /// <summary>Reads a VARCHAR field.</summary>
    public string? GetString(int index) => Unsafe.As<string>(_references[Slot(index, DataTypeKind.Varchar)]);

    /// <summary>Writes a VARCHAR field; null sets the field to null.</summary>
    public void SetString(int index, string? value) => SetReference(index, DataTypeKind.Varchar, value);

    /// <summary>Reads a BYTES field. The array is the row's own: do not modify it.</summary>
    public byte[]? GetBytes(int index) => Unsafe.As<byte[]>(_references[Slot(index, DataTypeKind.Bytes)]);

    /// <summary>Writes a BYTES field (the array is kept, not copied); null sets the field to null.</summary>
    public void SetBytes(int index, byte[]? value) => SetReference(index, DataTypeKind.Bytes, value);

    /// <summary>Reads a DATE field.</summary>
    public DateOnly GetDate(int index) => DateOnly.FromDayNumber((int)_fixed[Slot(index, DataTypeKind.Date)]);

    /// <summary>Writes a DATE field.</summary>
    public void SetDate(int index, DateOnly value) => SetFixed(index, DataTypeKind.Date, value.DayNumber);

    /// <summary>Reads a TIME field.</summary>
    public TimeOnly GetTime(int index) => new(_fixed[Slot(index, DataTypeKind.Time)]);

    /// <summary>Writes a TIME field, truncated to the field's precision.</summary>
    public void SetTime(int index, TimeOnly value) => SetFixed(index, DataTypeKind.Time, Truncate(value.Ticks, _layout.Precisions[index]));

    /// <summary>Reads a TIMESTAMP field (kind Unspecified: a wall-clock time).</summary>
    public DateTime GetTimestamp(int index) => new(_fixed[Slot(index, DataTypeKind.Timestamp)], DateTimeKind.Unspecified);

    /// <summary>Writes a TIMESTAMP field, truncated to the field's precision; the value's kind is ignored (wall-clock).</summary>
    public void SetTimestamp(int index, DateTime value) => SetFixed(index, DataTypeKind.Timestamp, Truncate(value.Ticks, _layout.Precisions[index]));

    /// <summary>Reads a TIMESTAMP_LTZ field, at offset zero.</summary>
    public DateTimeOffset GetTimestampLtz(int index) => new(_fixed[Slot(index, DataTypeKind.TimestampLtz)], TimeSpan.Zero);

    /// <summary>Writes a TIMESTAMP_LTZ field (the instant; the offset is not kept), truncated to the field's precision.</summary>
    public void SetTimestampLtz(int index, DateTimeOffset value) => SetFixed(index, DataTypeKind.TimestampLtz, Truncate(value.UtcTicks, _layout.Precisions[index]));

    /// <summary>Reads a ROW field.</summary>
    public Row? GetRow(int index) => Unsafe.As<Row>(_references[Slot(index, DataTypeKind.Row)]);

    /// <summary>Writes a ROW field (the row is kept, not copied); null sets the field to null.</summary>
    /// <exception cref="ArgumentException">The row's schema is not the field's.</exception>
    public void SetRow(int index, Row? value)
    {
        if (value is not null && !value.Schema.Equals(_schema[index].Type.Fields))
        {
            throw new ArgumentException($"Field '{_schema[index].Name}' is {_schema[index].Type}; a row of {value.Schema} cannot be stored in it.", nameof(value));
        }
        SetReference(index, DataTypeKind.Row, value);
    }

    /// <summary>Reads an ARRAY field: its elements as their CLR values (see <see cref="DataTypeKind"/>), boxed.</summary>
    public IReadOnlyList<object?>? GetArray(int index) => Unsafe.As<IReadOnlyList<object?>>(_references[Slot(index, DataTypeKind.Array)]);

    /// <summary>Writes an ARRAY field (kept, not copied); null sets the field to null.</summary>
    public void SetArray(int index, IReadOnlyList<object?>? value) => SetReference(index, DataTypeKind.Array, value);

    /// <summary>Reads a MAP field: its entries in order, keys and values as their CLR values, boxed.</summary>
    public IReadOnlyList<KeyValuePair<object, object?>>? GetMap(int index) =>
        Unsafe.As<IReadOnlyList<KeyValuePair<object, object?>>>(_references[Slot(index, DataTypeKind.Map)]);

    /// <summary>Writes a MAP field (kept, not copied); null sets the field to null.</summary>
    public void SetMap(int index, IReadOnlyList<KeyValuePair<object, object?>>? value) => SetReference(index, DataTypeKind.Map, value);

    /// <summary>
    /// Reads any field as its CLR value (<see cref="DataType.ClrType"/>), boxed; null for a null field. For tools and
    /// tests: generated code uses the typed accessors.
    /// </summary>
    public object? GetValue(int index)
    {
        if (IsNull(index))
        {
            return null;
        }
        return _layout.Kinds[index] switch
        {
            DataTypeKind.Boolean => GetBoolean(index),
            DataTypeKind.Int => GetInt32(index),
            DataTypeKind.BigInt => GetInt64(index),
            DataTypeKind.Float => GetSingle(index),
            DataTypeKind.Double => GetDouble(index),
            DataTypeKind.Decimal => GetDecimal(index),
            DataTypeKind.Date => GetDate(index),
            DataTypeKind.Time => GetTime(index),
            DataTypeKind.Timestamp => GetTimestamp(index),
            DataTypeKind.TimestampLtz => GetTimestampLtz(index),
            _ => _references[_layout.Slots[index]],
        };
    }

    /// <summary>
    /// Writes any field from its CLR value (<see cref="DataType.ClrType"/>); null sets the field to null. Integral
    /// values widen (INT to BIGINT or DECIMAL, FLOAT to DOUBLE); a <see cref="DateTimeOffset"/> stores in TIMESTAMP_LTZ.
    /// </summary>
    /// <exception cref="InvalidCastException">The value's type does not fit the field; the message names both.</exception>
    public void SetValue(int index, object? value)
    {
        if (value is null)
        {
            SetNull(index);
            return;
        }
        CheckIndex(index);
        switch (_layout.Kinds[index], value)
        {
            case (DataTypeKind.Boolean, bool b):
                SetBoolean(index, b);
                break;
            case (DataTypeKind.Int, int i):
                SetInt32(index, i);
                break;
            case (DataTypeKind.Int, short s):
                SetInt32(index, s);
                break;
            case (DataTypeKind.Int, byte b):
                SetInt32(index, b);
                break;
            case (DataTypeKind.BigInt, long l):
                SetInt64(index, l);
                break;
            case (DataTypeKind.BigInt, int i):
                SetInt64(index, i);
                break;
            case (DataTypeKind.Float, float f):
                SetSingle(index, f);
                break;
            case (DataTypeKind.Double, double d):
                SetDouble(index, d);
                break;
            case (DataTypeKind.Double, float f):
                SetDouble(index, f);
                break;
            case (DataTypeKind.Decimal, decimal m):
                SetDecimal(index, m);
                break;
            case (DataTypeKind.Decimal, int i):
                SetDecimal(index, i);
                break;
            case (DataTypeKind.Decimal, long l):
                SetDecimal(index, l);
                break;
            case (DataTypeKind.Varchar, string s):
                SetString(index, s);
                break;
            case (DataTypeKind.Bytes, byte[] bytes):
                SetBytes(index, bytes);
                break;
            case (DataTypeKind.Date, DateOnly d):
                SetDate(index, d);
                break;
            case (DataTypeKind.Time, TimeOnly t):
                SetTime(index, t);
                break;
            case (DataTypeKind.Timestamp, DateTime t):
                SetTimestamp(index, t);
                break;
            case (DataTypeKind.TimestampLtz, DateTimeOffset t):
                SetTimestampLtz(index, t);
                break;
            case (DataTypeKind.Row, Row r):
                SetRow(index, r);
                break;
            case (DataTypeKind.Array, IReadOnlyList<object?> a):
                SetArray(index, a);
                break;
            case (DataTypeKind.Map, IReadOnlyList<KeyValuePair<object, object?>> m):
                SetMap(index, m);
                break;
            default:
                throw new InvalidCastException($"Field '{_schema[index].Name}' is {_schema[index].Type}; a value of type {value.GetType().Name} cannot be stored in it.");
        }
    }

    /// <summary>
    /// A copy of this row with the same kind: fixed-width values and strings copied, nested rows copied deeply; byte
    /// arrays, arrays and maps shared (they are immutable by contract).
    /// </summary>
    public Row Copy()
    {
        var copy = new Row(_schema) { Kind = Kind };
        _fixed.CopyTo(copy._fixed, 0); // values and null bits
        for (var i = 0; i < _references.Length; i++)
        {
            copy._references[i] = _references[i] is Row nested ? nested.Copy() : _references[i];
        }
        return copy;
    }

    /// <summary>Whether <paramref name="other"/> has the same kind, schema and field values (byte arrays, arrays and maps by content).</summary>
    public bool Equals(Row? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other.Kind != Kind || !other._schema.Equals(_schema) || !other._fixed.AsSpan().SequenceEqual(_fixed))
        {
            return false;
        }
        for (var i = 0; i < _references.Length; i++)
        {
            if (!ValueEquals(_references[i], other._references[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Row);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        foreach (var slot in _fixed)
        {
            hash.Add(slot);
        }
        foreach (var reference in _references)
        {
            hash.Add(reference is string or Row ? reference : null);
        }
        return hash.ToHashCode();
    }

    /// <summary>Flink's notation: <c>+I[1, Alice, null]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Kind switch
        {
            RowKind.Insert => "+I",
            RowKind.UpdateBefore => "-U",
            RowKind.UpdateAfter => "+U",
            _ => "-D",
        }).Append('[');
        for (var i = 0; i < FieldCount; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            AppendValue(text, GetValue(i));
        }
        return text.Append(']').ToString();
    }

    /// <summary>
    /// One field value as <see cref="ToString"/> prints it: <c>null</c>, <c>true</c>, <c>0x0A1B</c> for bytes, ISO 8601
    /// dates and times (an instant in UTC with <c>Z</c>), <c>[1, 2]</c> for an array, <c>{k=v}</c> for a map and
    /// <c>+I[…]</c> for a nested row; numbers in the invariant culture.
    /// </summary>
    /// <param name="value">A CLR value of a <see cref="DataTypeKind"/> (see there), or null.</param>
    public static string FormatValue(object? value)
    {
        var text = new StringBuilder();
        AppendValue(text, value);
        return text.ToString();
    }

    private static void AppendValue(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case byte[] bytes:
                text.Append("0x").Append(Convert.ToHexString(bytes));
                break;
            case IReadOnlyList<KeyValuePair<object, object?>> map:
                text.Append('{');
                for (var i = 0; i < map.Count; i++)
                {
                    text.Append(i > 0 ? ", " : string.Empty);
                    AppendValue(text, map[i].Key);
                    text.Append('=');
                    AppendValue(text, map[i].Value);
                }
                text.Append('}');
                break;
            case IReadOnlyList<object?> array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i > 0 ? ", " : string.Empty);
                    AppendValue(text, array[i]);
                }
                text.Append(']');
                break;
            // ISO 8601 as Flink prints dates and times: 2026-12-05, 13:45:01.25, 2026-12-05T13:45:01.25, …Z for an instant.
            case DateOnly date:
                text.Append(date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case TimeOnly time:
                text.Append(time.ToString("HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case DateTime timestamp:
                text.Append(timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset instant:
                text.Append(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IFormattable formattable:
                text.Append(formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(value);
                break;
        }
    }

    internal static bool ValueEquals(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (IReadOnlyList<KeyValuePair<object, object?>> a, IReadOnlyList<KeyValuePair<object, object?>> b) => MapEquals(a, b),
        (IReadOnlyList<object?> a, IReadOnlyList<object?> b) => ListEquals(a, b),
        _ => left.Equals(right),
    };

    private static bool ListEquals(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!ValueEquals(a[i], b[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool MapEquals(IReadOnlyList<KeyValuePair<object, object?>> a, IReadOnlyList<KeyValuePair<object, object?>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!ValueEquals(a[i].Key, b[i].Key) || !ValueEquals(a[i].Value, b[i].Value))
            {
                return false;
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(int index, DataTypeKind kind)
    {
        if ((uint)index >= (uint)_layout.Kinds.Length || _layout.Kinds[index] != kind)
        {
            ThrowKindMismatch(index, kind);
        }
        return _layout.Slots[index];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetFixed(int index, DataTypeKind kind, long value)
    {
        _fixed[Slot(index, kind)] = value;
        ClearNull(index);
    }

    private void SetReference(int index, DataTypeKind kind, object? value)
    {
        var slot = Slot(index, kind);
        if (value is null)
        {
            SetNull(index);
            return;
        }
        // The array is always exactly object?[] (made here), so skip the covariant store check: it reads the value's
        // type, a cache miss per value for strings the row has not touched (a source converting cold records).
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_references), (uint)slot < (uint)_references.Length ? slot : ThrowSlot()) = value;
        ClearNull(index);
    }

    [DoesNotReturn]
    private static int ThrowSlot() => throw new InvalidOperationException("A row's reference slot is outside its layout.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ClearNull(int index) => NullWord(index) &= ~(1UL << index);

    /// <summary>The word of <see cref="_fixed"/> holding field <paramref name="index"/>'s null bit (bit <c>index % 64</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong NullWord(int index) => ref Unsafe.As<long, ulong>(ref _fixed[_nullBase + (index >> 6)]);

    private static long Truncate(long ticks, int precision) =>
        precision >= 7 ? ticks : ticks - (ticks % s_tickDivisors[precision]);

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)_layout.Kinds.Length)
        {
            ThrowIndex(index);
        }
    }

    [DoesNotReturn]
    private void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The row has {FieldCount} fields.");

    [DoesNotReturn]
    private void ThrowKindMismatch(int index, DataTypeKind kind)
    {
        CheckIndex(index);
        throw new InvalidCastException($"Field '{_schema[index].Name}' is {_schema[index].Type}, not {kind}.");
    }

}
