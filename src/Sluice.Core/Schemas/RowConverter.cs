using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Sluice.Schemas;

/// <summary>
/// Maps a C# record or class <typeparamref name="T"/> to a <see cref="Schemas.Schema"/> and converts between values and
/// <see cref="Row"/>s with delegates compiled once per type (System.Linq.Expressions): no reflection per record.
/// </summary>
/// <remarks>
/// <para>
/// Fields: a positional record's positional properties in declaration order; for any other type its public instance
/// properties with a getter, in declaration order. A field is named after its property, or by
/// <see cref="FieldNameAttribute"/>. Types: <c>bool</c> → BOOLEAN; <c>byte</c>, <c>sbyte</c>, <c>short</c>,
/// <c>ushort</c>, <c>int</c> → INT; <c>uint</c>, <c>long</c> → BIGINT; <c>ulong</c> → DECIMAL(20, 0); <c>float</c> →
/// FLOAT; <c>double</c> → DOUBLE; <c>decimal</c> → DECIMAL(28, 10); <c>string</c> → VARCHAR; <c>byte[]</c> → BYTES;
/// <see cref="DateOnly"/> → DATE; <see cref="TimeOnly"/> → TIME(7); <see cref="DateTime"/> → TIMESTAMP(7);
/// <see cref="DateTimeOffset"/> → TIMESTAMP_LTZ(7); an enum → VARCHAR (its name); <see cref="Guid"/> → VARCHAR
/// (<c>D</c> format); another record, class or struct of your own → ROW of its fields; <c>T[]</c>,
/// <see cref="List{T}"/>, <see cref="IReadOnlyList{T}"/> → ARRAY; <see cref="Dictionary{TKey, TValue}"/>,
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/> → MAP. <see cref="DataTypeHintAttribute"/> changes a type's
/// parameters (<c>[DataTypeHint("DECIMAL(18, 4)")]</c>, <c>[DataTypeHint("TIMESTAMP(3)")]</c>).
/// </para>
/// <para>
/// Nullability: a value type is NOT NULL unless it is <see cref="Nullable{T}"/>; a reference type is NOT NULL when
/// its nullable annotation says so (<c>string</c> in a <c>#nullable enable</c> context) and nullable otherwise
/// (<c>string?</c>, or code without annotations). The same holds for array elements and map values.
/// </para>
/// <para>
/// Conversions: a <see cref="DateTime"/> of kind Local is converted to UTC first, then kept as wall-clock time (the row
/// ignores the kind); values read back are of kind Unspecified. Decimals are rounded to the field's scale and
/// times to its precision, as <see cref="Row"/> does. Reading a value back checks narrowing (an INT that does not fit a
/// <c>short</c> throws <see cref="OverflowException"/>), parses enum names and Guids, and builds arrays, lists and
/// dictionaries.
/// </para>
/// <para>
/// Errors surface once, when the converter is built (<see cref="Default"/> or <see cref="ForSchema"/>): a property of a
/// type that has no SQL type throws <see cref="NotSupportedException"/> naming the type and property. Immutable and
/// thread-safe; each call converts one value on the caller's thread.
/// </para>
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class RowConverter<T>
{
    // Lazy, not a static initializer: an unsupported type must surface as its own exception, not TypeInitializationException.
    private static readonly Lazy<RowConverter<T>> s_default = new(() => new RowConverter<T>(RecordMapping.For(typeof(T))));

    private readonly RecordMapping _mapping;
    private readonly Action<T, Row> _toRow;
    private Func<Row, T>? _fromRow;

    private RowConverter(RecordMapping mapping)
        : this(mapping, mapping.Schema)
    {
    }

    private RowConverter(RecordMapping mapping, Schema schema)
    {
        _mapping = mapping;
        _toRow = (Action<T, Row>)mapping.ToRow;
        Schema = schema;
    }

    /// <summary>The converter of <typeparamref name="T"/> with its mapped schema, built on first use and shared.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a record or class with public properties.</exception>
    /// <exception cref="NotSupportedException">A property's type has no SQL type, or a hint does not fit its property; the message names both.</exception>
    public static RowConverter<T> Default => s_default.Value;

    /// <summary>The schema rows of this converter have.</summary>
    public Schema Schema { get; }

    /// <summary>The property each field is read from and written to, in field order.</summary>
    public IReadOnlyList<PropertyInfo> Properties => _mapping.Properties;

    /// <summary>
    /// A converter of <typeparamref name="T"/> to rows of <paramref name="schema"/> instead of the mapped one: field
    /// <c>i</c> still holds property <c>i</c>, but the names, the nullability and the parameters of the types may differ
    /// (for example a table's <c>DECIMAL(18, 4)</c> where the record maps to <c>DECIMAL(28, 10)</c>, or a nullable field
    /// for a <c>string</c> property). Kinds must match, and an ARRAY, MAP or ROW type must equal the mapped one apart
    /// from its own nullability.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> is null.</exception>
    /// <exception cref="ArgumentException">The schema does not fit; the message names the first field that does not.</exception>
    public static RowConverter<T> ForSchema(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var mapping = Default._mapping;
        var mapped = mapping.Schema;
        if (schema.Count != mapped.Count)
        {
            throw new ArgumentException($"{typeof(T).Name} maps to {mapped.Count} fields ({mapped}) but the schema has {schema.Count} ({schema}).", nameof(schema));
        }
        for (var i = 0; i < schema.Count; i++)
        {
            if (!RecordMapping.Fits(mapped[i].Type, schema[i].Type))
            {
                throw new ArgumentException(
                    $"Field '{schema[i].Name}' ({schema[i].Type}) cannot hold property {typeof(T).Name}.{mapping.Properties[i].Name}, which maps to {mapped[i].Type}.",
                    nameof(schema));
            }
        }
        return new RowConverter<T>(mapping, schema);
    }

    /// <summary>A new <see cref="RowKind.Insert"/> row of <see cref="Schema"/> holding <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException">A null property maps to a NOT NULL field; the message names the field.</exception>
    /// <exception cref="OverflowException">A decimal does not fit its field's precision.</exception>
    public Row ToRow(T value)
    {
        var row = new Row(Schema);
        ToRow(value, row);
        return row;
    }

    /// <summary>
    /// Writes <paramref name="value"/> into every field of <paramref name="row"/> (its <see cref="Row.Kind"/> is left as it
    /// is), so one row can be reused per record: for a record of numbers, booleans, dates and times, declared enum values
    /// and strings this allocates nothing. Nested records, arrays, maps and Guids allocate their row values.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The row's schema is not <see cref="Schema"/>, or a null property maps to a NOT NULL field. The fields before it
    /// are already written.
    /// </exception>
    /// <exception cref="OverflowException">A decimal does not fit its field's precision.</exception>
    public void ToRow(T value, Row row)
    {
        if (value is null)
        {
            ThrowNull(nameof(value));
        }
        ArgumentNullException.ThrowIfNull(row);
        if (!ReferenceEquals(row.Schema, Schema) && !row.Schema.Equals(Schema))
        {
            ThrowSchemaMismatch(row.Schema, nameof(row));
        }
        _toRow(value, row);
    }

    /// <summary>A new <typeparamref name="T"/> holding the fields of <paramref name="row"/> (its kind is ignored).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="row"/> is null.</exception>
    /// <exception cref="ArgumentException">The row's schema is not <see cref="Schema"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// <typeparamref name="T"/> has no public constructor taking the properties it cannot set; or a null field maps to a
    /// property of a non-nullable value type. The message names the type or the field.
    /// </exception>
    /// <exception cref="OverflowException">A value does not fit its narrower property (an INT in a <c>short</c>…).</exception>
    /// <exception cref="FormatException">A VARCHAR is not a name of the property's enum, or not a Guid.</exception>
    public T FromRow(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!ReferenceEquals(row.Schema, Schema) && !row.Schema.Equals(Schema))
        {
            ThrowSchemaMismatch(row.Schema, nameof(row));
        }
        return (_fromRow ??= (Func<Row, T>)_mapping.FromRow)(row);
    }

    [DoesNotReturn]
    private static void ThrowNull(string parameter) => throw new ArgumentNullException(parameter);

    [DoesNotReturn]
    private void ThrowSchemaMismatch(Schema other, string parameter) =>
        throw new ArgumentException($"The row is of {other}, but {typeof(T).Name} converts rows of {Schema}.", parameter);
}
