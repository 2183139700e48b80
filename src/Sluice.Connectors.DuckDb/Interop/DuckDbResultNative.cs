using System.Runtime.InteropServices;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// Blittable mirror of <c>duckdb_result</c> (duckdb.h 1.5.x, 48 bytes). Only <c>internal_data</c> matters to the
/// binding; the deprecated fields are kept so the size and layout match. Must be released with
/// <c>duckdb_destroy_result</c> once, whether the query succeeded or not.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbResultNative
{
    public ulong DeprecatedColumnCount;
    public ulong DeprecatedRowCount;
    public ulong DeprecatedRowsChanged;
    public IntPtr DeprecatedColumns;
    public IntPtr DeprecatedErrorMessage;
    public IntPtr InternalData;
}
