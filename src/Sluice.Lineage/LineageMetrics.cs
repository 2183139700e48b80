using System.Diagnostics.Metrics;

namespace Sluice.Lineage;

/// <summary>The lineage instruments on Sluice's shared meter, tagged with <c>transport</c> (<c>file</c> or <c>http</c>).</summary>
internal static class LineageMetrics
{
    public static readonly Counter<long> Delivered = SluiceMetrics.Meter.CreateCounter<long>("sluice.lineage.events.delivered", "{event}",
        "OpenLineage events written to their file or accepted by their HTTP endpoint.");

    public static readonly Counter<long> Failed = SluiceMetrics.Meter.CreateCounter<long>("sluice.lineage.events.failed", "{event}",
        "OpenLineage events that could not be delivered (file error, HTTP error after retries, queue full, emitter disposed); the job that emitted them is not affected.");

    public static KeyValuePair<string, object?> Transport(string name) => new("transport", name);
}
