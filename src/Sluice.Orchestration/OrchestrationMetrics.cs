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
}
