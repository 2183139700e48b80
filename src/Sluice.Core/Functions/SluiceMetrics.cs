using System.Diagnostics.Metrics;

namespace Sluice;

/// <summary>
/// The <see cref="System.Diagnostics.Metrics.Meter"/> every Sluice component reports through (name <c>Sluice</c>).
/// Listen with <see cref="MeterListener"/> or OpenTelemetry. Every instrument the runtime records is tagged
/// <c>job</c> (the job's name) and <c>job.id</c> (<see cref="JobId"/>, 32 hex digits).
/// </summary>
/// <remarks>
/// Names and units follow the OpenTelemetry conventions so that a Prometheus exporter derives Prometheus names:
/// durations in seconds (unit <c>s</c> → <c>_seconds</c>), sizes in bytes (<c>By</c> → <c>_bytes</c>), counts with a
/// curly-brace annotation (<c>{record}</c>, dropped from the name), and <c>_total</c> added to counters.
/// </remarks>
public static class SluiceMetrics
{
    /// <summary>The shared meter.</summary>
    public static Meter Meter { get; } = new("Sluice", "1.0");

    /// <summary>
    /// Bucket boundaries (seconds) of Sluice's duration and latency histograms: 1 ms to 10 min. Handed to exporters as
    /// the instruments' advice, so an OpenTelemetry exporter needs no view. Immutable.
    /// </summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } =
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    /// <summary>Bucket boundaries (bytes) of size histograms: 1 KiB to 4 GiB in steps of 4×. Immutable.</summary>
    public static IReadOnlyList<long> BytesBuckets { get; } =
        [1L << 10, 1L << 12, 1L << 14, 1L << 16, 1L << 18, 1L << 20, 1L << 22, 1L << 24, 1L << 26, 1L << 28, 1L << 30, 1L << 32];

    /// <summary>
    /// Records dropped by an operator on purpose (duplicates, late data without a side output); tagged <c>job</c>,
    /// <c>job.id</c>, <c>operator</c> and <c>reason</c> (an operator recording here must give all four). Exported to
    /// Prometheus as <c>sluice_records_dropped_total</c>.
    /// </summary>
    public static Counter<long> DroppedRecords { get; } = Meter.CreateCounter<long>("sluice.records.dropped", "{record}",
        "Records an operator dropped by design (duplicates, late data with no side output, unread dead letters), by job, operator and reason.");

    /// <summary>Creates a histogram of durations in seconds with <see cref="SecondsBuckets"/> as its bucket advice.</summary>
    /// <param name="name">The instrument's name (dotted; exported with <c>_seconds</c> appended).</param>
    /// <param name="description">What one measurement is.</param>
    public static Histogram<double> CreateSecondsHistogram(string name, string description) =>
        Meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
}
