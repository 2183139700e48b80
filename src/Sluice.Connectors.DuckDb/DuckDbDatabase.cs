using Sluice.Connectors.DuckDb.Interop;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// An open DuckDB database (a file, or in-memory). Create with <see cref="Open"/> or <see cref="OpenInMemory"/> and
/// get connections with <see cref="Connect"/>; all work happens on connections.
/// <para>Thread-safety: the database object is thread-safe — any thread may call <see cref="Connect"/> concurrently
/// (DuckDB serializes internally). Each <see cref="DuckDbConnection"/> is single-threaded; use one per thread.</para>
/// <para>Ownership: the caller disposes it. Disposing while connections are still open is safe: the native database
/// closes when the last of its connections is disposed.</para>
/// <para>Files: opening the same file twice in one process returns two objects sharing one DuckDB instance (through a
/// process-wide instance cache), so they see each other's committed writes and never corrupt the file; the second
/// open must use the same options or it fails. Another process cannot open a file this process has open for
/// writing (DuckDB's file lock → <see cref="DuckDbException"/>).</para>
/// </summary>
public sealed class DuckDbDatabase : IDisposable
{
    /// <summary>The path that opens an in-memory database.</summary>
    public const string InMemoryPath = ":memory:";

    // Process-wide and never destroyed: it only maps file paths to live instances, each released by its last close.
    private static readonly Lazy<IntPtr> s_instanceCache = new(DuckDbNative.CreateInstanceCache);

    private readonly DuckDbHandle _handle;

    private DuckDbDatabase(DuckDbHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The path the database was opened with (<see cref="InMemoryPath"/> for in-memory databases).</summary>
    public string Path { get; }

    /// <summary>The version string of the loaded libduckdb (e.g. "v1.5.6"); loads the native library if needed.</summary>
    public static string LibraryVersion => DuckDbNative.PtrToString(DuckDbNative.LibraryVersion()) ?? "unknown";

    /// <summary>
    /// Opens (creating if missing) the database file at <paramref name="path"/>, or an in-memory database for
    /// <see cref="InMemoryPath"/>. <paramref name="options"/> are DuckDB configuration options (e.g. "threads" → "4",
    /// "access_mode" → "READ_ONLY") applied at open.
    /// </summary>
    /// <exception cref="DuckDbException">An option is unknown or invalid, or DuckDB cannot open the file.</exception>
    /// <exception cref="DllNotFoundException">libduckdb.so was not found (run ./scripts/native.sh).</exception>
    public static DuckDbDatabase Open(string path, IReadOnlyDictionary<string, string>? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (DuckDbNative.CreateConfig(out var config) == DuckDbState.Error)
        {
            throw new DuckDbException("DuckDB could not allocate a configuration object.");
        }

        try
        {
            if (options is not null)
            {
                foreach (var (name, value) in options)
                {
                    if (DuckDbNative.SetConfig(config, name, value) == DuckDbState.Error)
                    {
                        throw new DuckDbException($"DuckDB rejected the configuration option '{name}' = '{value}'.");
                    }
                }
            }

            var inMemory = path == InMemoryPath;
            var state = inMemory
                ? DuckDbNative.OpenExt(path, out var database, config, out var error)
                : DuckDbNative.GetOrCreateFromCache(s_instanceCache.Value, path, out database, config, out error);
            if (state == DuckDbState.Error)
            {
                var message = DuckDbNative.PtrToString(error) ?? "unknown error";
                DuckDbNative.Free(error);
                if (database != IntPtr.Zero)
                {
                    DuckDbNative.Close(ref database);
                }

                throw new DuckDbException($"DuckDB could not open the database '{path}': {message}");
            }

            return new DuckDbDatabase(new DuckDbHandle(DuckDbHandleKind.Database, database, parent: null), path);
        }
        finally
        {
            DuckDbNative.DestroyConfig(ref config);
        }
    }

    /// <summary>Opens a new, empty in-memory database (private to this object; gone when disposed).</summary>
    /// <exception cref="DuckDbException">DuckDB could not create the database.</exception>
    public static DuckDbDatabase OpenInMemory(IReadOnlyDictionary<string, string>? options = null) =>
        Open(InMemoryPath, options);

    /// <summary>Opens a new connection to this database. The caller owns and disposes it. Thread-safe.</summary>
    /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
    /// <exception cref="DuckDbException">DuckDB refused the connection.</exception>
    public DuckDbConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (DuckDbNative.Connect(_handle, out var connection) == DuckDbState.Error)
        {
            if (connection != IntPtr.Zero)
            {
                DuckDbNative.Disconnect(ref connection);
            }

            throw new DuckDbException($"DuckDB could not open a connection to '{Path}'.");
        }

        return new DuckDbConnection(new DuckDbHandle(DuckDbHandleKind.Connection, connection, _handle));
    }

    /// <summary>Releases this object's hold on the native database; idempotent.</summary>
    public void Dispose() => _handle.Dispose();
}
