using Cronos;

namespace Sluice.Orchestration.Definitions;

/// <summary>
/// When a DAG runs: a cron expression (5 fields, 6 with seconds, or a macro such as <c>@daily</c>) evaluated in an
/// IANA time zone, or <see cref="Manual"/>. A scheduled run covers the data interval from one occurrence to the next;
/// its logical date is the interval's start, and it becomes due when the interval ends. Across a DST change the
/// occurrences follow the wall clock of the zone (Cronos: a skipped local time runs at the jump, an ambiguous one once).
/// Immutable and thread-safe.
/// </summary>
public sealed class DagSchedule
{
    private readonly CronExpression? _cron;

    private DagSchedule(string? expression, CronExpression? cron, TimeZoneInfo timeZone)
    {
        Expression = expression;
        _cron = cron;
        TimeZone = timeZone;
    }

    /// <summary>No schedule: runs only when triggered or backfilled.</summary>
    public static DagSchedule Manual { get; } = new(null, null, TimeZoneInfo.Utc);

    /// <summary>The cron expression as written, or null for <see cref="Manual"/>.</summary>
    public string? Expression { get; }

    /// <summary>The zone the cron is evaluated in (UTC by default).</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>True for a cron schedule.</summary>
    public bool IsScheduled => _cron is not null;

    /// <summary>
    /// Parses <paramref name="expression"/> in <paramref name="timeZoneId"/> (an IANA id such as <c>Europe/Amsterdam</c>;
    /// null or empty: UTC). Throws <see cref="FormatException"/> naming the cron or the zone and what is wrong.
    /// </summary>
    public static DagSchedule Parse(string expression, string? timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var zone = FindZone(timeZoneId);
        var trimmed = expression.Trim();
        var format = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            return new DagSchedule(trimmed, CronExpression.Parse(trimmed, format), zone);
        }
        catch (CronFormatException e)
        {
            throw new FormatException($"cron '{expression}' does not parse ({e.Message.TrimEnd('.')}); write 5 fields (minute hour day month weekday), 6 with seconds, or @hourly/@daily/@weekly/@monthly/@yearly", e);
        }
    }

    /// <summary>A manual schedule whose <c>{{ ds }}</c> is taken in <paramref name="timeZoneId"/> (null: UTC).</summary>
    public static DagSchedule ManualIn(string? timeZoneId) =>
        string.IsNullOrEmpty(timeZoneId) ? Manual : new DagSchedule(null, null, FindZone(timeZoneId));

    private static TimeZoneInfo FindZone(string? timeZoneId)
    {
        try
        {
            return string.IsNullOrEmpty(timeZoneId) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"time zone '{timeZoneId}' is not a known IANA time zone (e.g. UTC, Europe/Amsterdam, America/New_York)", e);
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="instant"/>, or null (none, or manual).</summary>
    public DateTimeOffset? Next(DateTimeOffset instant) =>
        _cron?.GetNextOccurrence(instant, TimeZone, inclusive: false);

    /// <summary>The first occurrence at or after <paramref name="instant"/>, or null.</summary>
    public DateTimeOffset? NextOrSame(DateTimeOffset instant) =>
        _cron?.GetNextOccurrence(instant, TimeZone, inclusive: true);

    /// <summary>
    /// The data interval of a run with logical date <paramref name="logicalDate"/>: [logical date, next occurrence) for
    /// a cron schedule, [logical date, logical date] for a manual one.
    /// </summary>
    public DataInterval IntervalAt(DateTimeOffset logicalDate) =>
        new(logicalDate, Next(logicalDate) ?? logicalDate);

    /// <summary>
    /// The intervals whose start lies in [<paramref name="from"/>, <paramref name="to"/>] (both inclusive), in order,
    /// each starting at an occurrence; for a manual schedule, the single interval at <paramref name="from"/>.
    /// </summary>
    public IEnumerable<DataInterval> IntervalsStartingBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (_cron is null)
        {
            yield return new DataInterval(from, from);
            yield break;
        }
        for (var start = NextOrSame(from); start is { } s && s <= to; start = Next(s))
        {
            yield return IntervalAt(s);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Expression is null ? "manual" : TimeZone == TimeZoneInfo.Utc ? Expression : $"{Expression} ({TimeZone.Id})";
}

/// <summary>A run's data interval: [<see cref="Start"/>, <see cref="End"/>); the start is the logical date.</summary>
/// <param name="Start">The interval's start (the run's logical date).</param>
/// <param name="End">The interval's end (exclusive); equal to the start for a manual DAG's run.</param>
public readonly record struct DataInterval(DateTimeOffset Start, DateTimeOffset End);
