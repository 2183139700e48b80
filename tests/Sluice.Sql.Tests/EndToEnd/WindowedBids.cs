using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Sql.Session;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>
/// The bids the window join and window rank tests read: a table <c>bid (auction, bidder, price, ts)</c> with a
/// watermark one second behind <c>ts</c>, plus the filesystem connector for INSERTs.
/// </summary>
internal static class WindowedBids
{
    /// <summary>The first bid's window start: 2026-12-05 10:00:00.</summary>
    public static readonly DateTime T0 = new(2026, 12, 5, 10, 0, 0);

    // auction, bidder, price, ts (seconds after T0; out of order)
    private static readonly object?[][] s_bids =
    [
        [1L, 10L, 100L, T0.AddSeconds(1)],
        [2L, 11L, 5L, T0.AddSeconds(3)],
        [1L, 12L, 150L, T0.AddSeconds(2)],
        [3L, 10L, 70L, T0.AddSeconds(12)],
        [2L, 13L, 20L, T0.AddSeconds(11)],
        [1L, 11L, null, T0.AddSeconds(14)],
    ];

    /// <summary>A session with the <c>bid</c> table, running jobs at <paramref name="parallelism"/>.</summary>
    public static SqlSession Session(int parallelism = 1)
    {
        var registry = new ConnectorRegistry().Register(new RowsConnectorFactory(s_bids)).Register(new FilesystemConnectorFactory());
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute("CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'rows')");
        session.Execute($"SET 'parallelism.default' = '{parallelism}'");
        return session;
    }
}
