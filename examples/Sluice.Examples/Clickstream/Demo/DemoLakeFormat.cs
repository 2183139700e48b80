namespace Sluice.Examples.Clickstream.Demo;

/// <summary>How the demo's bronze layer (<c>lake/bronze_clicks</c>) is stored.</summary>
public enum DemoLakeFormat
{
    /// <summary>Plain Parquet files in hive-style <c>event_date=…/hour=…</c> folders (the Parquet lake sink); the default.</summary>
    Parquet,

    /// <summary>A Delta table partitioned by <c>event_date</c> and <c>hour</c> (the Delta sink): readers see committed checkpoints only, and can read older versions.</summary>
    Delta,
}
