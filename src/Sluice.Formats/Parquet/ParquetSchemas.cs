using Parquet.Schema;
using Sluice.Configuration;
using Sluice.Schemas;

namespace Sluice.Formats.Parquet;

/// <summary>
/// Maps a Sluice <see cref="Schema"/> to Parquet columns the way Flink and Spark write them, so that other engines
/// (DuckDB, Spark, Trino) read the files: BOOLEAN → boolean; INT → int32; BIGINT → int64; FLOAT → float; DOUBLE →
/// double; DECIMAL(p,s) → DECIMAL(p,s) (int32 up to 9 digits, int64 up to 18, fixed bytes above); VARCHAR → binary
/// STRING (UTF-8); BYTES → binary; DATE → int32 DATE; TIME(p) → int64 TIME(MICROS, not adjusted to UTC);
/// TIMESTAMP(p) → int64 TIMESTAMP(MICROS, not adjusted to UTC), NANOS when p &gt; 6; TIMESTAMP_LTZ(p) → the same with
/// isAdjustedToUTC = true. Nullability: optional for a nullable column, required for NOT NULL. Stateless, thread-safe.
/// </summary>
internal static class ParquetSchemas
{
    /// <summary>The Parquet column of each field of <paramref name="schema"/>, in order.</summary>
    /// <exception cref="ConfigOptionsException">A column is a ROW, ARRAY or MAP, which the format does not write.</exception>
    public static DataField[] Columns(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var columns = new DataField[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            columns[i] = Column(schema[i]);
        }
        return columns;
    }

    private static DataField Column(Sluice.Schemas.Field field)
    {
        var type = field.Type;
        var nullable = type.IsNullable;
        return type.Kind switch
        {
            DataTypeKind.Boolean => new DataField<bool>(field.Name, nullable),
            DataTypeKind.Int => new DataField<int>(field.Name, nullable),
            DataTypeKind.BigInt => new DataField<long>(field.Name, nullable),
            DataTypeKind.Float => new DataField<float>(field.Name, nullable),
            DataTypeKind.Double => new DataField<double>(field.Name, nullable),
            DataTypeKind.Decimal => new DecimalDataField(field.Name, type.Precision, type.Scale, forceByteArrayEncoding: false, isNullable: nullable),
            DataTypeKind.Varchar => new DataField<string>(field.Name, nullable),
            DataTypeKind.Bytes => new DataField<byte[]>(field.Name, nullable),
            DataTypeKind.Date => new DataField<DateOnly>(field.Name, nullable),
            DataTypeKind.Time => new TimeDataField(field.Name, TimeUnitPrecision.Micros, nullable) { IsAdjustedToUtc = false },
            DataTypeKind.Timestamp => new DateTimeDataField(field.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: false, UnitOf(type), nullable),
            DataTypeKind.TimestampLtz => new DateTimeDataField(field.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, UnitOf(type), nullable),
            _ => throw new ConfigOptionsException(
                $"Column '{field.Name}' is {type}, which format 'parquet' cannot write or read yet; use a scalar type (or format 'json' for nested values).",
                ParquetWriteOptions.Identifier),
        };
    }

    private static DateTimeTimeUnit UnitOf(DataType type) => type.Precision > 6 ? DateTimeTimeUnit.Nanos : DateTimeTimeUnit.Micros;
}
