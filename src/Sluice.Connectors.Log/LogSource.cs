using Sluice.Formats;
using Sluice.Log;
using Sluice.Sources;

namespace Sluice.Connectors.Log;

/// <summary>
/// A replayable, partitioned source over one topic of the embedded log. Partition <c>p</c> is read by subtask
/// <c>p % parallelism</c>; each partition is one split, so the runtime keeps a watermark and idleness per partition.
/// Records carry the log record's timestamp (a <see cref="WatermarkStrategy{T}"/> timestamp assigner may override it).
/// Undecodable records become <see cref="DeadLetter"/>s on <see cref="DeadLetters.Tag"/>.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// <para>Ownership: the <see cref="PartitionedLog"/> stays the caller's; keep it open until the job has ended.
/// Guarantees today: at-least-once within a run; positions are exposed by <see cref="LogSourceReader{T}.Positions"/>
/// and restored by <see cref="WithStartingOffsets"/> for checkpoints. Immutable and thread-safe.</para>
/// <para>More subtasks than partitions: the extra subtasks read nothing; bounded, they finish at once; unbounded,
/// they stay alive but never hold back the job's watermark.</para>
/// </remarks>
public sealed class LogSource<T> : ISource<T>, Lineage.ILineageDataset
{
    /// <summary>Creates a source.</summary>
    /// <param name="log">The open log (owned by the caller).</param>
    /// <param name="topic">An existing topic.</param>
    /// <param name="deserializer">Decodes records; see <see cref="MessageDeserializers"/>.</param>
    /// <param name="options">Optional settings; null = defaults (unbounded, earliest, read-committed).</param>
    /// <exception cref="ArgumentException">The topic does not exist or an option is invalid.</exception>
    public LogSource(PartitionedLog log, string topic, IMessageDeserializer<T> deserializer, LogSourceOptions? options = null)
        : this(log, topic, deserializer, options ?? new LogSourceOptions(), null)
    {
    }

    private LogSource(PartitionedLog log, string topic, IMessageDeserializer<T> deserializer, LogSourceOptions options, IReadOnlyDictionary<int, long>? startingOffsets)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(deserializer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!log.TryGetTopic(topic, out TopicLog? topicLog))
        {
            throw new ArgumentException($"Topic '{topic}' does not exist in the log at '{log.DataDirectory}'. Create it first (PartitionedLog.CreateTopic or 'sluice log topics create {topic}').", nameof(topic));
        }
        Log = log;
        TopicLog = topicLog;
        Deserializer = deserializer;
        Options = options;
        StartingOffsets = startingOffsets;
    }

    /// <summary>The log read from.</summary>
    public PartitionedLog Log { get; }

    /// <summary>The topic read from.</summary>
    public string Topic => TopicLog.Name;

    /// <summary>The settings.</summary>
    public LogSourceOptions Options { get; }

    /// <summary>The topic as <c>sluice://{absolute data directory}</c> / topic.</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.SluiceLog(Log.DataDirectory, Topic)];

    /// <summary>Explicit starting offsets by partition (a restored checkpoint), or null; other partitions use <see cref="LogSourceOptions.StartingPosition"/>.</summary>
    public IReadOnlyDictionary<int, long>? StartingOffsets { get; }

    internal TopicLog TopicLog { get; }

    internal IMessageDeserializer<T> Deserializer { get; }

    /// <inheritdoc />
    public bool IsBounded => Options.Bounded;

    /// <summary>Unlimited (0): subtasks beyond the partition count are allowed and stay idle.</summary>
    public int MaxParallelism => 0;

    /// <summary>
    /// A copy of this source that starts the given partitions at the given offsets (the next offset to read, as
    /// reported by <see cref="LogSourceReader{T}.Positions"/>) — how a checkpoint restores the source. Partitions not
    /// in the map use <see cref="LogSourceOptions.StartingPosition"/>.
    /// </summary>
    /// <param name="offsets">Partition → next offset to read.</param>
    /// <exception cref="ArgumentException">A partition number is not one of the topic's.</exception>
    public LogSource<T> WithStartingOffsets(IReadOnlyDictionary<int, long> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var copy = new Dictionary<int, long>(offsets.Count);
        foreach (var (partition, offset) in offsets)
        {
            if ((uint)partition >= (uint)TopicLog.PartitionCount)
            {
                throw new ArgumentException($"Partition {partition} is not a partition of topic '{Topic}' (0..{TopicLog.PartitionCount - 1}).", nameof(offsets));
            }
            ArgumentOutOfRangeException.ThrowIfNegative(offset, nameof(offsets));
            copy[partition] = offset;
        }
        return new LogSource<T>(Log, Topic, Deserializer, Options, copy);
    }

    /// <summary>The partitions subtask <paramref name="subtaskIndex"/> of <paramref name="parallelism"/> reads: <c>p % parallelism == subtaskIndex</c>.</summary>
    /// <param name="subtaskIndex">Subtask in <c>[0, parallelism)</c>.</param>
    /// <param name="parallelism">Number of subtasks (≥ 1).</param>
    /// <param name="partitionCount">Partitions of the topic.</param>
    public static IReadOnlyList<int> AssignPartitions(int subtaskIndex, int parallelism, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(subtaskIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(subtaskIndex, parallelism);
        var partitions = new List<int>();
        for (int p = subtaskIndex; p < partitionCount; p += parallelism)
        {
            partitions.Add(p);
        }
        return partitions;
    }

    /// <summary>Creates the reader of one subtask: resolves its partitions' starting offsets (and bounded end offsets) now.</summary>
    /// <param name="context">The subtask's context.</param>
    /// <exception cref="ArgumentOutOfRangeException">A starting offset lies beyond a partition's end.</exception>
    internal LogSourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new LogSourceReader<T>(this, context);
    }

    ISourceReader<T> ISource<T>.CreateReader(SourceReaderContext context) => CreateReader(context);

    /// <inheritdoc />
    public override string ToString() => $"LogSource({Topic})";
}
