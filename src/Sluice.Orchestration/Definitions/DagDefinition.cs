using System.Globalization;

namespace Sluice.Orchestration.Definitions;

/// <summary>
/// One DAG, immutable and validated: made by <see cref="DagFileLoader"/> from <c>dags/*.yml</c> or by
/// <see cref="DagBuilder"/> in C#; both produce the same shape. Task ids are unique, every <c>depends_on</c> names a
/// task of this DAG, the graph has no cycle, the cron and the time zone parse and every task template parses and
/// renders — a definition that breaks one of these never exists (<see cref="DagDefinitionException"/>).
/// </summary>
public sealed record DagDefinition
{
    /// <summary>The DAG's id: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>; unique among the loaded DAGs.</summary>
    public required string Id { get; init; }

    /// <summary>The schedule; <see cref="DagSchedule.Manual"/> runs only when triggered or backfilled.</summary>
    public required DagSchedule Schedule { get; init; }

    /// <summary>The first data interval starts at the first schedule occurrence at or after this instant.</summary>
    public required DateTimeOffset StartDate { get; init; }

    /// <summary>No interval starts at or after this instant, when set.</summary>
    public DateTimeOffset? EndDate { get; init; }

    /// <summary>On: the scheduler creates a run for every missed interval since the start date; off: only the latest.</summary>
    public bool CatchUp { get; init; }

    /// <summary>Runs of this DAG queued or running at once (≥ 1); further runs wait, in logical-date order.</summary>
    public int MaxActiveRuns { get; init; } = 1;

    /// <summary>
    /// A run not finished by its data interval's end plus this delay is an SLA miss (metric, warning log, webhook);
    /// null: no SLA.
    /// </summary>
    public TimeSpan? Sla { get; init; }

    /// <summary>
    /// The URL an SLA miss is POSTed to as JSON, or null. It may carry a secret: it is never logged. Without an
    /// <see cref="Sla"/> it is never called (a DAG file may say so; the scheduler warns once).
    /// </summary>
    public Uri? SlaWebhook { get; init; }

    /// <summary>Values for <c>{{ params.x }}</c> in task templates.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The tasks, in definition order.</summary>
    public required IReadOnlyList<TaskDefinition> Tasks { get; init; }

    /// <summary>The file the DAG was read from (for messages), or null for a DAG built in code.</summary>
    public string? SourceFile { get; init; }

    /// <summary>The task named <paramref name="taskId"/>; throws <see cref="KeyNotFoundException"/> naming it when absent.</summary>
    public TaskDefinition GetTask(string taskId) =>
        Tasks.FirstOrDefault(t => t.Id == taskId) ?? throw new KeyNotFoundException($"DAG '{Id}' has no task '{taskId}'.");

    /// <summary>
    /// The scheduled data interval the scheduler creates a run for next when it is caught up: the first interval
    /// (from <see cref="StartDate"/>) that has not ended at <paramref name="now"/>; its run is due at its
    /// <see cref="DataInterval.End"/>. Null for a manual DAG, when the schedule has no further occurrence, or when that
    /// interval starts at or after <see cref="EndDate"/>. Runs missed while no scheduler ran are not counted: with
    /// catch-up they are created at once, before this one.
    /// </summary>
    public DataInterval? NextScheduledInterval(DateTimeOffset now)
    {
        if (Schedule.NextOrSame(StartDate) is not { } first)
        {
            return null;
        }
        var start = LatestCompleteInterval(first, now) is { } latest ? latest.End : first;
        if (Schedule.Next(start) is null || (EndDate is { } end && start >= end))
        {
            return null;
        }
        return Schedule.IntervalAt(start);
    }

    /// <summary>The newest interval starting at or after <paramref name="from"/> that ended by <paramref name="now"/>, or null.</summary>
    internal DataInterval? LatestCompleteInterval(DateTimeOffset from, DateTimeOffset now)
    {
        // Search a short window before now first, then double it, so a per-second DAG with an old start date does not
        // walk years of occurrences: the first window is twice the gap between the occurrences around now (it holds
        // the newest complete interval of a regular schedule), a later one reaches back to from. Any window holding a
        // complete interval holds the newest one (intervals end in the order they start), so the answer equals a walk
        // from from.
        var window = FirstWindow(now);
        while (true)
        {
            var whole = now - from <= window;
            var begin = whole ? from : now - window;
            DataInterval? found = null;
            for (var start = Schedule.NextOrSame(begin); start is { } s; start = Schedule.Next(s))
            {
                var interval = Schedule.IntervalAt(s);
                if (interval.End > now)
                {
                    break;
                }
                found = interval;
            }
            if (found is not null || whole)
            {
                return found;
            }
            window = window > TimeSpan.MaxValue / 4 ? TimeSpan.MaxValue : window * 2;
        }
    }

    /// <summary>Twice the gap between the first two occurrences after <paramref name="now"/> (at least one second).</summary>
    private TimeSpan FirstWindow(DateTimeOffset now)
    {
        if (Schedule.Next(now) is { } a && Schedule.Next(a) is { } b && b - a > TimeSpan.FromSeconds(1))
        {
            return (b - a) * 2;
        }
        return TimeSpan.FromSeconds(2);
    }

    /// <summary>
    /// Parses a logical date as the CLI and the API take it: ISO 8601 with an offset (<c>2024-01-01T02:00:00Z</c>,
    /// <c>…+02:00</c>) is that instant; without one (<c>2024-01-01</c>, <c>2024-01-01T02:00</c>) it is wall-clock time
    /// of the DAG's time zone, as <c>start_date</c> in a DAG file. False when <paramref name="text"/> is not a date.
    /// </summary>
    public bool TryParseLogicalDate(string text, out DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        // RoundtripKind tells whether the text carried an offset ('Z', '+02:00'; after a 'T' or a space): Unspecified
        // means none, and the host's zone never takes part.
        if (!DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            date = default;
            return false;
        }
        if (parsed.Kind != DateTimeKind.Unspecified)
        {
            return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        }
        date = new DateTimeOffset(parsed, Schedule.TimeZone.GetUtcOffset(parsed));
        return true;
    }
}
