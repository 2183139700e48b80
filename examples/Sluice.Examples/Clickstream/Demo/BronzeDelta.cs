using Sluice.Schemas;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>
/// The bronze layer as a Delta table: <see cref="BronzeClick"/>'s columns plus the partition columns the Parquet lake
/// sink derives from the event time (<c>event_date</c> as a DATE, <c>hour</c> 0–23 as a BIGINT, in UTC) — the same
/// names and types DuckDB infers from the Parquet lake's <c>event_date=…/hour=…</c> folders, so a query reads either.
/// </summary>
public static class BronzeDelta
{
    /// <summary>The table's schema.</summary>
    public static Schema Schema { get; } = Schema.Parse(
        "`partition` INT NOT NULL, `offset` BIGINT NOT NULL, ts BIGINT NOT NULL, raw STRING, event_date DATE, hour BIGINT");

    /// <summary>The row of <paramref name="click"/> (a new row: the sink keeps it until its file is written).</summary>
    public static Row ToRow(BronzeClick click)
    {
        ArgumentNullException.ThrowIfNull(click);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(click.Ts).UtcDateTime;
        var row = new Row(Schema);
        row.SetInt32(0, click.Partition);
        row.SetInt64(1, click.Offset);
        row.SetInt64(2, click.Ts);
        row.SetString(3, click.Raw);
        row.SetDate(4, DateOnly.FromDateTime(at));
        row.SetInt64(5, at.Hour);
        return row;
    }
}
