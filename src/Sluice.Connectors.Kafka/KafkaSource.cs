using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Sources;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// Reads Kafka topics through a consumer group. Each parallel reader is one group member with its own consumer and
/// poll thread; the group assigns partitions to members (of this job and of other instances of it). Splits are a
/// fixed array with one slot per partition of the subscribed topics, so every partition has its own watermark; see
/// <see cref="KafkaSourceReader{T}"/> for how assignment changes map onto splits.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Offsets are never auto-committed: readers expose their positions (<see cref="KafkaSourceReader{T}.GetPositions"/>)
/// for checkpoints, accept restored positions (<see cref="KafkaSourceOptions.StartingOffsets"/>) and commit to the
/// group explicitly (<see cref="KafkaSourceReader{T}.CommitOffsets"/>; at bounded end and on revocation by default).
/// Record timestamps are the Kafka records' (a watermark strategy's assigner replaces them).
/// </remarks>
public sealed class KafkaSource<T> : ISource<T>, Lineage.ILineageDataset
{
    private readonly List<KafkaSourceReader<T>> _readers = [];
    private readonly Dictionary<TopicPartition, long> _handedOver = [];
    private readonly HashSet<TopicPartition> _finishedPartitions = [];
    private readonly Lock _listingLock = new();
    private IReadOnlyList<string>? _listing; // the topics the live readers subscribe to (one listing for all of them)
    private HashSet<string>? _firstListing; // the topics matching TopicPattern when this source's readers first started
    private int _liveReaders;

    /// <summary>Creates the source; nothing connects until the job starts.</summary>
    /// <param name="connection">Cluster address and pass-through client properties.</param>
    /// <param name="options">Topics, group, starting position, bounded mode.</param>
    /// <param name="deserializer">Decodes records (<see cref="MessageDeserializers"/>); undecodable ones go to <see cref="DeadLetters.Tag"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public KafkaSource(KafkaConnectionOptions connection, KafkaSourceOptions options, IMessageDeserializer<T> deserializer)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(deserializer);
        connection.Validate();
        options.Validate();
        Connection = connection;
        Options = options;
        Deserializer = deserializer;
    }

    /// <summary>The connection settings.</summary>
    public KafkaConnectionOptions Connection { get; }

    /// <summary>The source settings.</summary>
    public KafkaSourceOptions Options { get; }

    /// <summary>
    /// Each subscribed topic as <c>kafka://{first bootstrap server}</c> / topic (user info of the bootstrap server is
    /// left out). A <see cref="KafkaSourceOptions.TopicPattern"/> subscription names no dataset: which topics it
    /// matches is only known once the consumer runs.
    /// </summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() =>
        [.. Options.Topics.Select(topic => Lineage.DatasetNames.Kafka(Connection.BootstrapServers, topic))];

    /// <summary>The deserializer shared by all readers.</summary>
    public IMessageDeserializer<T> Deserializer { get; }

    /// <inheritdoc />
    public bool IsBounded => Options.Bounded;

    /// <summary>0: any parallelism; readers beyond the partition count get no partitions and stay idle.</summary>
    public int MaxParallelism => 0;

    /// <summary>The readers created so far (one per subtask of each run), for positions and commits. Thread-safe snapshot.</summary>
    internal IReadOnlyList<KafkaSourceReader<T>> Readers
    {
        get
        {
            lock (_readers)
            {
                return [.. _readers];
            }
        }
    }

    /// <summary>
    /// Raised on a reader's poll thread after the group changed its assignment (partitions assigned or taken away),
    /// with the reader; read <see cref="KafkaSourceReader{T}.Assignment"/> for the new set. Handlers must be quick and
    /// must not throw.
    /// </summary>
    internal event Action<KafkaSourceReader<T>>? AssignmentChanged;

    /// <summary>A reader released <paramref name="partition"/> with <paramref name="nextOffset"/> as its position: a reader of this source that gets it next continues there.</summary>
    internal void HandOver(TopicPartition partition, long nextOffset)
    {
        lock (_handedOver)
        {
            _handedOver[partition] = nextOffset;
        }
    }

    /// <summary>
    /// A bounded reader handed the engine every record of <paramref name="partitions"/> up to its end offsets. Wakes
    /// the waiting readers when that completes more of the source (see <see cref="AllPartitionsFinished"/>).
    /// </summary>
    internal void ReportFinished(IEnumerable<TopicPartition> partitions)
    {
        var added = false;
        lock (_handedOver)
        {
            foreach (var partition in partitions)
            {
                added |= _finishedPartitions.Add(partition);
            }
        }
        if (added)
        {
            foreach (var reader in Readers)
            {
                reader.WakeIfWaiting();
            }
        }
    }

    /// <summary>
    /// True when every one of <paramref name="partitions"/> was read to its end offset by some reader of this source:
    /// only then may a bounded reader finish. A reader's own partitions are not enough — the group may still hand it
    /// partitions that nobody owns at the moment (a cooperative rebalance takes them from one member in one round and
    /// gives them to another in the next; the mock coordinator also assigns a newcomer's share a second or two after
    /// the others'), and a finished reader would never emit them.
    /// </summary>
    internal bool AllPartitionsFinished(IEnumerable<TopicPartition> partitions)
    {
        lock (_handedOver)
        {
            foreach (var partition in partitions)
            {
                if (!_finishedPartitions.Contains(partition))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>The position another reader of this source released <paramref name="partition"/> at, if any.</summary>
    internal bool TryTakeOver(TopicPartition partition, out long nextOffset)
    {
        lock (_handedOver)
        {
            return _handedOver.TryGetValue(partition, out nextOffset);
        }
    }

    internal void OnAssignmentChanged(KafkaSourceReader<T> reader) => AssignmentChanged?.Invoke(reader);

    /// <summary>
    /// The topics a new reader subscribes to, counting it as live until <see cref="ReaderClosed"/>: <see cref="KafkaSourceOptions.Topics"/>, or
    /// for <see cref="KafkaSourceOptions.TopicPattern"/> one listing shared by every reader of a run — taken by the
    /// first reader created while none is live (a job's start or restart), so the readers of one run number their
    /// splits alike even when a topic is created while they start.
    /// </summary>
    /// <param name="list">Lists the matching topics (a metadata request), called at most once per run.</param>
    internal IReadOnlyList<string> TopicsForNewReader(Func<IReadOnlyList<string>> list)
    {
        lock (_listingLock)
        {
            if (Options.TopicPattern is not null && (_listing is null || _liveReaders == 0))
            {
                _listing = list();
                _firstListing ??= [.. _listing];
            }
            _liveReaders++;
            return _listing ?? Options.Topics;
        }
    }

    /// <summary>A reader that got its topics from <see cref="TopicsForNewReader"/> closed (or failed to start).</summary>
    internal void ReaderClosed()
    {
        lock (_listingLock)
        {
            _liveReaders--;
        }
    }

    /// <summary>
    /// Whether <paramref name="topic"/> matched <see cref="KafkaSourceOptions.TopicPattern"/> only after this source's
    /// readers first started (it was created later): its partitions without a position are read from the earliest offset,
    /// whatever the starting position says, so none of its records is skipped.
    /// </summary>
    internal bool AppearedAfterStart(string topic)
    {
        lock (_listingLock)
        {
            return _firstListing is not null && !_firstListing.Contains(topic);
        }
    }

    /// <inheritdoc />
    /// <exception cref="KafkaSourceException">A topic does not exist or the cluster cannot be reached.</exception>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reader = new KafkaSourceReader<T>(this, context);
        lock (_readers)
        {
            _readers.Add(reader);
        }
        return reader;
    }
}
