using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Sluice.Connectors.Kafka;

/// <summary>Settings of a <see cref="KafkaSource{T}"/>. Immutable.</summary>
public sealed record KafkaSourceOptions
{
    /// <summary>Topics to subscribe to; they must exist. At least one, unless <see cref="TopicPattern"/> is given instead.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>
    /// Instead of <see cref="Topics"/>: a .NET regular expression a whole topic name must match (Flink's
    /// <c>topic-pattern</c>; write Java-compatible syntax). Each reader lists the cluster's topics when it is created
    /// and subscribes to those that match; topics created later are not picked up until the job restarts. No
    /// matching topic fails the reader with a <see cref="KafkaSourceException"/> naming the pattern. Null (default) = use
    /// <see cref="Topics"/>.
    /// </summary>
    public string? TopicPattern { get; init; }

    /// <summary>
    /// The consumer group every reader joins. Readers of one job, and instances of the same job in other
    /// processes, share it and split the partitions between them; committed offsets are stored under it. Required.
    /// </summary>
    public required string GroupId { get; init; }

    /// <summary>Where partitions without an entry in <see cref="StartingOffsets"/> begin. Default <see cref="KafkaStartingPosition.Committed"/> (falling back to earliest).</summary>
    public KafkaStartingPosition StartingPosition { get; init; } = KafkaStartingPosition.Committed();

    /// <summary>
    /// Explicit next offsets per partition, e.g. the positions of a restored checkpoint
    /// (<see cref="KafkaSourceReader{T}.GetPositions"/>); they win over <see cref="StartingPosition"/>. Null = none.
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, long>? StartingOffsets { get; init; }

    /// <summary>
    /// True: each reader stops at the end offsets it observes when it is created (for batch-like jobs, tests and
    /// benchmarks), and the job finishes. False (default): follow the topics forever.
    /// </summary>
    public bool Bounded { get; init; }

    /// <summary>Which records are visible. Default <see cref="IsolationLevel.ReadCommitted"/>: records of open or aborted transactions are not delivered (by real brokers).</summary>
    public IsolationLevel Isolation { get; init; } = IsolationLevel.ReadCommitted;

    /// <summary>Most records one poll of the engine emits; 0 (default) = 4 × the job's batch size.</summary>
    public int MaxRecordsPerPoll { get; init; }

    /// <summary>Records the poll thread may hold decoded ahead of the engine, per reader (backpressure bound). Default 16384.</summary>
    public int BufferedRecords { get; init; } = 16_384;

    /// <summary>
    /// Commit the emitted positions of a bounded reader to the group when it finishes. Default true. (With
    /// checkpoints, each completed checkpoint's positions are committed as well.)
    /// </summary>
    public bool CommitOnFinish { get; init; } = true;

    /// <summary>
    /// Commit the emitted positions of partitions the group takes away from a reader, before they move, so the new
    /// owner continues where this reader stopped instead of re-reading. Default true. Progress reporting, not a
    /// delivery guarantee: without checkpoints, records emitted but not yet written by the sinks at the time of a
    /// crash are not replayed; with checkpoints, a restore resumes at the checkpoint's positions, not the group's.
    /// </summary>
    public bool CommitOnRevoke { get; init; } = true;

    /// <summary>
    /// librdkafka consumer properties added after the connection's (e.g. <c>fetch.min.bytes</c>,
    /// <c>partition.assignment.strategy</c>); the connector's own settings (<c>group.id</c>,
    /// <c>enable.auto.commit=false</c>, isolation, partition EOF) still win.
    /// </summary>
    public IReadOnlyDictionary<string, string> ConsumerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws when a setting is invalid.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Topics, nameof(Topics));
        if (TopicPattern is not null)
        {
            if (Topics.Count != 0 || string.IsNullOrWhiteSpace(TopicPattern))
            {
                throw new ArgumentException("TopicPattern must be a non-blank regular expression and is given instead of Topics, not with them.", nameof(TopicPattern));
            }
            try
            {
                _ = MatchesTopicPattern("");
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"TopicPattern '{TopicPattern}' is not a valid regular expression: {e.Message}", nameof(TopicPattern), e);
            }
        }
        else if (Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace) || Topics.Distinct(StringComparer.Ordinal).Count() != Topics.Count)
        {
            throw new ArgumentException("Topics must list at least one topic, without blanks or repeats (or give TopicPattern instead).", nameof(Topics));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(GroupId, nameof(GroupId));
        ArgumentNullException.ThrowIfNull(StartingPosition, nameof(StartingPosition));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRecordsPerPoll, nameof(MaxRecordsPerPoll));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferedRecords, 1, nameof(BufferedRecords));
        ArgumentNullException.ThrowIfNull(ConsumerProperties, nameof(ConsumerProperties));
        if (StartingOffsets is not null)
        {
            foreach (var (partition, offset) in StartingOffsets)
            {
                if (offset < 0 || (TopicPattern is null ? !Topics.Contains(partition.Topic) : !MatchesTopicPattern(partition.Topic)))
                {
                    throw new ArgumentException(TopicPattern is null
                        ? $"Starting offset {offset} of {partition} is negative or of a topic not in Topics ({string.Join(", ", Topics)})."
                        : $"Starting offset {offset} of {partition} is negative or of a topic that does not match the topic pattern '{TopicPattern}'.", nameof(StartingOffsets));
                }
            }
        }
    }

    /// <summary>Whether the whole of <paramref name="topic"/> matches <see cref="TopicPattern"/> (as Java's <c>Matcher.matches</c>); at reader start only.</summary>
    internal bool MatchesTopicPattern(string topic) =>
        Regex.IsMatch(topic, $"^(?:{TopicPattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
