namespace Sluice.Examples.Clickstream.Demo;

/// <summary>How the demo's lake layers are stored.</summary>
public enum DemoLakeFormat
{
    /// <summary>Bronze as plain Parquet files in hive-style <c>event_date=…/hour=…</c> folders (the Parquet lake sink), gold as DuckDB tables; the default.</summary>
    Parquet,

    /// <summary>
    /// Bronze as a Delta table partitioned by <c>event_date</c> and <c>hour</c> (the Delta sink), silver as a Delta table
    /// <c>silver_clicks</c> (appended), gold as Delta tables <c>page_minute</c>, <c>sessions</c>, <c>user_features</c>
    /// upserted by key (the Delta upsert sink, one MERGE per checkpoint): readers see committed checkpoints only, and
    /// can read older versions.
    /// </summary>
    Delta,
}
