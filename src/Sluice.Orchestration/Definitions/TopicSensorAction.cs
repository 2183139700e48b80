namespace Sluice.Orchestration.Definitions;

/// <summary>
/// Succeeds when every selected partition of <see cref="Topic"/> (templated) has reached a position: its end offset
/// is at least <see cref="Offset"/>, or it holds a record whose timestamp is at least <see cref="EventTime"/> (the
/// partition's newest record is that recent). The topic is on the embedded log of the scheduler's host, or on the
/// Kafka cluster at <see cref="BootstrapServers"/>; the host's <see cref="ITopicProbe"/> reads it. An unknown topic or
/// partition fails the attempt at once (it does not poke until the timeout).
/// </summary>
public sealed record TopicSensorAction(string Topic) : SensorAction
{
    /// <summary>The default <see cref="EventTime"/> when no <see cref="Offset"/> is given: the end of the interval.</summary>
    public const string DefaultEventTime = "{{ data_interval_end }}";

    /// <inheritdoc/>
    public override string Kind => "topic_sensor";

    /// <summary>The one partition to watch, or null for all partitions of the topic.</summary>
    public int? Partition { get; init; }

    /// <summary>The least end offset (the offset the next record gets) of each selected partition, or null.</summary>
    public long? Offset { get; init; }

    /// <summary>
    /// The least newest-record timestamp of each selected partition (templated; an ISO 8601 date-time), or null. When
    /// neither this nor <see cref="Offset"/> is given, <see cref="DefaultEventTime"/> applies.
    /// </summary>
    public string? EventTime { get; init; }

    /// <summary>A Kafka cluster's bootstrap servers (templated), or null for the host's embedded log.</summary>
    public string? BootstrapServers { get; init; }

    /// <summary>The event-time threshold in effect: <see cref="EventTime"/>, the default, or null when watching an offset.</summary>
    public string? EffectiveEventTime => Offset is null ? EventTime ?? DefaultEventTime : null;

    internal override IEnumerable<(string Field, string Template)> Templates()
    {
        yield return ("topic", Topic);
        if (EffectiveEventTime is { } eventTime)
        {
            yield return ("event_time", eventTime);
        }
        if (BootstrapServers is not null)
        {
            yield return ("bootstrap_servers", BootstrapServers);
        }
    }

    internal override string? Problem() =>
        Offset is not null && EventTime is not null ? "give either 'offset' or 'event_time', not both."
        : Offset < 0 ? $"'offset' must be at least 0, not {Offset}."
        : Partition < 0 ? $"'partition' must be at least 0, not {Partition}."
        : string.IsNullOrWhiteSpace(Topic) ? "the field 'topic' is required."
        : null;
}
