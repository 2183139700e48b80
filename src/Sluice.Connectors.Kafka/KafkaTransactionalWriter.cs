using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// A transactional producer with the two-phase flow a checkpointed sink needs: <see cref="InitTransactions"/> (fences
/// a predecessor with the same transactional id and aborts its open transaction) · <see cref="BeginTransaction"/>
/// after a barrier · <see cref="Produce"/> · <see cref="PreCommit"/> on barrier <c>n</c> (flushes, so every record is
/// acknowledged) · <see cref="Commit"/> when checkpoint <c>n</c> completes, or <see cref="Abort"/>. Offsets of a
/// consumer group can join the transaction (<see cref="SendOffsets"/>).
/// </summary>
/// <remarks>
/// Keep the transactional id stable across restarts: a restarted writer with the same id fences the old one. An
/// exactly-once <see cref="KafkaSink{T}"/> drives one writer per open or pre-committed transaction of each subtask
/// (see <see cref="KafkaSinkOptions.TransactionalIdPrefix"/>). Delivery errors are raised by
/// <see cref="PreCommit"/>/<see cref="Commit"/> (and by the next <see cref="Produce"/>), never swallowed. A fenced
/// writer raises <see cref="KafkaSinkException"/> with <see cref="IsFenced"/> set; it cannot be used again. Not
/// thread-safe: one thread at a time drives it.
/// </remarks>
internal sealed class KafkaTransactionalWriter : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly TimeSpan _timeout;
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onDelivery;
    private Exception? _deliveryError;
    private bool _initialized;

    /// <summary>Creates the producer (nothing is sent until <see cref="InitTransactions"/>).</summary>
    /// <param name="connection">Cluster address and pass-through properties.</param>
    /// <param name="transactionalId">Stable across restarts of the job; unique per concurrent transaction.</param>
    /// <param name="producerProperties">Extra librdkafka producer properties; null = none.</param>
    /// <param name="timeout">Bound of each blocking call; null = 60 s.</param>
    /// <param name="partitioner">librdkafka partitioner; null = <c>murmur2_random</c>.</param>
    /// <param name="logger">Receives librdkafka's log lines (levels mapped: notice and info → Information); null = none.</param>
    public KafkaTransactionalWriter(KafkaConnectionOptions connection, string transactionalId,
        IReadOnlyDictionary<string, string>? producerProperties = null, TimeSpan? timeout = null, string? partitioner = null, ILogger? logger = null)
        : this(connection, transactionalId, producerProperties, timeout, partitioner, KafkaClientLog.Standalone(logger))
    {
    }

    /// <summary>A writer of a sink in a job: its log lines name the job, operator and subtask.</summary>
    internal KafkaTransactionalWriter(KafkaConnectionOptions connection, string transactionalId,
        IReadOnlyDictionary<string, string>? producerProperties, TimeSpan? timeout, string? partitioner, KafkaClientLog log)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionalId);
        TransactionalId = transactionalId;
        _timeout = timeout ?? TimeSpan.FromSeconds(60);
        var config = KafkaProducers.ProducerConfig(connection, producerProperties, partitioner ?? "murmur2_random");
        config["transactional.id"] = TransactionalId;
        config["transaction.timeout.ms"] = config.GetValueOrDefault("transaction.timeout.ms", "900000");
        _producer = new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, m) => log.Write(m))
            .Build();
        _onDelivery = OnDelivery;
    }

    /// <summary>This writer's transactional id.</summary>
    public string TransactionalId { get; }

    /// <summary>True between <see cref="BeginTransaction"/> and <see cref="Commit"/>/<see cref="Abort"/>.</summary>
    public bool InTransaction { get; private set; }

    /// <summary>The checkpoint id given to the last <see cref="PreCommit"/> of the open transaction, or null.</summary>
    public long? PendingCheckpointId { get; private set; }

    /// <summary>True once the cluster reported that a newer writer with the same transactional id took over.</summary>
    public bool IsFenced { get; private set; }

    /// <summary>The underlying producer, for metadata and statistics; do not start or end transactions on it directly.</summary>
    public IProducer<byte[]?, byte[]?> Producer => _producer;

    /// <summary>
    /// Registers the transactional id with the cluster: bumps its epoch, which fences any older producer using the
    /// id and aborts (or completes) the transaction it left open. Call once, before the first transaction.
    /// </summary>
    /// <exception cref="KafkaSinkException">The cluster rejected the call or timed out.</exception>
    public void InitTransactions()
    {
        Run("initialize transactions", () => _producer.InitTransactions(_timeout));
        _initialized = true;
    }

    /// <summary>Starts a transaction; records produced until <see cref="Commit"/> belong to it.</summary>
    /// <exception cref="InvalidOperationException">Not initialized, or a transaction is open.</exception>
    /// <exception cref="KafkaSinkException">The producer is fenced or failed.</exception>
    public void BeginTransaction()
    {
        if (!_initialized || InTransaction)
        {
            throw new InvalidOperationException($"Transactional writer '{TransactionalId}' cannot begin a transaction: {(InTransaction ? "one is open" : "call InitTransactions first")}.");
        }
        Run("begin a transaction", _producer.BeginTransaction);
        InTransaction = true;
        PendingCheckpointId = null;
    }

    /// <summary>Sends one record in the open transaction (asynchronously; errors surface at the next call).</summary>
    /// <exception cref="InvalidOperationException">No transaction is open.</exception>
    /// <exception cref="KafkaSinkException">An earlier record failed, or the producer is fenced.</exception>
    public void Produce(string topic, Message<byte[]?, byte[]?> message)
    {
        if (!InTransaction)
        {
            throw new InvalidOperationException($"Transactional writer '{TransactionalId}' has no open transaction; call BeginTransaction first.");
        }
        ThrowIfDeliveryFailed();
        Run($"send to '{topic}'", () => KafkaProducers.ProduceWithBackpressure(_producer, topic, message, _onDelivery));
    }

    /// <summary>Adds a consumer group's offsets to the open transaction: they are committed with it, atomically with the records.</summary>
    /// <exception cref="KafkaSinkException">The cluster rejected the offsets.</exception>
    public void SendOffsets(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(groupMetadata);
        Run("send consumer offsets to the transaction", () => _producer.SendOffsetsToTransaction(offsets, groupMetadata, _timeout));
    }

    /// <summary>
    /// First phase for checkpoint <paramref name="checkpointId"/>: flushes, so every record of the open transaction
    /// is acknowledged by the brokers; afterwards only <see cref="Commit"/> or <see cref="Abort"/> remain.
    /// </summary>
    /// <exception cref="KafkaSinkException">A record could not be delivered, or the flush timed out.</exception>
    public void PreCommit(long checkpointId)
    {
        if (!InTransaction)
        {
            throw new InvalidOperationException($"Transactional writer '{TransactionalId}' has no open transaction to pre-commit.");
        }
        Flush();
        PendingCheckpointId = checkpointId;
    }

    /// <summary>Waits until every record sent so far is acknowledged by the brokers; the transaction stays open.</summary>
    /// <exception cref="KafkaSinkException">A record could not be delivered, or the flush timed out.</exception>
    public void Flush()
    {
        Run("flush", () =>
        {
            if (_producer.Flush(_timeout) > 0)
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"records still in flight after {_timeout}"));
            }
        });
        ThrowIfDeliveryFailed();
    }

    /// <summary>Commits the open transaction: its records become visible to read-committed consumers.</summary>
    /// <exception cref="KafkaSinkException">A record failed or the commit was rejected (e.g. fenced); abort, or fail the job.</exception>
    public void Commit()
    {
        if (!InTransaction)
        {
            throw new InvalidOperationException($"Transactional writer '{TransactionalId}' has no open transaction to commit.");
        }
        ThrowIfDeliveryFailed();
        Run("commit the transaction", () => _producer.CommitTransaction(_timeout));
        InTransaction = false;
        PendingCheckpointId = null;
    }

    /// <summary>Aborts the open transaction (a no-op without one): its records are never visible to read-committed consumers.</summary>
    /// <exception cref="KafkaSinkException">The abort was rejected (e.g. fenced).</exception>
    public void Abort()
    {
        if (!InTransaction)
        {
            return;
        }
        Run("abort the transaction", () => _producer.AbortTransaction(_timeout));
        InTransaction = false;
        PendingCheckpointId = null;
        _deliveryError = null;
    }

    /// <summary>Closes the producer without committing: an open transaction is aborted by the cluster (or by the next writer's <see cref="InitTransactions"/>).</summary>
    public void Dispose() => _producer.Dispose();

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _deliveryError,
                new KafkaSinkException($"Kafka transactional writer '{TransactionalId}' could not deliver a record to {report.TopicPartition}: {report.Error.Reason} ({report.Error.Code}).", new KafkaException(report.Error)), null);
        }
    }

    private void ThrowIfDeliveryFailed()
    {
        if (Volatile.Read(ref _deliveryError) is { } error)
        {
            throw error;
        }
    }

    private void Run(string what, Action action)
    {
        try
        {
            action();
        }
        catch (KafkaException e)
        {
            var fenced = e.Error.Code is ErrorCode.ProducerFenced or ErrorCode.Local_Fenced or ErrorCode.InvalidProducerEpoch;
            IsFenced |= fenced;
            var hint = fenced ? " A newer writer with the same transactional id took over; this one cannot be used again." :
                e is KafkaTxnRequiresAbortException ? " Abort the transaction and retry." : "";
            throw new KafkaSinkException($"Kafka transactional writer '{TransactionalId}' could not {what}: {e.Error.Reason} ({e.Error.Code}).{hint}", e);
        }
    }
}
