using System.Runtime.InteropServices;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// Blittable mirror of <c>duckdb_decimal</c>: width, scale and the unscaled value as a 128-bit integer
/// (<c>duckdb_hugeint</c> = lower 64 bits unsigned, upper 64 bits signed). 24 bytes, 8-byte aligned.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbDecimalNative
{
    public byte Width;
    public byte Scale;
    public ulong Lower;
    public long Upper;
}
