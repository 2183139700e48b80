using System.Diagnostics.Metrics;

namespace Sluice;

/// <summary>
/// The <see cref="System.Diagnostics.Metrics.Meter"/> every Sluice component reports through (name <c>Sluice</c>).
/// Listen with <see cref="MeterListener"/> or OpenTelemetry. Every instrument the runtime records is tagged
/// <c>job</c> (the job's name) and <c>job.id</c> (<see cref="JobId"/>, 32 hex digits).
/// </summary>
public static class SluiceMetrics
{
    /// <summary>The shared meter.</summary>
    public static Meter Meter { get; } = new("Sluice", "1.0");

    /// <summary>
    /// Records dropped by an operator on purpose (duplicates, late data without a side output); tagged <c>job</c>,
    /// <c>job.id</c>, <c>operator</c> and <c>reason</c> (an operator recording here must give all four).
    /// </summary>
    public static Counter<long> DroppedRecords { get; } = Meter.CreateCounter<long>("sluice.records.dropped", "records",
        "Records an operator dropped by design (duplicates, late data with no side output, unread dead letters), by job, operator and reason.");
}
