using Npgsql;
using Npgsql.Replication.PgOutput;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>
/// How CDC values become row fields: the PostgreSQL types a field of each kind reads from, the cast the snapshot query
/// applies, and the typed reads (binary, no text parsing) from a snapshot reader or a pgoutput tuple.
/// </summary>
internal static class PostgresCdcValues
{
    /// <summary>
    /// The column types (<c>format_type</c> without modifiers) a field of <paramref name="type"/> reads: exactly its own
    /// type, since pgoutput's binary values are read as the field's CLR type with no conversion in between.
    /// </summary>
    public static IReadOnlyList<string> ReadableTypes(DataType type) => type.Kind switch
    {
        DataTypeKind.Boolean => ["boolean"],
        DataTypeKind.Int => ["integer"],
        DataTypeKind.BigInt => ["bigint"],
        DataTypeKind.Float => ["real"],
        DataTypeKind.Double => ["double precision"],
        DataTypeKind.Decimal => ["numeric"],
        DataTypeKind.Varchar => ["text", "character varying", "character"],
        DataTypeKind.Bytes => ["bytea"],
        DataTypeKind.Date => ["date"],
        DataTypeKind.Time => ["time without time zone"],
        DataTypeKind.Timestamp => ["timestamp without time zone"],
        DataTypeKind.TimestampLtz => ["timestamp with time zone"],
        _ => [],
    };

    /// <summary>The type the snapshot query casts a column to, so the reader reads exactly the field's CLR type.</summary>
    public static string CastType(DataType type) => type.Kind switch
    {
        DataTypeKind.Boolean => "boolean",
        DataTypeKind.Int => "integer",
        DataTypeKind.BigInt => "bigint",
        DataTypeKind.Float => "real",
        DataTypeKind.Double => "double precision",
        DataTypeKind.Decimal => "numeric",
        DataTypeKind.Varchar => "text",
        DataTypeKind.Bytes => "bytea",
        DataTypeKind.Date => "date",
        DataTypeKind.Time => "time",
        DataTypeKind.Timestamp => "timestamp",
        DataTypeKind.TimestampLtz => "timestamptz",
        _ => throw new NotSupportedException($"Type {type} has no PostgreSQL column."), // refused when the source is created
    };

    /// <summary>Reads column <paramref name="ordinal"/> of a snapshot row (cast by <see cref="CastType"/>) into field <paramref name="field"/>.</summary>
    public static void Read(NpgsqlDataReader reader, int ordinal, Row row, int field, DataTypeKind kind)
    {
        if (reader.IsDBNull(ordinal))
        {
            row.SetNull(field);
            return;
        }
        switch (kind)
        {
            case DataTypeKind.Boolean:
                row.SetBoolean(field, reader.GetBoolean(ordinal));
                break;
            case DataTypeKind.Int:
                row.SetInt32(field, reader.GetInt32(ordinal));
                break;
            case DataTypeKind.BigInt:
                row.SetInt64(field, reader.GetInt64(ordinal));
                break;
            case DataTypeKind.Float:
                row.SetSingle(field, reader.GetFloat(ordinal));
                break;
            case DataTypeKind.Double:
                row.SetDouble(field, reader.GetDouble(ordinal));
                break;
            case DataTypeKind.Decimal:
                row.SetDecimal(field, reader.GetDecimal(ordinal));
                break;
            case DataTypeKind.Varchar:
                row.SetString(field, reader.GetString(ordinal));
                break;
            case DataTypeKind.Bytes:
                row.SetBytes(field, reader.GetFieldValue<byte[]>(ordinal));
                break;
            case DataTypeKind.Date:
                row.SetDate(field, reader.GetFieldValue<DateOnly>(ordinal));
                break;
            case DataTypeKind.Time:
                row.SetTime(field, reader.GetFieldValue<TimeOnly>(ordinal));
                break;
            case DataTypeKind.Timestamp:
                row.SetTimestamp(field, reader.GetDateTime(ordinal));
                break;
            case DataTypeKind.TimestampLtz:
                row.SetTimestampLtz(field, reader.GetFieldValue<DateTimeOffset>(ordinal));
                break;
            default:
                throw new NotSupportedException($"Type {kind} has no PostgreSQL column.");
        }
    }

    /// <summary>Reads a pgoutput value (binary format, not null, not an unchanged TOAST value) into field <paramref name="field"/>.</summary>
    public static async ValueTask ReadAsync(ReplicationValue value, Row row, int field, DataTypeKind kind, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case DataTypeKind.Boolean:
                row.SetBoolean(field, await value.Get<bool>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Int:
                row.SetInt32(field, await value.Get<int>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.BigInt:
                row.SetInt64(field, await value.Get<long>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Float:
                row.SetSingle(field, await value.Get<float>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Double:
                row.SetDouble(field, await value.Get<double>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Decimal:
                row.SetDecimal(field, await value.Get<decimal>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Varchar:
                row.SetString(field, await value.Get<string>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Bytes:
                row.SetBytes(field, await value.Get<byte[]>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Date:
                row.SetDate(field, await value.Get<DateOnly>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Time:
                row.SetTime(field, await value.Get<TimeOnly>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.Timestamp:
                row.SetTimestamp(field, await value.Get<DateTime>(cancellationToken).ConfigureAwait(false));
                break;
            case DataTypeKind.TimestampLtz:
                row.SetTimestampLtz(field, await value.Get<DateTimeOffset>(cancellationToken).ConfigureAwait(false));
                break;
            default:
                throw new NotSupportedException($"Type {kind} has no PostgreSQL column.");
        }
    }
}
