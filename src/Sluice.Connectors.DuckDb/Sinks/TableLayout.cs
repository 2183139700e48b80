using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// The DuckDB columns of a <see cref="Schemas.Schema"/> and the appender of its <see cref="Row"/>s. Column types
/// (<see cref="ColumnType"/>): BOOLEAN → BOOLEAN, INT → INTEGER, BIGINT → BIGINT, FLOAT → FLOAT, DOUBLE → DOUBLE,
/// DECIMAL(p, s) → DECIMAL(p,s), VARCHAR → VARCHAR, BYTES → BLOB, DATE → DATE, TIME → TIME, TIMESTAMP → TIMESTAMP,
/// TIMESTAMP_LTZ → TIMESTAMPTZ (DuckDB keeps microseconds: finer digits are dropped); ROW, ARRAY and MAP → VARCHAR
/// holding the value in Flink's text notation (<c>+I[1, a]</c>, <c>[1, 2]</c>, <c>{k=1}</c>), as the appender cannot
/// write nested values yet. Columns carry no NOT NULL: nullability is enforced by the row, and an added column must
/// accept the table's existing rows.
/// </summary>
/// <remarks>
/// Each value is appended with DuckDB.NET's overload for exactly its column's type: DuckDB.NET writes values into the
/// column vector as they are, so a value of another width would corrupt the row. Immutable and thread-safe;
/// <see cref="AppendColumns"/> is single-threaded per appender like the appender itself.
/// </remarks>
internal sealed class TableLayout
{
    private readonly DataTypeKind[] _kinds;
    private readonly bool _recordColumns;

    /// <summary>Lays out <paramref name="schema"/>.</summary>
    /// <param name="schema">The rows' schema; its field names are the column names.</param>
    /// <param name="properties">Per field, the name reported in <see cref="TableColumn.Property"/>.</param>
    /// <param name="recordColumns">
    /// Record tables as earlier versions created them: FLOAT in DOUBLE columns, TIMESTAMP_LTZ in TIMESTAMP columns
    /// holding UTC.
    /// </param>
    public TableLayout(Schema schema, IReadOnlyList<string> properties, bool recordColumns)
    {
        Schema = schema;
        _recordColumns = recordColumns;
        _kinds = new DataTypeKind[schema.Count];
        var columns = new TableColumn[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            var type = schema[i].Type;
            _kinds[i] = type.Kind;
            var sqlType = recordColumns && type.Kind == DataTypeKind.Float ? "DOUBLE"
                : recordColumns && type.Kind == DataTypeKind.TimestampLtz ? "TIMESTAMP"
                : ColumnType(type);
            columns[i] = new TableColumn(schema[i].Name, sqlType, type.IsNullable, properties[i]);
        }
        Columns = columns;
        ColumnList = string.Join(", ", columns.Select(c => TableSchema.Quote(c.Name)));
        ColumnDefinitions = string.Join(", ", columns.Select(c => $"{TableSchema.Quote(c.Name)} {c.SqlType}"));
    }

    /// <summary>The rows' schema.</summary>
    public Schema Schema { get; }

    /// <summary>The columns, in field order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The quoted column names joined with ", " — for column lists in SQL.</summary>
    public string ColumnList { get; }

    /// <summary>Column definitions (<c>"name" TYPE, …</c>) for <c>CREATE TABLE</c>.</summary>
    public string ColumnDefinitions { get; }

    /// <summary>Whether a column of this name exists.</summary>
    public bool HasColumn(string name) => Schema.IndexOf(name) >= 0;

    /// <summary>The DuckDB column type of <paramref name="type"/> (see the class remarks).</summary>
    public static string ColumnType(DataType type) => type.Kind switch
    {
        DataTypeKind.Boolean => "BOOLEAN",
        DataTypeKind.Int => "INTEGER",
        DataTypeKind.BigInt => "BIGINT",
        DataTypeKind.Float => "FLOAT",
        DataTypeKind.Double => "DOUBLE",
        DataTypeKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision},{type.Scale})"),
        DataTypeKind.Bytes => "BLOB",
        DataTypeKind.Date => "DATE",
        DataTypeKind.Time => "TIME",
        DataTypeKind.Timestamp => "TIMESTAMP",
        DataTypeKind.TimestampLtz => "TIMESTAMPTZ",
        _ => "VARCHAR",
    };

    /// <summary>
    /// Fails on a row that must not be appended: a retraction (<see cref="RowKind.Delete"/> unless
    /// <paramref name="acceptsDeletes"/>, <see cref="RowKind.UpdateBefore"/>), which the sink would otherwise write as if it
    /// were new data. Callers check each row before <see cref="AppendColumns"/>.
    /// </summary>
    /// <param name="value">The row.</param>
    /// <param name="acceptsDeletes">True when the caller stages the row kind and applies deletes itself.</param>
    /// <param name="table">The table written, named by the error.</param>
    /// <exception cref="NotSupportedException">A retraction: one sentence naming the table and the row.</exception>
    public static void EnsureAppendable(Row value, bool acceptsDeletes, string table)
    {
        if (value.Kind == RowKind.UpdateBefore || (value.Kind == RowKind.Delete && !acceptsDeletes))
        {
            throw new NotSupportedException(
                $"The DuckDB sink of table '{table}' received the retraction {value}; it applies inserts and updates only, so deletes and update-befores of a changelog cannot be written (filter them out, or keep the stream append-only).");
        }
    }

    /// <summary>
    /// Appends the fields of <paramref name="value"/> to <paramref name="row"/>, which must belong to an appender on a
    /// table whose first columns are <see cref="Columns"/> (the caller appends any further columns and ends the row).
    /// Allocates nothing for scalar fields.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not of <see cref="Schema"/>.</exception>
    /// <param name="row">The appender row.</param>
    /// <param name="value">The row to append.</param>
    /// <remarks>Row kinds are not checked here: a caller that stages rows checks them with <see cref="EnsureAppendable"/> first.</remarks>
    public void AppendColumns(IDuckDBAppenderRow row, Row value)
    {
        if (!ReferenceEquals(value.Schema, Schema) && !value.Schema.Equals(Schema))
        {
            throw new ArgumentException($"The table holds rows of {Schema}, not of {value.Schema}.", nameof(value));
        }
        for (var i = 0; i < _kinds.Length; i++)
        {
            if (value.IsNull(i))
            {
                row.AppendNullValue();
                continue;
            }
            switch (_kinds[i])
            {
                case DataTypeKind.Boolean:
                    row.AppendValue((bool?)value.GetBoolean(i));
                    break;
                case DataTypeKind.Int:
                    row.AppendValue((int?)value.GetInt32(i));
                    break;
                case DataTypeKind.BigInt:
                    row.AppendValue((long?)value.GetInt64(i));
                    break;
                case DataTypeKind.Float when _recordColumns:
                    row.AppendValue((double?)value.GetSingle(i));
                    break;
                case DataTypeKind.Float:
                    row.AppendValue((float?)value.GetSingle(i));
                    break;
                case DataTypeKind.Double:
                    row.AppendValue((double?)value.GetDouble(i));
                    break;
                case DataTypeKind.Decimal:
                    row.AppendValue((decimal?)value.GetDecimal(i));
                    break;
                case DataTypeKind.Varchar:
                    row.AppendValue(value.GetString(i));
                    break;
                case DataTypeKind.Bytes:
                    row.AppendValue(value.GetBytes(i));
                    break;
                case DataTypeKind.Date:
                    row.AppendValue((DuckDBDateOnly?)value.GetDate(i));
                    break;
                case DataTypeKind.Time:
                    row.AppendValue((DuckDBTimeOnly?)value.GetTime(i));
                    break;
                case DataTypeKind.Timestamp:
                    row.AppendValue((DateTime?)value.GetTimestamp(i));
                    break;
                case DataTypeKind.TimestampLtz when _recordColumns:
                    row.AppendValue((DateTime?)value.GetTimestampLtz(i).UtcDateTime);
                    break;
                case DataTypeKind.TimestampLtz:
                    row.AppendValue((DateTimeOffset?)value.GetTimestampLtz(i));
                    break;
                default:
                    row.AppendValue(Row.FormatValue(value.GetValue(i)));
                    break;
            }
        }
    }
}
