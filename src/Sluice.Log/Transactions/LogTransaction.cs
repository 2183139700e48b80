using Sluice.Log.Transactions;

namespace Sluice.Log;

/// <summary>State of a <see cref="LogTransaction"/>.</summary>
public enum TransactionState
{
    /// <summary>Accepting appends and offsets.</summary>
    Open,

    /// <summary>Durably pre-committed: data fsynced and recorded; survives a restart until committed or aborted.</summary>
    Prepared,

    /// <summary>Committed: visible to read-committed readers, offsets applied.</summary>
    Committed,

    /// <summary>Aborted: never visible to read-committed readers.</summary>
    Aborted,
}

/// <summary>
/// An atomic unit of appends to any partitions of any topics plus consumer-group offsets, identified by
/// (transactional id, sequence). Nothing becomes visible to read-committed readers, and no offset is applied, until
/// <see cref="Commit"/>; then all of it does. Use from one thread at a time; a concurrent fence by a newer
/// producer makes further calls throw <see cref="ProducerFencedException"/>.
/// </summary>
public sealed class LogTransaction
{
    private readonly TransactionCoordinator _coordinator;
    private readonly Lock _lock = new();
    private readonly HashSet<TopicPartition> _partitions = [];
    private readonly Dictionary<(string Group, string Topic, int Partition), long> _offsets = [];

    internal LogTransaction(TransactionCoordinator coordinator, TransactionalProducer producer, long producerId, long sequence, short epoch)
    {
        _coordinator = coordinator;
        Producer = producer;
        ProducerId = producerId;
        Sequence = sequence;
        Epoch = epoch;
    }

    /// <summary>The producer's transactional id.</summary>
    public string TransactionalId => Producer.TransactionalId;

    /// <summary>Caller-chosen stable id of this transaction within its transactional id (e.g. a checkpoint id).</summary>
    public long Sequence { get; }

    /// <summary>Current state.</summary>
    public TransactionState State { get; internal set; }

    internal TransactionalProducer Producer { get; }

    internal long ProducerId { get; }

    internal short Epoch { get; }

    internal Lock SyncRoot => _lock;

    internal IReadOnlyCollection<TopicPartition> Partitions => _partitions;

    internal IEnumerable<GroupOffset> Offsets => _offsets.Select(e => new GroupOffset(e.Key.Group, e.Key.Topic, e.Key.Partition, e.Value));

    /// <summary>Appends a batch to a partition inside the transaction (not fsynced until prepare/commit). Allocation-free.</summary>
    /// <param name="topic">Existing topic.</param>
    /// <param name="partition">Partition number.</param>
    /// <param name="batch">Non-empty batch.</param>
    public AppendResult Append(string topic, int partition, RecordBatchBuilder batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        PartitionLog log = _coordinator.GetPartition(topic, partition);
        lock (_lock)
        {
            EnsureOpen();
            AppendResult result = log.AppendTransactional(batch, ProducerId, Epoch);
            _partitions.Add(new TopicPartition(topic, partition));
            return result;
        }
    }

    /// <summary>Convenience overload encoding <paramref name="records"/> into one batch.</summary>
    /// <param name="topic">Existing topic.</param>
    /// <param name="partition">Partition number.</param>
    /// <param name="records">At least one record.</param>
    public AppendResult Append(string topic, int partition, ReadOnlySpan<ProducerRecord> records)
    {
        using var builder = new RecordBatchBuilder(4096, _coordinator.TimeProvider);
        foreach (ref readonly ProducerRecord r in records)
        {
            builder.Add(r);
        }

        return Append(topic, partition, builder);
    }

    /// <summary>Sets consumer-group offsets that are committed atomically with this transaction (last value wins).</summary>
    /// <param name="group">Consumer group.</param>
    /// <param name="offsets">Next offsets to read.</param>
    public void AddConsumerOffsets(string group, IEnumerable<TopicPartitionOffset> offsets)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(offsets);
        lock (_lock)
        {
            EnsureOpen();
            foreach (TopicPartitionOffset o in offsets)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(o.Offset);
                _offsets[(group, o.Topic, o.Partition)] = o.Offset;
            }
        }
    }

    /// <summary>
    /// Pre-commit (phase one): fsyncs the appended data and durably records the transaction, which then survives a
    /// crash as pending and is resolved later with <see cref="TransactionalProducer.CommitPrepared"/> or
    /// <see cref="TransactionalProducer.AbortPrepared"/>. Still invisible to read-committed readers.
    /// </summary>
    public void Prepare() => _coordinator.Prepare(this);

    /// <summary>Commits (phase two, preparing first if needed): durable once this returns. Idempotent.</summary>
    public void Commit() => _coordinator.Commit(this);

    /// <summary>Aborts: the data is never visible to read-committed readers. Idempotent.</summary>
    public void Abort() => _coordinator.Abort(this);

    internal void Restore(IEnumerable<TopicPartition> partitions, IEnumerable<GroupOffset> offsets)
    {
        foreach (TopicPartition tp in partitions)
        {
            _partitions.Add(tp);
        }

        foreach (GroupOffset o in offsets)
        {
            _offsets[(o.Group, o.Topic, o.Partition)] = o.Offset;
        }
    }

    private void EnsureOpen()
    {
        _coordinator.EnsureNotFenced(Producer);
        if (State != TransactionState.Open)
        {
            throw new TransactionStateException(
                $"Transaction {Sequence} of transactional id '{TransactionalId}' is {State}; appends and offsets need an open transaction.");
        }
    }
}
