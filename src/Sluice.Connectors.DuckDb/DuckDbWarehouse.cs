using System.Collections.Concurrent;
using Sluice.Connectors.DuckDb.Sinks;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// The database connections the DuckDB warehouse sinks of this process share: one open DuckDB.NET connection per file,
/// opened at the first job start or commit and kept open, so commits do not close and reopen the file. In-process
/// readers opening a <c>DuckDBConnection</c> on the same absolute path share the open database (DuckDB.NET keeps one
/// per path while any connection to it is open). While it is open, other processes cannot open the file: call
/// <see cref="Release"/> after the job when another process needs it. Thread-safe.
/// </summary>
public static class DuckDbWarehouse
{
    private static readonly ConcurrentDictionary<string, SharedDatabase> s_databases = new(StringComparer.Ordinal);

    /// <summary>
    /// Closes the sinks' connection to <paramref name="databasePath"/> (no-op when none is open); waits for a commit in
    /// progress on that file. A later commit reopens the file. In-process connections opened by others stay valid (the
    /// file closes with the last of them).
    /// </summary>
    /// <param name="databasePath">The database file, as given to <see cref="DuckDbStreamExtensions.ToDuckDb{T}"/>.</param>
    public static void Release(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        if (s_databases.TryGetValue(Path.GetFullPath(databasePath), out var database))
        {
            database.Release();
        }
    }

    /// <summary>The shared connection of an absolute path (created unopened on first use).</summary>
    internal static SharedDatabase For(string fullPath) => s_databases.GetOrAdd(fullPath, static path => new SharedDatabase(path));
}
