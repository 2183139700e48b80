using System.Reflection;
using System.Text;
using DuckDB.NET.Data;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>One column of a <see cref="TableLayout"/>.</summary>
/// <param name="Name">The column name: the field's (for records, the property's in snake_case).</param>
/// <param name="SqlType">The DuckDB type (<c>BIGINT</c>, <c>VARCHAR</c>, <c>DECIMAL(18,4)</c>…).</param>
/// <param name="IsNullable">Whether the field admits null (for records: the property is a reference type or <see cref="Nullable{T}"/>).</param>
/// <param name="Property">The .NET property name for a record; the field name for rows.</param>
internal sealed record TableColumn(string Name, string SqlType, bool IsNullable, string Property);

/// <summary>Builds <see cref="TableSchema{T}"/>: cached per record type, or for rows of an explicit schema.</summary>
internal static class TableSchema
{
    /// <summary>The table shape of record type <typeparamref name="T"/>, built once per type.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no usable public properties, is <see cref="Row"/>
    /// (rows need <see cref="ForRows"/>), or two properties map to one column.</exception>
    /// <exception cref="NotSupportedException">A property's type has no SQL type (see <see cref="RowConverter{T}"/>).</exception>
    public static TableSchema<T> For<T>() => TableSchema<T>.Instance;

    /// <summary>The table shape of rows of <paramref name="schema"/>: one column per field, named as the field, typed by <see cref="TableLayout.ColumnType"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> is null.</exception>
    public static TableSchema<Row> ForRows(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new TableSchema<Row>(new TableLayout(schema, schema.Select(f => f.Name).ToArray(), recordColumns: false), converter: null);
    }

    /// <summary>The columns as a lineage schema facet's fields (name, DuckDB type).</summary>
    public static IReadOnlyList<Lineage.SchemaField> LineageFields(IReadOnlyList<TableColumn> columns)
    {
        var fields = new Lineage.SchemaField[columns.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new Lineage.SchemaField(columns[i].Name, columns[i].SqlType);
        }
        return fields;
    }

    /// <summary>A SQL identifier in double quotes (embedded quotes doubled).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A SQL string literal in single quotes (embedded quotes doubled).</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>
/// How values of <typeparamref name="T"/> become table rows: the <see cref="TableLayout"/> (columns, DuckDB types and the
/// appender of <see cref="Row"/>s) and, for a record type, its <see cref="RowConverter{T}"/> (compiled once: no
/// reflection per value). Immutable and thread-safe; the scratch rows passed to <see cref="ToRow"/> are the caller's.
/// </summary>
/// <remarks>
/// <para>
/// A record maps as <see cref="RowConverter{T}"/> maps it, with what earlier versions of the DuckDB sinks created kept
/// so existing tables stay valid: columns are the snake_case of the field names (<c>EventId</c> → <c>event_id</c>); a
/// <c>decimal</c> without <see cref="DataTypeHintAttribute"/> is DECIMAL(18,4) (rounded half away from zero to 4
/// decimals; 10^14 or more fails the write with <see cref="OverflowException"/> naming the column), <c>float</c>
/// columns are DOUBLE and <see cref="DateTimeOffset"/> columns TIMESTAMP holding UTC; a reference-type property
/// accepts null whatever its annotation.
/// </para>
/// </remarks>
/// <typeparam name="T">Record type, or <see cref="Row"/>.</typeparam>
internal sealed class TableSchema<T>
{
    // Lazy, not a static initializer: a type without columns must surface as ArgumentException, not TypeInitializationException.
    private static readonly Lazy<TableSchema<T>> s_instance = new(BuildForRecord);

    private readonly RowConverter<T>? _converter;

    internal TableSchema(TableLayout layout, RowConverter<T>? converter)
    {
        Layout = layout;
        _converter = converter;
    }

    /// <summary>The shape of record type <typeparamref name="T"/>, built on first use.</summary>
    internal static TableSchema<T> Instance => s_instance.Value;

    /// <summary>The columns and the row appender.</summary>
    public TableLayout Layout { get; }

    /// <summary>The schema of the rows appended.</summary>
    public Schema Schema => Layout.Schema;

    /// <summary>The columns, in field order.</summary>
    public IReadOnlyList<TableColumn> Columns => Layout.Columns;

    /// <summary>The quoted column names joined with ", " — for column lists in SQL.</summary>
    public string ColumnList => Layout.ColumnList;

    /// <summary>Column definitions (<c>"name" TYPE, …</c>) for <c>CREATE TABLE</c>.</summary>
    public string ColumnDefinitions => Layout.ColumnDefinitions;

    /// <summary>Whether a column of this name exists.</summary>
    public bool HasColumn(string name) => Layout.HasColumn(name);

    /// <summary>
    /// <paramref name="value"/> as a row of <see cref="Schema"/>: written into <paramref name="scratch"/> (a row of
    /// <see cref="Schema"/> the caller reuses) for a record, or <paramref name="value"/> itself when it is a row.
    /// </summary>
    /// <exception cref="ArgumentException">A row of another schema; or a null property in a NOT NULL field.</exception>
    /// <exception cref="OverflowException">A decimal does not fit its column.</exception>
    public Row ToRow(T value, Row scratch)
    {
        if (_converter is not null)
        {
            _converter.ToRow(value, scratch);
            return scratch;
        }
        var row = (Row)(object)value!;
        if (!ReferenceEquals(row.Schema, Schema) && !row.Schema.Equals(Schema))
        {
            throw new ArgumentException($"The sink writes rows of {Schema}, not of {row.Schema}.", nameof(value));
        }
        return row;
    }

    /// <summary>
    /// Appends the values of <paramref name="value"/>'s columns to <paramref name="row"/>, which must belong to an
    /// appender on a table whose first columns are <see cref="Columns"/> (the caller appends any further columns and
    /// ends the row). Allocates a row per call: writers use <see cref="ToRow"/> with a scratch row instead.
    /// </summary>
    /// <exception cref="OverflowException">A decimal does not fit its column.</exception>
    public void AppendColumns(IDuckDBAppenderRow row, T value) => Layout.AppendColumns(row, ToRow(value, new Row(Schema)));

    private static TableSchema<T> BuildForRecord()
    {
        if (typeof(T) == typeof(Row))
        {
            throw new ArgumentException("Rows carry no schema of their own type: create the sink with an explicit Schema (DuckDbWarehouseSink.ForRows, ParquetLakeSink.ForRows, or ToDuckDb(stream, path, table, schema)).", nameof(T));
        }
        var converter = TableColumns.For<T>();
        var properties = converter.Properties.Select(p => p.Name).ToArray();
        return new TableSchema<T>(new TableLayout(converter.Schema, properties, recordColumns: true), converter);
    }
}
