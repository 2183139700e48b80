using Npgsql;
using NpgsqlTypes;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Sinks;

/// <summary>
/// How a <see cref="Schema"/>'s fields become PostgreSQL columns: the type each field gets in a created table, and
/// how a row's value is written in binary COPY. Nested types (ROW, ARRAY, MAP) are not supported yet.
/// </summary>
internal static class PostgresColumns
{
    /// <summary>The PostgreSQL type of <paramref name="type"/>, as a created table declares it.</summary>
    /// <exception cref="NotSupportedException">A nested type.</exception>
    public static string SqlType(DataType type, string field) => type.Kind switch
    {
        DataTypeKind.Boolean => "boolean",
        DataTypeKind.Int => "integer",
        DataTypeKind.BigInt => "bigint",
        DataTypeKind.Float => "real",
        DataTypeKind.Double => "double precision",
        DataTypeKind.Decimal => $"numeric({type.Precision}, {type.Scale})",
        DataTypeKind.Varchar => "text",
        DataTypeKind.Bytes => "bytea",
        DataTypeKind.Date => "date",
        DataTypeKind.Time => $"time({Math.Min(type.Precision, 6)})",
        DataTypeKind.Timestamp => $"timestamp({Math.Min(type.Precision, 6)})",
        DataTypeKind.TimestampLtz => $"timestamptz({Math.Min(type.Precision, 6)})",
        _ => throw new NotSupportedException($"Field '{field}' has type {type}; the PostgreSQL sink writes scalar types only (no ROW, ARRAY or MAP yet)."),
    };

    /// <summary>
    /// The PostgreSQL type names (as <c>pg_type.typname</c> reports them, via <c>format_type</c> without modifiers) an
    /// existing column may have to take values of <paramref name="type"/> without loss.
    /// </summary>
    public static IReadOnlyList<string> AcceptedTypes(DataType type) => type.Kind switch
    {
        DataTypeKind.Boolean => ["boolean"],
        DataTypeKind.Int => ["integer", "bigint", "numeric"],
        DataTypeKind.BigInt => ["bigint", "numeric"],
        DataTypeKind.Float => ["real", "double precision"],
        DataTypeKind.Double => ["double precision"],
        DataTypeKind.Decimal => ["numeric"],
        DataTypeKind.Varchar => ["text", "character varying"],
        DataTypeKind.Bytes => ["bytea"],
        DataTypeKind.Date => ["date"],
        DataTypeKind.Time => ["time without time zone"],
        DataTypeKind.Timestamp => ["timestamp without time zone"],
        DataTypeKind.TimestampLtz => ["timestamp with time zone"],
        _ => [],
    };

    /// <summary>Writes field <paramref name="index"/> of <paramref name="row"/> (null or its value) to a binary COPY in progress.</summary>
    public static void Write(NpgsqlBinaryImporter copy, Row row, int index, DataTypeKind kind)
    {
        if (row.IsNull(index))
        {
            copy.WriteNull();
            return;
        }
        switch (kind)
        {
            case DataTypeKind.Boolean:
                copy.Write(row.GetBoolean(index), NpgsqlDbType.Boolean);
                break;
            case DataTypeKind.Int:
                copy.Write(row.GetInt32(index), NpgsqlDbType.Integer);
                break;
            case DataTypeKind.BigInt:
                copy.Write(row.GetInt64(index), NpgsqlDbType.Bigint);
                break;
            case DataTypeKind.Float:
                copy.Write(row.GetSingle(index), NpgsqlDbType.Real);
                break;
            case DataTypeKind.Double:
                copy.Write(row.GetDouble(index), NpgsqlDbType.Double);
                break;
            case DataTypeKind.Decimal:
                copy.Write(row.GetDecimal(index), NpgsqlDbType.Numeric);
                break;
            case DataTypeKind.Varchar:
                copy.Write(row.GetString(index)!, NpgsqlDbType.Text);
                break;
            case DataTypeKind.Bytes:
                copy.Write(row.GetBytes(index)!, NpgsqlDbType.Bytea);
                break;
            case DataTypeKind.Date:
                copy.Write(row.GetDate(index), NpgsqlDbType.Date);
                break;
            case DataTypeKind.Time:
                copy.Write(row.GetTime(index), NpgsqlDbType.Time);
                break;
            case DataTypeKind.Timestamp:
                copy.Write(row.GetTimestamp(index), NpgsqlDbType.Timestamp);
                break;
            case DataTypeKind.TimestampLtz:
                copy.Write(row.GetTimestampLtz(index), NpgsqlDbType.TimestampTz);
                break;
            default:
                throw new NotSupportedException($"Type {kind} has no PostgreSQL column."); // refused when the sink is created
        }
    }

    /// <summary><paramref name="name"/> as a quoted SQL identifier.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
