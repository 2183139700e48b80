using System.Runtime.InteropServices;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// P/Invoke declarations for the subset of DuckDB's C API (duckdb.h, 1.5.x) the binding uses. Handles are plain
/// pointers here; ownership lives in <see cref="DuckDbHandle"/>. Strings passed as <c>string</c> are marshalled to
/// NUL-terminated UTF-8; hot paths pass <c>byte*</c> + length instead. <c>idx_t</c> is <c>ulong</c>; a
/// <c>duckdb_timestamp</c> (one int64 of microseconds) is passed as <c>long</c>, which is ABI-identical.
/// </summary>
internal static unsafe partial class DuckDbNative
{
    private const string Library = "duckdb";

    // An explicit static constructor runs before the first call into any stub below, so the resolver that finds
    // libduckdb.so is in place before the runtime first tries to load it.
    static DuckDbNative() => DuckDbNativeLibrary.EnsureResolverRegistered();

    // ---- library, memory
    [LibraryImport(Library, EntryPoint = "duckdb_library_version")]
    public static partial IntPtr LibraryVersion();

    [LibraryImport(Library, EntryPoint = "duckdb_free")]
    public static partial void Free(IntPtr ptr);

    // ---- configuration, database, connection
    [LibraryImport(Library, EntryPoint = "duckdb_create_config")]
    public static partial DuckDbState CreateConfig(out IntPtr config);

    [LibraryImport(Library, EntryPoint = "duckdb_set_config", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState SetConfig(IntPtr config, string name, string option);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_config")]
    public static partial void DestroyConfig(ref IntPtr config);

    [LibraryImport(Library, EntryPoint = "duckdb_open_ext", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState OpenExt(string? path, out IntPtr database, IntPtr config, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "duckdb_create_instance_cache")]
    public static partial IntPtr CreateInstanceCache();

    [LibraryImport(Library, EntryPoint = "duckdb_get_or_create_from_cache", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState GetOrCreateFromCache(IntPtr cache, string path, out IntPtr database, IntPtr config, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "duckdb_close")]
    public static partial void Close(ref IntPtr database);

    [LibraryImport(Library, EntryPoint = "duckdb_connect")]
    public static partial DuckDbState Connect(DuckDbHandle database, out IntPtr connection);

    [LibraryImport(Library, EntryPoint = "duckdb_disconnect")]
    public static partial void Disconnect(ref IntPtr connection);

    // ---- queries and results
    [LibraryImport(Library, EntryPoint = "duckdb_query", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState Query(DuckDbHandle connection, string sql, DuckDbResultNative* result);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_result")]
    public static partial void DestroyResult(DuckDbResultNative* result);

    [LibraryImport(Library, EntryPoint = "duckdb_result_error")]
    public static partial IntPtr ResultError(DuckDbResultNative* result);

    [LibraryImport(Library, EntryPoint = "duckdb_column_count")]
    public static partial ulong ColumnCount(DuckDbResultNative* result);

    [LibraryImport(Library, EntryPoint = "duckdb_column_name")]
    public static partial IntPtr ColumnName(DuckDbResultNative* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_column_type")]
    public static partial int ColumnType(DuckDbResultNative* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_column_logical_type")]
    public static partial IntPtr ColumnLogicalType(DuckDbResultNative* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_rows_changed")]
    public static partial ulong RowsChanged(DuckDbResultNative* result);

    [LibraryImport(Library, EntryPoint = "duckdb_fetch_chunk")]
    public static partial IntPtr FetchChunk(DuckDbResultNative result);

    // ---- logical types
    [LibraryImport(Library, EntryPoint = "duckdb_decimal_scale")]
    public static partial byte DecimalScale(IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_decimal_internal_type")]
    public static partial int DecimalInternalType(IntPtr logicalType);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_logical_type")]
    public static partial void DestroyLogicalType(ref IntPtr logicalType);

    // ---- data chunks and vectors
    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_get_size")]
    public static partial ulong DataChunkGetSize(IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_get_vector")]
    public static partial IntPtr DataChunkGetVector(IntPtr chunk, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_data_chunk")]
    public static partial void DestroyDataChunk(ref IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_vector_get_data")]
    public static partial void* VectorGetData(IntPtr vector);

    [LibraryImport(Library, EntryPoint = "duckdb_vector_get_validity")]
    public static partial ulong* VectorGetValidity(IntPtr vector);

    // ---- prepared statements (parameter indexes are 1-based)
    [LibraryImport(Library, EntryPoint = "duckdb_prepare", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState Prepare(DuckDbHandle connection, string sql, out IntPtr statement);

    [LibraryImport(Library, EntryPoint = "duckdb_prepare_error")]
    public static partial IntPtr PrepareError(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_prepare")]
    public static partial void DestroyPrepare(ref IntPtr statement);

    [LibraryImport(Library, EntryPoint = "duckdb_nparams")]
    public static partial ulong ParameterCount(DuckDbHandle statement);

    [LibraryImport(Library, EntryPoint = "duckdb_clear_bindings")]
    public static partial DuckDbState ClearBindings(DuckDbHandle statement);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_boolean")]
    public static partial DuckDbState BindBoolean(DuckDbHandle statement, ulong index, [MarshalAs(UnmanagedType.U1)] bool value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_int32")]
    public static partial DuckDbState BindInt32(DuckDbHandle statement, ulong index, int value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_int64")]
    public static partial DuckDbState BindInt64(DuckDbHandle statement, ulong index, long value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_double")]
    public static partial DuckDbState BindDouble(DuckDbHandle statement, ulong index, double value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_decimal")]
    public static partial DuckDbState BindDecimal(DuckDbHandle statement, ulong index, DuckDbDecimalNative value);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_timestamp")]
    public static partial DuckDbState BindTimestamp(DuckDbHandle statement, ulong index, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_varchar_length")]
    public static partial DuckDbState BindVarcharLength(DuckDbHandle statement, ulong index, byte* utf8, ulong length);

    [LibraryImport(Library, EntryPoint = "duckdb_bind_null")]
    public static partial DuckDbState BindNull(DuckDbHandle statement, ulong index);

    [LibraryImport(Library, EntryPoint = "duckdb_execute_prepared")]
    public static partial DuckDbState ExecutePrepared(DuckDbHandle statement, DuckDbResultNative* result);

    // ---- appender
    [LibraryImport(Library, EntryPoint = "duckdb_appender_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DuckDbState AppenderCreate(DuckDbHandle connection, string? schema, string table, out IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_error")]
    public static partial IntPtr AppenderError(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_flush")]
    public static partial DuckDbState AppenderFlush(DuckDbHandle appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_close")]
    public static partial DuckDbState AppenderClose(DuckDbHandle appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_destroy")]
    public static partial DuckDbState AppenderDestroy(ref IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_end_row")]
    public static partial DuckDbState AppenderEndRow(DuckDbHandle appender);

    [LibraryImport(Library, EntryPoint = "duckdb_append_bool")]
    public static partial DuckDbState AppendBool(DuckDbHandle appender, [MarshalAs(UnmanagedType.U1)] bool value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int32")]
    public static partial DuckDbState AppendInt32(DuckDbHandle appender, int value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int64")]
    public static partial DuckDbState AppendInt64(DuckDbHandle appender, long value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_double")]
    public static partial DuckDbState AppendDouble(DuckDbHandle appender, double value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_timestamp")]
    public static partial DuckDbState AppendTimestamp(DuckDbHandle appender, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_append_varchar_length")]
    public static partial DuckDbState AppendVarcharLength(DuckDbHandle appender, byte* utf8, ulong length);

    [LibraryImport(Library, EntryPoint = "duckdb_append_null")]
    public static partial DuckDbState AppendNull(DuckDbHandle appender);

    /// <summary>Reads a NUL-terminated UTF-8 string owned by DuckDB (not freed here); null pointer → null.</summary>
    public static string? PtrToString(IntPtr utf8) => Marshal.PtrToStringUTF8(utf8);
}
