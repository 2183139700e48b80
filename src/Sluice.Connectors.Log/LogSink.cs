using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;

namespace Sluice.Connectors.Log;

/// <summary>
/// Writes a stream to a topic of the embedded log. Each record's key (from the <see cref="IMessageSerializer{T}"/>)
/// picks the partition with Kafka's default partitioner (murmur2; records without key go sticky through the topic's
/// <see cref="TopicLog.Partitioner"/>); records are batched per partition and appended when a batch is full, when
/// <see cref="LogSinkOptions.Linger"/> elapses, and on flush (end of input). Parallel writers append concurrently
/// (the log is thread-safe); per writer and key, order is preserved.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// <para>
/// Guarantees by default: at-least-once — a record is in the log once the writer's flush (end of input or checkpoint
/// barrier) returned; an append failure surfaces as an exception that fails the job, never swallowed. Records
/// buffered when a job fails are not written (the replay from the source's positions writes them again).
/// </para>
/// <para>
/// With <see cref="LogSinkOptions.ExactlyOnce"/>: two-phase. Subtask <c>i</c> appends into a transaction of
/// transactional id <c>&lt;prefix&gt;-&lt;i&gt;</c>, begun at its first record after a barrier with sequence
/// <c>(the writer's previous checkpoint id, or the restored one) + 1</c> — so a transaction staged for checkpoint
/// <c>n</c> has a sequence <c>≤ n</c>, and every transaction staged after restored checkpoint <c>r</c> one above
/// <c>r</c>. At barrier <c>n</c> it is prepared (fsynced, durable) and its (id, sequence) is the committable; the
/// coordinator commits it with <see cref="TransactionalProducer.CommitPrepared"/> once checkpoint <c>n</c> is
/// complete (idempotent). <see cref="AbortPending"/> runs before each attempt's writers: it initialises a fresh
/// producer (new epoch, fencing writers of earlier attempts) for every id of the prefix the log knows — every
/// earlier subtask whatever the earlier parallelism — and aborts their prepared transactions above the restored
/// checkpoint id. The writers and the committer share that one producer per id, so committing never fences a writer.
/// </para>
/// <para>
/// Ownership: the <see cref="PartitionedLog"/> stays the caller's. Thread-safe. A sink object serves one job: it
/// keeps the restored checkpoint id and the producers between <see cref="AbortPending"/> and its writers.
/// </para>
/// </remarks>
public sealed class LogSink<T> : ITwoPhaseSink<T>, Lineage.ILineageDataset
{
    private const byte CommittableVersion = 1;
    private readonly Dictionary<string, TransactionalProducer> _producers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _restoredCheckpointId;

    /// <summary>Creates a sink.</summary>
    /// <param name="log">The open log (owned by the caller).</param>
    /// <param name="topic">An existing topic.</param>
    /// <param name="serializer">Produces key and value bytes; see <see cref="MessageSerializers"/>.</param>
    /// <param name="options">Batching settings; null = defaults.</param>
    /// <exception cref="ArgumentException">The topic does not exist or an option is invalid.</exception>
    public LogSink(PartitionedLog log, string topic, IMessageSerializer<T> serializer, LogSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(serializer);
        options ??= new LogSinkOptions();
        options.Validate();
        if (!log.TryGetTopic(topic, out TopicLog? topicLog))
        {
            throw new ArgumentException($"Topic '{topic}' does not exist in the log at '{log.DataDirectory}'. Create it first (PartitionedLog.CreateTopic or 'sluice log topics create {topic}').", nameof(topic));
        }
        Log = log;
        TopicLog = topicLog;
        Serializer = serializer;
        Options = options;
    }

    /// <summary>The log written to.</summary>
    public PartitionedLog Log { get; }

    /// <summary>The topic written to.</summary>
    public string Topic => TopicLog.Name;

    /// <summary>The settings.</summary>
    public LogSinkOptions Options { get; }

    /// <summary>The topic as <c>sluice://{absolute data directory}</c> / topic.</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.SluiceLog(Log.DataDirectory, Topic)];

    internal TopicLog TopicLog { get; }

    internal IMessageSerializer<T> Serializer { get; }

    /// <summary>Unlimited (0): any number of writers may append.</summary>
    public int MaxParallelism => 0;

    /// <summary>Creates the writer of one subtask; its linger timer runs on <see cref="SinkContext.TimeProvider"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new LogSinkWriter<T>(this, context, Volatile.Read(ref _restoredCheckpointId));
    }

    /// <summary>
    /// Commits the prepared transaction named by <paramref name="committable"/> (exactly-once mode; an empty
    /// committable, as the at-least-once writer returns, is ignored). Idempotent: a transaction committed before
    /// (e.g. before a crash) is left as it is.
    /// </summary>
    /// <exception cref="LogException">The transaction was aborted or is unknown to the log: its records are lost to
    /// this checkpoint, so the checkpoint fails rather than silently dropping them.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        var (transactionalId, sequence) = DecodeCommittable(committable);
        try
        {
            ProducerFor(transactionalId).CommitPrepared(sequence);
        }
        catch (TransactionStateException e)
        {
            throw new LogException($"Committing checkpoint #{checkpointId} of subtask {subtaskIndex} to topic '{Topic}' failed: transaction {sequence} of '{transactionalId}' is neither prepared nor committed ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Exactly-once mode: for every transactional id <c>&lt;prefix&gt;-&lt;n&gt;</c> the log knows, creates a fresh
    /// producer (fencing earlier ones) and aborts its prepared transactions with sequences above
    /// <paramref name="restoredCheckpointId"/> (0 on a fresh start: all of them). Idempotent; a no-op in
    /// at-least-once mode.
    /// </summary>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        if (!Options.ExactlyOnce)
        {
            return;
        }
        var prefix = Options.TransactionalIdPrefix + "-";
        lock (_lock)
        {
            _producers.Clear();
            foreach (var id in Log.TransactionalIds(prefix))
            {
                if (!int.TryParse(id.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    continue; // Another sink's id that merely shares the prefix (e.g. "<prefix>-x-0").
                }
                var producer = Log.InitTransactions(id);
                _producers[id] = producer;
                foreach (var sequence in producer.PendingSequences)
                {
                    if (sequence > restoredCheckpointId)
                    {
                        producer.AbortPrepared(sequence);
                    }
                }
            }
        }
    }

    /// <summary>The transactional id of subtask <paramref name="subtaskIndex"/> (exactly-once mode).</summary>
    /// <param name="subtaskIndex">The subtask.</param>
    public string TransactionalIdOf(int subtaskIndex) =>
        string.Create(CultureInfo.InvariantCulture, $"{Options.TransactionalIdPrefix}-{subtaskIndex}");

    /// <summary>The producer of <paramref name="transactionalId"/> shared by the writer and the committer, created once per attempt.</summary>
    internal TransactionalProducer ProducerFor(string transactionalId)
    {
        lock (_lock)
        {
            if (!_producers.TryGetValue(transactionalId, out var producer))
            {
                producer = Log.InitTransactions(transactionalId);
                _producers[transactionalId] = producer;
            }
            return producer;
        }
    }

    internal static byte[] EncodeCommittable(string transactionalId, long sequence)
    {
        var id = Encoding.UTF8.GetBytes(transactionalId);
        var buffer = new byte[1 + 8 + id.Length];
        buffer[0] = CommittableVersion;
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(1), sequence);
        id.CopyTo(buffer.AsSpan(9));
        return buffer;
    }

    internal static (string TransactionalId, long Sequence) DecodeCommittable(byte[] committable)
    {
        if (committable.Length < 10 || committable[0] != CommittableVersion)
        {
            throw new InvalidDataException($"Not a log-sink committable (length {committable.Length}, version {(committable.Length > 0 ? committable[0] : -1)}).");
        }
        return (Encoding.UTF8.GetString(committable.AsSpan(9)), BinaryPrimitives.ReadInt64LittleEndian(committable.AsSpan(1)));
    }

    /// <inheritdoc />
    public override string ToString() => $"LogSink({Topic})";
}
