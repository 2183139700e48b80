using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>A test event: one per source value.</summary>
public sealed record PageView(long EventId, long UserId, string Page, long EventTimeMs)
{
    /// <summary>2025-03-01T00:00Z.</summary>
    public const long Epoch = 1_740_787_200_000;

    public static PageView Of(long value) => new(value, value % 97, "/p/" + (value % 13), Epoch + (value * 5_000));
}

internal static class SinkTestSupport
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    public static Task<T> OrTimeout<T>(this Task<T> task) => task.WaitAsync(TestTimeout);

    public static Task OrTimeout(this Task task) => task.WaitAsync(TestTimeout);

    public static SinkContext Context(int subtask, int parallelism = 2) => new("sink", subtask, parallelism, TimeProvider.System);

    /// <summary>Runs a query against a database file on a fresh connection (sharing the sink's open database).</summary>
    public static QueryResult Query(string databasePath, string sql)
    {
        using var conn = DuckDbQueries.Open(databasePath);
        return conn.Query(sql);
    }

    public static long Scalar(string databasePath, string sql) => Query(databasePath, sql).GetInt64(0, 0);

    public static List<long> Longs(QueryResult result, int column = 0) =>
        [.. Enumerable.Range(0, result.RowCount).Select(r => result.GetInt64(r, column))];
}
