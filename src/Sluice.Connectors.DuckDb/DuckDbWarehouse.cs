using System.Collections.Concurrent;
using Sluice.Connectors.DuckDb.Sinks;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// The database handles the DuckDB warehouse sinks of this process share: one open <see cref="DuckDbDatabase"/> per
/// file, opened at the first job start or commit and kept open, so commits do not close and reopen the file (DuckDB
/// tears an instance down asynchronously, and reopening a file while its previous instance is still detaching fails
/// with "Unique file handle conflict"). In-process readers share it through DuckDB's instance cache
/// (<see cref="DuckDbDatabase.Open"/> on the same path). While it is open, other processes cannot open the file: call
/// <see cref="Release"/> after the job when another process needs it. Thread-safe.
/// </summary>
public static class DuckDbWarehouse
{
    private static readonly ConcurrentDictionary<string, SharedDatabase> s_databases = new(StringComparer.Ordinal);

    /// <summary>
    /// Closes the sinks' handle on <paramref name="databasePath"/> (no-op when none is open); waits for a commit in
    /// progress on that file. A later commit reopens the file. In-process handles opened by others stay valid.
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

    /// <summary>The shared handle of an absolute path (created unopened on first use).</summary>
    internal static SharedDatabase For(string fullPath) => s_databases.GetOrAdd(fullPath, static path => new SharedDatabase(path));
}
