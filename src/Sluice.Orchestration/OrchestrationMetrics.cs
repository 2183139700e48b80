using System.Diagnostics.Metrics;

namespace Sluice.Orchestration;

/// <summary>The orchestration's instruments on <see cref="SluiceMetrics.Meter"/>.</summary>
internal static class OrchestrationMetrics
{
    /// <summary>
    /// <c>sluice.dag.sla_misses</c>, exported as <c>sluice_dag_sla_misses_total{dag="…"}</c>: runs not finished by their
    /// data interval's end plus the DAG's SLA (each run counts once).
    /// </summary>
    public static Counter<long> SlaMisses { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.dag.sla_misses", "{miss}",
        "DAG runs not finished by their data interval's end plus the DAG's SLA, by dag.");

    /// <summary>
    /// <c>sluice.dag.scheduling_errors</c>, exported as <c>sluice_dag_scheduling_errors_total{dag="…"}</c>: scheduling
    /// passes of a DAG that failed (an unreadable run file, an I/O error) and are retried on the next pass.
    /// </summary>
    public static Counter<long> SchedulingErrors { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.dag.scheduling_errors", "{error}",
        "Scheduling passes of a DAG that failed (unreadable run file, I/O error) and are retried on the next pass, by dag.");
}
