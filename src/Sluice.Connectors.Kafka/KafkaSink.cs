using Sluice.Formats;
using Sluice.Sinks;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// Writes records to a Kafka topic, keyed by the serializer's key (Java-compatible murmur2 partitioning by default),
/// with an idempotent producer; at-least-once or exactly-once (a Kafka transaction per checkpoint) per
/// <see cref="KafkaSinkOptions.DeliveryGuarantee"/>. Delivery errors fail the job: they are raised by the next write,
/// the next barrier or the flush at end of input.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Two-phase in both modes. At-least-once: every barrier flushes, so a checkpoint completes only once the records
/// before it are acknowledged. Exactly-once: records between two barriers form one transaction, prepared at the
/// barrier and committed by the checkpoint coordinator when the checkpoint completes (see
/// <see cref="KafkaTransactionPool"/> for the transactional ids, restarts and the one crash window librdkafka leaves
/// open); without checkpoints, at the end of input. A sink object serves one job: it keeps the transactional producers
/// between its writers and the commits, across restarts.
/// </remarks>
public sealed class KafkaSink<T> : ITwoPhaseSink<T>, Lineage.ILineageDataset
{
    /// <summary>Creates the sink; nothing connects until the job starts.</summary>
    /// <param name="connection">Cluster address and pass-through client properties.</param>
    /// <param name="options">Topic, guarantee, partitioner.</param>
    /// <param name="serializer">Produces key, value and headers (<see cref="MessageSerializers"/>).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public KafkaSink(KafkaConnectionOptions connection, KafkaSinkOptions options, IMessageSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        connection.Validate();
        options.Validate();
        Connection = connection;
        Options = options;
        Serializer = serializer;
        if (options.DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce)
        {
            Transactions = new KafkaTransactionPool(options.TransactionalIdPrefix!,
                (id, log) => new KafkaTransactionalWriter(connection, id, options.ProducerProperties, options.Timeout, options.Partitioner, log));
        }
    }

    /// <summary>The connection settings.</summary>
    public KafkaConnectionOptions Connection { get; }

    /// <summary>The sink settings.</summary>
    public KafkaSinkOptions Options { get; }

    /// <summary>The topic as <c>kafka://{first bootstrap server}</c> / topic (user info of the bootstrap server is left out).</summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.Kafka(Connection.BootstrapServers, Options.Topic)];

    /// <summary>The serializer shared by all writers.</summary>
    public IMessageSerializer<T> Serializer { get; }

    /// <summary>0: any parallelism.</summary>
    public int MaxParallelism => 0;

    /// <summary>Exactly-once: transactions committed so far. Thread-safe.</summary>
    public long CommittedTransactions => Transactions?.Committed ?? 0;

    /// <summary>Exactly-once: transactions aborted so far (open at a failure, or prepared for a checkpoint that was not restored). Thread-safe.</summary>
    public long AbortedTransactions => Transactions?.Aborted ?? 0;

    /// <summary>
    /// Exactly-once: prepared transactions of a restored checkpoint that belonged to an earlier process and were fenced
    /// instead of committed (librdkafka cannot resume them; see docs/connectors/kafka.md). Thread-safe.
    /// </summary>
    public long TransactionsNotResumed => Transactions?.TransactionsNotResumed ?? 0;

    internal KafkaTransactionPool? Transactions { get; }

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new KafkaSinkWriter<T>(this, context);
    }

    /// <summary>
    /// Exactly-once: commits the transactions the committable lists as prepared for checkpoints up to
    /// <paramref name="checkpointId"/>; ids of an earlier process are fenced. Idempotent. An empty committable
    /// (at-least-once, or a subtask that never wrote) is ignored.
    /// </summary>
    /// <exception cref="KafkaSinkException">The cluster refused a commit.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length > 0 && Transactions is { } transactions)
        {
            transactions.Commit(checkpointId, committable);
        }
    }

    /// <summary>Exactly-once: the job the sink serves; its transactional producers log through the job's logger.</summary>
    public void Open(CommitterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Transactions?.Open(context);
    }

    /// <summary>Exactly-once: aborts transactions prepared for checkpoints after <paramref name="restoredCheckpointId"/>. Idempotent.</summary>
    public void AbortPending(long restoredCheckpointId) => Transactions?.AbortPending(restoredCheckpointId);

    /// <inheritdoc />
    public override string ToString() => $"KafkaSink({Options.Topic})";
}
