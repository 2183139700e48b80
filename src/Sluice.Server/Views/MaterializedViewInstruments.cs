using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sluice.Server.Views;

/// <summary>
/// <c>sluice.materialized_view.freshness</c> (seconds) on the <see cref="SluiceMetrics.Meter"/>, exported as
/// <c>sluice_materialized_view_freshness_seconds{view="…"}</c>: per materialized view of every tracked server, now − the
/// trigger time of the newest checkpoint its job completed (the view holds every event its sources read before that
/// instant, published at that checkpoint's commit); before the run's first checkpoint, now − the run's start. Read when
/// a listener collects. Thread-safe.
/// </summary>
internal static class MaterializedViewInstruments
{
    private static readonly ConcurrentDictionary<ServerSql, byte> s_servers = new();

    static MaterializedViewInstruments() =>
        SluiceMetrics.Meter.CreateObservableGauge("sluice.materialized_view.freshness", Observe, "s",
            "Age of a materialized view's published data: now minus the trigger time of the last checkpoint its job completed.");

    /// <summary>Reports <paramref name="server"/>'s views until <see cref="Untrack"/>.</summary>
    public static void Track(ServerSql server) => s_servers[server] = 0;

    /// <summary>Stops reporting <paramref name="server"/>'s views.</summary>
    public static void Untrack(ServerSql server) => s_servers.TryRemove(server, out _);

    private static List<Measurement<double>> Observe()
    {
        var measurements = new List<Measurement<double>>();
        foreach (var server in s_servers.Keys)
        {
            foreach (var view in server.ListViews())
            {
                measurements.Add(new Measurement<double>(view.FreshnessSeconds, new KeyValuePair<string, object?>("view", view.Name)));
            }
        }
        return measurements;
    }
}
