namespace Sluice.Connectors.Log;

/// <summary>The log source's instruments on the <see cref="SluiceMetrics.Meter"/>.</summary>
internal static class LogSourceInstruments
{
    /// <summary>
    /// Seconds from a record's log timestamp (its append time, unless the producer set one) to the completion of the
    /// checkpoint that commits the output it led to: one sample per completed checkpoint and source subtask, for the
    /// oldest record it read in that checkpoint's interval. Tagged <c>job</c>, <c>job.id</c>, <c>operator</c>,
    /// <c>subtask</c>, <c>topic</c>.
    /// </summary>
    public static readonly System.Diagnostics.Metrics.Histogram<double> IngestToCommit = SluiceMetrics.CreateSecondsHistogram("sluice.latency.ingest_to_commit",
        "Seconds from a record's log append time to the checkpoint commit that published its results: per commit and source subtask, its oldest record's.");
}
