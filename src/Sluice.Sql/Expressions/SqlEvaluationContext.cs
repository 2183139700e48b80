namespace Sluice.Sql.Expressions;

/// <summary>
/// What a compiled expression may read besides its row: the session time zone (for TIMESTAMP ↔ TIMESTAMP_LTZ
/// conversions, DATE_FORMAT of an instant, CURRENT_TIMESTAMP's wall-clock forms) and the processing-time clock (for
/// CURRENT_TIMESTAMP, NOW, LOCALTIMESTAMP, CURRENT_DATE and PROCTIME). Passed to every call of a compiled delegate,
/// never captured per row.
/// </summary>
/// <remarks>Immutable and thread-safe when its <see cref="Clock"/> is (the system clock and the runtime's virtual clocks are).</remarks>
internal sealed class SqlEvaluationContext
{
    /// <summary>Creates a context with the session time zone and the processing-time clock.</summary>
    public SqlEvaluationContext(TimeZoneInfo sessionTimeZone, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(sessionTimeZone);
        ArgumentNullException.ThrowIfNull(clock);
        SessionTimeZone = sessionTimeZone;
        Clock = clock;
    }

    /// <summary>A context in UTC on the system clock (Flink's default <c>table.local-time-zone</c> is the JVM's; Sluice's is UTC).</summary>
    public static SqlEvaluationContext Default { get; } = new(TimeZoneInfo.Utc, TimeProvider.System);

    /// <summary>Flink's <c>table.local-time-zone</c>: the zone TIMESTAMP_LTZ values are shown and converted in.</summary>
    public TimeZoneInfo SessionTimeZone { get; }

    /// <summary>The processing-time clock CURRENT_TIMESTAMP and PROCTIME read.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The instant the clock reads now.</summary>
    public DateTimeOffset Now() => Clock.GetUtcNow();

    /// <summary>The wall-clock time of <paramref name="instant"/> in the session time zone (a TIMESTAMP of kind Unspecified).</summary>
    public DateTime ToLocal(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(instant.UtcDateTime, SessionTimeZone), DateTimeKind.Unspecified);

    /// <summary>
    /// The instant a wall-clock time in the session time zone stands for. A time skipped by a daylight-saving jump is
    /// read with the offset before the jump; an ambiguous time takes the earlier instant (its standard-time offset is
    /// the later one, so the larger offset is used).
    /// </summary>
    public DateTimeOffset FromLocal(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (SessionTimeZone.IsInvalidTime(unspecified))
        {
            offset = SessionTimeZone.GetUtcOffset(unspecified.AddHours(-3));
        }
        else if (SessionTimeZone.IsAmbiguousTime(unspecified))
        {
            var offsets = SessionTimeZone.GetAmbiguousTimeOffsets(unspecified);
            offset = offsets[0] > offsets[1] ? offsets[0] : offsets[1];
        }
        else
        {
            offset = SessionTimeZone.GetUtcOffset(unspecified);
        }
        return new DateTimeOffset(unspecified.Ticks - offset.Ticks, TimeSpan.Zero);
    }
}
