using Sluice.Schemas;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>
/// Silver and gold as Delta tables (<see cref="DemoLakeFormat.Delta"/>): the columns the DuckDB warehouse gives the
/// same records (snake_case, timestamps without time zone), so a query reads either. Silver (<c>silver_clicks</c>) is
/// appended; the gold tables are upserted by their keys (<see cref="PageMinuteKey"/>, <see cref="SessionsKey"/>,
/// <see cref="UserFeaturesKey"/>), one MERGE per checkpoint.
/// </summary>
public static class DemoDeltaTables
{
    /// <summary>Silver: every parsed, deduplicated, on-time click, partitioned by <c>event_date</c> (UTC).</summary>
    public static Schema SilverClicks { get; } = Schema.Parse(
        "event_id STRING NOT NULL, user_id STRING NOT NULL, page STRING NOT NULL, action STRING NOT NULL, amount DOUBLE NOT NULL, device STRING, ts BIGINT NOT NULL, event_date DATE NOT NULL");

    /// <summary>Gold <c>page_minute</c>.</summary>
    public static Schema PageMinute { get; } = Schema.Parse(
        "page STRING NOT NULL, window_start TIMESTAMP(6) NOT NULL, window_end TIMESTAMP(6) NOT NULL, views BIGINT NOT NULL, unique_users BIGINT NOT NULL");

    /// <summary>The key of <see cref="PageMinute"/>.</summary>
    public static IReadOnlyList<string> PageMinuteKey { get; } = ["page", "window_start"];

    /// <summary>Gold <c>sessions</c>.</summary>
    public static Schema Sessions { get; } = Schema.Parse(
        "user_id STRING NOT NULL, session_start TIMESTAMP(6) NOT NULL, session_end TIMESTAMP(6) NOT NULL, events BIGINT NOT NULL");

    /// <summary>The key of <see cref="Sessions"/>.</summary>
    public static IReadOnlyList<string> SessionsKey { get; } = ["user_id", "session_start"];

    /// <summary>Gold <c>user_features</c>.</summary>
    public static Schema UserFeatures { get; } = Schema.Parse(
        "user_id STRING NOT NULL, spend_10m DOUBLE NOT NULL, events_10m BIGINT NOT NULL, last_seen TIMESTAMP(6) NOT NULL");

    /// <summary>The key of <see cref="UserFeatures"/>.</summary>
    public static IReadOnlyList<string> UserFeaturesKey { get; } = ["user_id"];

    /// <summary>The silver row of <paramref name="click"/> (a new row).</summary>
    public static Row ToRow(ClickEvent click)
    {
        ArgumentNullException.ThrowIfNull(click);
        var row = new Row(SilverClicks);
        row.SetString(0, click.EventId);
        row.SetString(1, click.UserId);
        row.SetString(2, click.Page);
        row.SetString(3, click.Action);
        row.SetDouble(4, click.Amount);
        if (click.Device is null)
        {
            row.SetNull(5);
        }
        else
        {
            row.SetString(5, click.Device);
        }
        row.SetInt64(6, click.Ts);
        row.SetDate(7, DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(click.Ts).UtcDateTime));
        return row;
    }

    /// <summary>The gold row of <paramref name="page"/> (an upsert: kind <c>+I</c>).</summary>
    public static Row ToRow(PageMinute page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var row = new Row(PageMinute);
        row.SetString(0, page.Page);
        row.SetTimestamp(1, page.WindowStart);
        row.SetTimestamp(2, page.WindowEnd);
        row.SetInt64(3, page.Views);
        row.SetInt64(4, page.UniqueUsers);
        return row;
    }

    /// <summary>The gold row of <paramref name="session"/> (an upsert: kind <c>+I</c>).</summary>
    public static Row ToRow(SessionRow session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = new Row(Sessions);
        row.SetString(0, session.UserId);
        row.SetTimestamp(1, session.SessionStart);
        row.SetTimestamp(2, session.SessionEnd);
        row.SetInt64(3, session.Events);
        return row;
    }

    /// <summary>The gold row of <paramref name="features"/> (an upsert: kind <c>+I</c>).</summary>
    public static Row ToRow(UserFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var row = new Row(UserFeatures);
        row.SetString(0, features.UserId);
        row.SetDouble(1, features.Spend10m);
        row.SetInt64(2, features.Events10m);
        row.SetTimestamp(3, features.LastSeen);
        return row;
    }
}
