namespace Sluice.Server.Tests.Metrics;

/// <summary>
/// The Prometheus metric families <c>/metrics</c> exports, by name and type, written by hand from docs/server.md
/// ("Metrics"). The live scrape test checks that every <c>sluice_*</c> family on the page is one of these; the
/// Grafana and alert tests check that every expression names only these.
/// </summary>
internal static class ExportedMetrics
{
    public static IReadOnlyDictionary<string, string> Families { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sluice_operator_records_in_total"] = "counter",
        ["sluice_operator_records_out_total"] = "counter",
        ["sluice_operator_late_records_total"] = "counter",
        ["sluice_operator_watermark_seconds"] = "gauge",
        ["sluice_task_busy_time_seconds_total"] = "counter",
        ["sluice_task_backpressured_time_seconds_total"] = "counter",
        ["sluice_task_idle_time_seconds_total"] = "counter",
        ["sluice_source_watermark_lag_seconds"] = "gauge",
        ["sluice_latency_event_to_commit_seconds"] = "histogram",
        ["sluice_latency_ingest_to_commit_seconds"] = "histogram",
        ["sluice_log_consumer_lag"] = "gauge",
        ["sluice_kafka_consumer_lag"] = "gauge",
        ["sluice_checkpoint_duration_seconds"] = "histogram",
        ["sluice_checkpoint_size_bytes"] = "histogram",
        ["sluice_checkpoint_alignment_seconds"] = "histogram",
        ["sluice_checkpoint_failures_total"] = "counter",
        ["sluice_checkpoint_last_completed_id"] = "gauge",
        ["sluice_job_restarts_total"] = "counter",
        ["sluice_records_dropped_total"] = "counter",
        ["sluice_blackhole_rows_total"] = "counter",
        ["sluice_lookup_cache_hits_total"] = "counter",
        ["sluice_lookup_cache_misses_total"] = "counter",
        ["sluice_lookup_requests_total"] = "counter",
        ["sluice_lookup_retries_total"] = "counter",
        ["sluice_lookup_timeouts_total"] = "counter",
        ["sluice_quality_rule_passed_total"] = "counter",
        ["sluice_quality_rule_failed_total"] = "counter",
        ["sluice_materialized_view_freshness_seconds"] = "gauge",
        ["sluice_lineage_events_delivered_total"] = "counter",
        ["sluice_lineage_events_failed_total"] = "counter",
        ["sluice_dag_sla_misses_total"] = "counter",
        ["sluice_dag_scheduling_errors_total"] = "counter",
    };

    /// <summary>Whether <paramref name="series"/> (a name in an expression) belongs to an exported family: the family itself, or a histogram's <c>_bucket</c>, <c>_sum</c> or <c>_count</c>.</summary>
    public static bool IsExported(string series)
    {
        if (Families.ContainsKey(series))
        {
            return true;
        }
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (series.EndsWith(suffix, StringComparison.Ordinal) && Families.TryGetValue(series[..^suffix.Length], out var type) && type == "histogram")
            {
                return true;
            }
        }
        return false;
    }
}
