using System.Text;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>Value conversions between .NET and DuckDB's C representations, and reading native errors.</summary>
internal static unsafe class NativeConversions
{
    /// <summary>
    /// Microseconds since the Unix epoch for a <c>duckdb_timestamp</c>. <see cref="DateTimeKind.Local"/> values are
    /// converted to UTC first; UTC and Unspecified are taken as UTC. Sub-microsecond ticks are truncated.
    /// </summary>
    public static long ToUnixMicros(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }

        return (value.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
    }

    /// <summary>A <c>duckdb_decimal</c> (width 38, the value's own scale) holding exactly <paramref name="value"/>.</summary>
    public static DuckDbDecimalNative ToNativeDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var signed = (Int128)magnitude;
        if (value < 0)
        {
            signed = -signed;
        }

        return new DuckDbDecimalNative
        {
            Width = 38,
            Scale = value.Scale,
            Lower = (ulong)signed,
            Upper = (long)(signed >> 64),
        };
    }

    /// <summary>The error text DuckDB attached to a failed query result (never null).</summary>
    public static string ResultError(DuckDbResultNative* result) =>
        DuckDbNative.PtrToString(DuckDbNative.ResultError(result)) ?? "DuckDB reported an error without a message.";

    /// <summary>
    /// Encodes <paramref name="value"/> as UTF-8 into <paramref name="buffer"/>, growing it (the only allocation, and
    /// amortized) when too small. Returns the byte count.
    /// </summary>
    public static int EncodeUtf8(ReadOnlySpan<char> value, ref byte[] buffer)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > buffer.Length)
        {
            var needed = Encoding.UTF8.GetByteCount(value);
            if (needed > buffer.Length)
            {
                buffer = new byte[Math.Max(needed, buffer.Length * 2)];
            }
        }

        return Encoding.UTF8.GetBytes(value, buffer);
    }
}
