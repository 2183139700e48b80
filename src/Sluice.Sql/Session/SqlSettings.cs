using System.Globalization;
using Sluice.Configuration;

namespace Sluice.Sql.Session;

/// <summary>How the SQL client shows a SELECT's rows (Flink's <c>sql-client.execution.result-mode</c>).</summary>
public enum SqlResultMode
{
    /// <summary>A live table, updated in place as +I/-U/+U/-D rows arrive.</summary>
    Table,

    /// <summary>Every changelog row as it arrives, with its kind, in a live view.</summary>
    Changelog,

    /// <summary>Every changelog row as it arrives, with its kind, printed as plain lines.</summary>
    Tableau,
}

/// <summary>
/// The settings <c>SET 'key' = 'value'</c> changes: typed, validated, immutable (<see cref="With"/> and
/// <see cref="Reset"/> return new settings). Keys and defaults follow Flink where Flink has the setting.
/// </summary>
public sealed record SqlSettings
{
    /// <summary>The key of <see cref="Parallelism"/>.</summary>
    public const string ParallelismKey = "parallelism.default";

    /// <summary>The key of <see cref="CheckpointInterval"/>.</summary>
    public const string CheckpointIntervalKey = "execution.checkpointing.interval";

    /// <summary>The key of <see cref="StateTtl"/>.</summary>
    public const string StateTtlKey = "table.exec.state.ttl";

    /// <summary>The key of <see cref="PipelineName"/>.</summary>
    public const string PipelineNameKey = "pipeline.name";

    /// <summary>The key of <see cref="ResultMode"/>.</summary>
    public const string ResultModeKey = "sql-client.execution.result-mode";

    /// <summary>The key of <see cref="SourceIdleTimeout"/>.</summary>
    public const string SourceIdleTimeoutKey = "table.exec.source.idle-timeout";

    /// <summary>The key of <see cref="LocalTimeZone"/>.</summary>
    public const string LocalTimeZoneKey = "table.local-time-zone";

    private static readonly string[] s_keys =
        [CheckpointIntervalKey, ParallelismKey, PipelineNameKey, ResultModeKey, SourceIdleTimeoutKey, LocalTimeZoneKey, StateTtlKey];

    /// <summary>The defaults: parallelism 1, no checkpoints, state kept forever, result mode table, UTC.</summary>
    public static SqlSettings Default { get; } = new();

    /// <summary>Every key SET accepts, sorted.</summary>
    public static IReadOnlyList<string> Keys => s_keys;

    /// <summary>Parallel subtasks of each operator of a job (<c>parallelism.default</c>, at least 1). Default 1.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>How often jobs checkpoint (<c>execution.checkpointing.interval</c>); null (the default, or 0) runs without checkpoints.</summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>How long idle state of a key is kept by regular joins and aggregations (<c>table.exec.state.ttl</c>); zero (the default) keeps it forever.</summary>
    public TimeSpan StateTtl { get; init; }

    /// <summary>The name of the jobs statements submit (<c>pipeline.name</c>); null: named after the statement.</summary>
    public string? PipelineName { get; init; }

    /// <summary>How the SQL client shows a SELECT's rows (<c>sql-client.execution.result-mode</c>). Default <see cref="SqlResultMode.Table"/>.</summary>
    public SqlResultMode ResultMode { get; init; } = SqlResultMode.Table;

    /// <summary>A source split without rows for this long stops holding the watermark back (<c>table.exec.source.idle-timeout</c>); zero (the default) never.</summary>
    public TimeSpan SourceIdleTimeout { get; init; }

    /// <summary>The session time zone of TIMESTAMP_LTZ conversions (<c>table.local-time-zone</c>, an IANA or Windows id). Default UTC.</summary>
    public TimeZoneInfo LocalTimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Settings with <paramref name="key"/> set to <paramref name="value"/> (SET).</summary>
    /// <exception cref="SqlException">The key is unknown (the message names the closest keys) or the value does not fit it (the message says what does).</exception>
    public SqlSettings With(string key, string value, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        return key switch
        {
            ParallelismKey => this with
            {
                Parallelism = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 32768
                    ? p
                    : throw Invalid(key, value, "a whole number from 1 to 32768", position),
            },
            CheckpointIntervalKey => this with { CheckpointInterval = Duration(key, value, position) is { } d && d > TimeSpan.Zero ? d : null },
            StateTtlKey => this with { StateTtl = Duration(key, value, position) },
            SourceIdleTimeoutKey => this with { SourceIdleTimeout = Duration(key, value, position) },
            PipelineNameKey => this with { PipelineName = text.Length == 0 ? throw Invalid(key, value, "a name that is not empty", position) : text },
            ResultModeKey => this with
            {
                ResultMode = text.ToLowerInvariant() switch
                {
                    "table" => SqlResultMode.Table,
                    "changelog" => SqlResultMode.Changelog,
                    "tableau" => SqlResultMode.Tableau,
                    _ => throw Invalid(key, value, "'table', 'changelog' or 'tableau'", position),
                },
            },
            LocalTimeZoneKey => this with { LocalTimeZone = TimeZone(key, value, position) },
            _ => throw Unknown(key, position),
        };
    }

    /// <summary>Settings with <paramref name="key"/> back at its default (RESET 'key').</summary>
    /// <exception cref="SqlException">The key is unknown.</exception>
    public SqlSettings Reset(string key, SqlPosition? position = null) => key switch
    {
        ParallelismKey => this with { Parallelism = Default.Parallelism },
        CheckpointIntervalKey => this with { CheckpointInterval = Default.CheckpointInterval },
        StateTtlKey => this with { StateTtl = Default.StateTtl },
        SourceIdleTimeoutKey => this with { SourceIdleTimeout = Default.SourceIdleTimeout },
        PipelineNameKey => this with { PipelineName = Default.PipelineName },
        ResultModeKey => this with { ResultMode = Default.ResultMode },
        LocalTimeZoneKey => this with { LocalTimeZone = Default.LocalTimeZone },
        _ => throw Unknown(key, position),
    };

    /// <summary>The value of <paramref name="key"/> as SET shows it (durations in ms, as Flink prints them; empty when unset).</summary>
    /// <exception cref="SqlException">The key is unknown.</exception>
    public string ValueOf(string key) => key switch
    {
        ParallelismKey => Parallelism.ToString(CultureInfo.InvariantCulture),
        CheckpointIntervalKey => CheckpointInterval is { } interval ? Millis(interval) : "",
        StateTtlKey => Millis(StateTtl),
        SourceIdleTimeoutKey => Millis(SourceIdleTimeout),
        PipelineNameKey => PipelineName ?? "",
        ResultModeKey => ResultMode.ToString().ToLowerInvariant(),
        LocalTimeZoneKey => LocalTimeZone.Id,
        _ => throw Unknown(key, null),
    };

    private static string Millis(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms";

    private static TimeSpan Duration(string key, string value, SqlPosition? position) =>
        ConfigOptions.TryParseDuration(value, out var duration)
            ? duration
            : throw Invalid(key, value, "a duration such as '500 ms', '10 s', '5 min' or '1 h'", position);

    private static TimeZoneInfo TimeZone(string key, string value, SqlPosition? position)
    {
        var id = value.Trim();
        if (id is "UTC" or "Z" or "GMT")
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw Invalid(key, value, "a time zone id such as 'UTC' or 'Europe/Berlin'", position);
        }
    }

    private static SqlException Invalid(string key, string value, string expected, SqlPosition? position) =>
        new($"SET '{key}' must be {expected}, not '{value}'.", position);

    private static SqlException Unknown(string key, SqlPosition? position) =>
        new($"There is no setting '{key}'.{NameSuggestions.DidYouMean(key, s_keys)} The settings are: {string.Join(", ", s_keys)}.", position);
}
