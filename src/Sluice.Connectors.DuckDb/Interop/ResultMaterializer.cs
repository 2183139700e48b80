using System.Runtime.InteropServices;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// Copies a native <c>duckdb_result</c> into a managed <see cref="DuckDbResult"/> with the data-chunk API
/// (<c>duckdb_fetch_chunk</c> → vectors → data + validity mask). Does not destroy the native result: the caller
/// owns it.
/// </summary>
internal static unsafe class ResultMaterializer
{
    private const long MicrosPerDay = 86_400_000_000L;

    /// <summary>Reads every row of <paramref name="result"/>; throws <see cref="DuckDbException"/> on unsupported types.</summary>
    public static DuckDbResult Materialize(DuckDbResultNative* result, string sql)
    {
        var columnCount = (int)DuckDbNative.ColumnCount(result);
        var columns = new ResultColumn[columnCount];
        for (var c = 0; c < columnCount; c++)
        {
            columns[c] = DescribeColumn(result, c, sql);
        }

        var rowCount = 0L;
        while (true)
        {
            var chunk = DuckDbNative.FetchChunk(*result);
            if (chunk == IntPtr.Zero)
            {
                break;
            }

            try
            {
                var size = (int)DuckDbNative.DataChunkGetSize(chunk);
                if (size == 0)
                {
                    break;
                }

                for (var c = 0; c < columnCount; c++)
                {
                    ReadVector(DuckDbNative.DataChunkGetVector(chunk, (ulong)c), size, columns[c]);
                }

                rowCount += size;
            }
            finally
            {
                DuckDbNative.DestroyDataChunk(ref chunk);
            }
        }

        if (rowCount > int.MaxValue)
        {
            throw new DuckDbException($"The result has {rowCount} rows, more than a materialized result can hold.", sql);
        }

        return new DuckDbResult(columns, (int)rowCount);
    }

    private static ResultColumn DescribeColumn(DuckDbResultNative* result, int column, string sql)
    {
        var name = DuckDbNative.PtrToString(DuckDbNative.ColumnName(result, (ulong)column)) ?? $"column{column}";
        var type = (DuckDbType)DuckDbNative.ColumnType(result, (ulong)column);
        ColumnStorage storage;
        int scale = 0, internalType = 0;
        switch (type)
        {
            case DuckDbType.Boolean or DuckDbType.TinyInt or DuckDbType.SmallInt or DuckDbType.Integer
                or DuckDbType.BigInt or DuckDbType.UTinyInt or DuckDbType.USmallInt or DuckDbType.UInteger
                or DuckDbType.Timestamp or DuckDbType.TimestampTz or DuckDbType.TimestampSeconds
                or DuckDbType.TimestampMilliseconds or DuckDbType.TimestampNanoseconds or DuckDbType.Date:
                storage = ColumnStorage.Int64;
                break;
            case DuckDbType.Float or DuckDbType.Double:
                storage = ColumnStorage.Double;
                break;
            case DuckDbType.UBigInt or DuckDbType.HugeInt:
                storage = ColumnStorage.Decimal;
                break;
            case DuckDbType.Decimal:
                storage = ColumnStorage.Decimal;
                var logical = DuckDbNative.ColumnLogicalType(result, (ulong)column);
                try
                {
                    scale = DuckDbNative.DecimalScale(logical);
                    internalType = DuckDbNative.DecimalInternalType(logical);
                }
                finally
                {
                    DuckDbNative.DestroyLogicalType(ref logical);
                }

                break;
            case DuckDbType.Varchar:
                storage = ColumnStorage.String;
                break;
            default:
                throw new DuckDbException(
                    $"Column '{name}' has type {type}, which this binding does not read; CAST it in the query " +
                    "(e.g. CAST(x AS VARCHAR)).", sql);
        }

        return new ResultColumn(name, type, storage, scale, internalType);
    }

    private static void ReadVector(IntPtr vector, int size, ResultColumn column)
    {
        var data = DuckDbNative.VectorGetData(vector);
        var validity = DuckDbNative.VectorGetValidity(vector);
        for (var row = 0; row < size; row++)
        {
            // A null validity pointer means every row in the vector is valid.
            var isNull = validity is not null && (validity[row >> 6] & (1UL << (row & 63))) == 0;
            column.Nulls.Add(isNull);
            switch (column.Storage)
            {
                case ColumnStorage.Int64:
                    column.Int64s.Add(isNull ? 0 : ReadInt64(data, row, column.Type));
                    break;
                case ColumnStorage.Double:
                    column.Doubles.Add(isNull ? 0 : column.Type == DuckDbType.Float ? ((float*)data)[row] : ((double*)data)[row]);
                    break;
                case ColumnStorage.Decimal:
                    column.Decimals.Add(isNull ? 0 : ReadDecimal(data, row, column));
                    break;
                case ColumnStorage.String:
                    column.Strings.Add(isNull ? null : ReadString((byte*)data + (row * 16)));
                    break;
            }
        }
    }

    private static long ReadInt64(void* data, int row, DuckDbType type) => type switch
    {
        DuckDbType.Boolean => ((byte*)data)[row] != 0 ? 1 : 0,
        DuckDbType.TinyInt => ((sbyte*)data)[row],
        DuckDbType.SmallInt => ((short*)data)[row],
        DuckDbType.Integer => ((int*)data)[row],
        DuckDbType.UTinyInt => ((byte*)data)[row],
        DuckDbType.USmallInt => ((ushort*)data)[row],
        DuckDbType.UInteger => ((uint*)data)[row],
        // Saturate instead of wrapping, so ±infinity stays out of DateTime's range instead of becoming a wrong date.
        DuckDbType.TimestampSeconds => Saturate((Int128)((long*)data)[row] * 1_000_000),
        DuckDbType.TimestampMilliseconds => Saturate((Int128)((long*)data)[row] * 1_000),
        DuckDbType.TimestampNanoseconds => ((long*)data)[row] / 1_000,
        DuckDbType.Date => ((int*)data)[row] * MicrosPerDay,
        _ => ((long*)data)[row], // BIGINT, TIMESTAMP, TIMESTAMP WITH TIME ZONE (microseconds)
    };

    private static long Saturate(Int128 value) => (long)Int128.Clamp(value, long.MinValue, long.MaxValue);

    private static decimal ReadDecimal(void* data, int row, ResultColumn column)
    {
        if (column.Type == DuckDbType.UBigInt)
        {
            return ((ulong*)data)[row];
        }

        if (column.Type == DuckDbType.HugeInt)
        {
            return ToDecimal(((Int128*)data)[row], 0);
        }

        Int128 raw = (DuckDbType)column.DecimalInternalType switch
        {
            DuckDbType.SmallInt => ((short*)data)[row],
            DuckDbType.Integer => ((int*)data)[row],
            DuckDbType.BigInt => ((long*)data)[row],
            _ => ((Int128*)data)[row],
        };
        return ToDecimal(raw, column.DecimalScale);
    }

    /// <summary>Converts an unscaled 128-bit value and scale to <see cref="decimal"/>; throws when it cannot fit.</summary>
    internal static decimal ToDecimal(Int128 raw, int scale)
    {
        var negative = Int128.IsNegative(raw);
        var magnitude = negative ? (UInt128)(-raw) : (UInt128)raw;

        // System.Decimal holds a 96-bit magnitude with scale ≤ 28: drop excess fractional digits, then check range.
        while (scale > 28 || (magnitude >> 96) != 0 && scale > 0)
        {
            magnitude /= 10;
            scale--;
        }

        if ((magnitude >> 96) != 0)
        {
            throw new DuckDbException($"The value {raw} does not fit in System.Decimal.");
        }

        var low = (ulong)magnitude;
        var high = (uint)(magnitude >> 64);
        return new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)high, negative, (byte)scale);
    }

    /// <summary>Decodes a 16-byte <c>duckdb_string_t</c>: length ≤ 12 is stored inline after the length, else a pointer.</summary>
    private static string ReadString(byte* value)
    {
        var length = *(uint*)value;
        var bytes = length <= 12 ? value + 4 : *(byte**)(value + 8);
        return Marshal.PtrToStringUTF8((IntPtr)bytes, (int)length);
    }
}
