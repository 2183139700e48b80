using System.Collections.Concurrent;
using Sluice.Log.Storage;

namespace Sluice.Log.Transactions;

/// <summary>
/// Owns the transaction log and the state of every transactional id. Commit protocol: (1) fsync every partition
/// the transaction wrote, (2) append Prepare+Commit (or Commit after an earlier Prepare) to the transaction log and
/// fsync — the commit point, (3) apply the group offsets, (4) append commit markers to the partitions (advancing their
/// last stable offsets), (5) record Complete. Recovery on open redoes (3)–(5) for committed transactions, keeps
/// prepared ones pending, and aborts every other open transaction found in the partitions.
/// Thread-safe: state changes are serialised by one lock (transactions are coarse, e.g. one per checkpoint).
/// </summary>
internal sealed partial class TransactionCoordinator : IDisposable
{
    private const int HistoryLength = 1024;
    private readonly Lock _lock = new();
    private readonly Func<string, int, PartitionLog?> _findPartition;
    private readonly ConsumerGroupStore _groups;
    private readonly ConcurrentDictionary<string, IdState> _ids = new(StringComparer.Ordinal);
    private readonly string _path;
    private TransactionLogFile _file;
    private long _nextProducerId;

    private readonly bool _readOnly;

    private TransactionCoordinator(string path, TransactionLogFile file, Func<string, int, PartitionLog?> findPartition, ConsumerGroupStore groups, TimeProvider timeProvider, bool readOnly)
    {
        _readOnly = readOnly;
        _path = path;
        _file = file;
        _findPartition = findPartition;
        _groups = groups;
        TimeProvider = timeProvider;
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Opens the transaction log and recovers. Read-only: nothing is written; recovery's decisions (commit or
    /// abort of transactions a crash left incomplete) are applied to the partitions' in-memory state only.</summary>
    public static TransactionCoordinator Open(
        string directory, Func<string, int, PartitionLog?> findPartition, IEnumerable<PartitionLog> partitions, ConsumerGroupStore groups, TimeProvider timeProvider, bool readOnly, bool cleanShutdown)
    {
        string path = Path.Combine(directory, "transactions.log");
        if (!readOnly)
        {
            Directory.CreateDirectory(directory);
        }

        var file = TransactionLogFile.Open(path, readOnly, cleanShutdown, out List<TxnRecord> records);
        var coordinator = new TransactionCoordinator(path, file, findPartition, groups, timeProvider, readOnly);
        coordinator.Recover(records, [.. partitions]);
        return coordinator;
    }

    public PartitionLog GetPartition(string topic, int partition) =>
        _findPartition(topic, partition) ?? throw new ArgumentException($"Topic '{topic}' partition {partition} does not exist.", nameof(topic));

    public TransactionalProducer InitTransactions(string transactionalId)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionalId);
        lock (_lock)
        {
            IdState state = GetOrAdd(transactionalId);
            if (state.Epoch == short.MaxValue)
            {
                throw new TransactionStateException($"Transactional id '{transactionalId}' exhausted its epochs; use a new id.");
            }

            short epoch = (short)(state.Epoch + 1);
            _file.Append([new TxnRecord(TxnRecordType.Epoch, TransactionalId: transactionalId, Epoch: epoch)], durable: true);
            state.Epoch = epoch;
            if (state.Open is { } open)
            {
                AbortCore(open);
            }

            var producer = new TransactionalProducer(this, transactionalId, epoch);
            state.Live = producer;
            return producer;
        }
    }

    public void EnsureNotFenced(TransactionalProducer producer)
    {
        // Lock-free so appends (holding only the transaction's lock) never wait on the coordinator.
        IdState state = _ids[producer.TransactionalId];
        if (state.Epoch != producer.Epoch)
        {
            throw new ProducerFencedException(
                $"Producer for transactional id '{producer.TransactionalId}' with epoch {producer.Epoch} was fenced by a newer producer (epoch {state.Epoch}).");
        }
    }

    public LogTransaction Begin(TransactionalProducer producer, long sequence)
    {
        lock (_lock)
        {
            EnsureNotFenced(producer);
            IdState state = _ids[producer.TransactionalId];
            if (state.Open is { } open)
            {
                throw new TransactionStateException(
                    $"Transactional id '{producer.TransactionalId}' already has open transaction {open.Sequence}; commit, prepare or abort it first.");
            }

            if (state.Prepared.ContainsKey(sequence) || state.History.Contains(sequence))
            {
                throw new TransactionStateException(
                    $"Sequence {sequence} of transactional id '{producer.TransactionalId}' was already used; sequences must be unique.");
            }

            var txn = new LogTransaction(this, producer, _nextProducerId++, sequence, producer.Epoch);
            state.Open = txn;
            return txn;
        }
    }

    public void Prepare(LogTransaction txn)
    {
        lock (_lock)
        {
            lock (txn.SyncRoot)
            {
                EnsureNotFenced(txn.Producer);
                if (txn.State == TransactionState.Prepared)
                {
                    return;
                }

                RequireState(txn, TransactionState.Open, "prepare");
                FlushPartitions(txn);
                _file.Append([PrepareRecord(txn)], durable: true);
                txn.State = TransactionState.Prepared;
                IdState state = _ids[txn.TransactionalId];
                state.Open = null;
                state.Prepared[txn.Sequence] = txn;
            }
        }
    }

    public void Commit(LogTransaction txn)
    {
        lock (_lock)
        {
            lock (txn.SyncRoot)
            {
                if (txn.State == TransactionState.Committed)
                {
                    return;
                }

                EnsureNotFenced(txn.Producer);
                CommitCore(txn);
            }
        }
    }

    public void Abort(LogTransaction txn)
    {
        lock (_lock)
        {
            if (txn.State == TransactionState.Aborted)
            {
                return;
            }

            EnsureNotFenced(txn.Producer);
            AbortCore(txn);
        }
    }

    public CommitOutcome CommitPrepared(TransactionalProducer producer, long sequence)
    {
        lock (_lock)
        {
            EnsureNotFenced(producer);
            IdState state = _ids[producer.TransactionalId];
            if (state.Prepared.TryGetValue(sequence, out LogTransaction? txn))
            {
                lock (txn.SyncRoot)
                {
                    CommitCore(txn);
                }

                return CommitOutcome.Committed;
            }

            return state.History.Contains(sequence)
                ? CommitOutcome.AlreadyCommitted
                : throw new TransactionStateException(
                    $"Transactional id '{producer.TransactionalId}' has no prepared or committed transaction {sequence}: it was never prepared, or it was aborted.");
        }
    }

    public bool AbortPrepared(TransactionalProducer producer, long sequence)
    {
        lock (_lock)
        {
            EnsureNotFenced(producer);
            IdState state = _ids[producer.TransactionalId];
            if (state.History.Contains(sequence))
            {
                throw new TransactionStateException(
                    $"Transaction {sequence} of transactional id '{producer.TransactionalId}' is already committed and cannot be aborted.");
            }

            if (!state.Prepared.TryGetValue(sequence, out LogTransaction? txn))
            {
                return false;
            }

            AbortCore(txn);
            return true;
        }
    }

    public IReadOnlyList<long> PendingSequences(TransactionalProducer producer)
    {
        lock (_lock)
        {
            return [.. _ids[producer.TransactionalId].Prepared.Keys.Order()];
        }
    }

    public IReadOnlyList<string> TransactionalIds(string prefix)
    {
        lock (_lock)
        {
            return [.. _ids.Keys.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }
    }

    public bool IsCommitted(string transactionalId, long sequence)
    {
        lock (_lock)
        {
            return _ids.TryGetValue(transactionalId, out IdState? state) && state.History.Contains(sequence);
        }
    }

    private void CommitCore(LogTransaction txn)
    {
        IdState state = _ids[txn.TransactionalId];
        if (txn.State == TransactionState.Open)
        {
            FlushPartitions(txn);
            _file.Append([PrepareRecord(txn), new TxnRecord(TxnRecordType.Commit, txn.ProducerId)], durable: true);
        }
        else
        {
            RequireState(txn, TransactionState.Prepared, "commit");
            _file.Append([new TxnRecord(TxnRecordType.Commit, txn.ProducerId)], durable: true);
        }

        // Durable from here on: the remaining steps are redone by recovery if the process dies.
        txn.State = TransactionState.Committed;
        if (state.Open == txn)
        {
            state.Open = null;
        }

        state.Prepared.Remove(txn.Sequence);
        state.AddHistory(txn.Sequence);
        Complete(txn.ProducerId, txn.Epoch, commit: true, txn.Partitions, [.. txn.Offsets]);
    }

    private void AbortCore(LogTransaction txn)
    {
        lock (txn.SyncRoot)
        {
            IdState state = _ids[txn.TransactionalId];
            bool wasPrepared = txn.State == TransactionState.Prepared;
            txn.State = TransactionState.Aborted;
            if (state.Open == txn)
            {
                state.Open = null;
            }

            state.Prepared.Remove(txn.Sequence);
            _file.Append([new TxnRecord(TxnRecordType.Abort, txn.ProducerId)], durable: wasPrepared);
            Complete(txn.ProducerId, txn.Epoch, commit: false, txn.Partitions, []);
        }
    }

    private void Complete(long producerId, short epoch, bool commit, IEnumerable<TopicPartition> partitions, IReadOnlyList<GroupOffset> offsets)
    {
        if (_readOnly)
        {
            foreach (TopicPartition tp in partitions)
            {
                _findPartition(tp.Topic, tp.Partition)?.ResolveInMemory(producerId, commit);
            }

            return;
        }

        foreach (var group in offsets.GroupBy(o => o.Group))
        {
            _groups.Commit(group.Key, group.Select(o => new TopicPartitionOffset(o.Topic, o.Partition, o.Offset)));
        }

        foreach (TopicPartition tp in partitions)
        {
            _findPartition(tp.Topic, tp.Partition)?.WriteMarker(producerId, epoch, commit);
        }

        _file.Append([new TxnRecord(TxnRecordType.Complete, producerId)], durable: false);
    }

    private void FlushPartitions(LogTransaction txn)
    {
        foreach (TopicPartition tp in txn.Partitions)
        {
            _findPartition(tp.Topic, tp.Partition)?.FlushForTransaction();
        }
    }

    private static TxnRecord PrepareRecord(LogTransaction txn) =>
        new(TxnRecordType.Prepare, txn.ProducerId, txn.TransactionalId, txn.Epoch, txn.Sequence, [.. txn.Partitions], [.. txn.Offsets]);

    private static void RequireState(LogTransaction txn, TransactionState expected, string operation)
    {
        if (txn.State != expected)
        {
            throw new TransactionStateException(
                $"Cannot {operation} transaction {txn.Sequence} of transactional id '{txn.TransactionalId}': it is {txn.State}.");
        }
    }

    private IdState GetOrAdd(string transactionalId) => _ids.GetOrAdd(transactionalId, static _ => new IdState());

    public void Dispose()
    {
        lock (_lock)
        {
            _file.Dispose();
        }
    }

    private sealed class IdState
    {
        private readonly Queue<long> _historyOrder = new();
        private volatile short _epoch;

        public short Epoch
        {
            get => _epoch;
            set => _epoch = value;
        }

        public TransactionalProducer? Live { get; set; }

        public LogTransaction? Open { get; set; }

        public SortedDictionary<long, LogTransaction> Prepared { get; } = [];

        public HashSet<long> History { get; } = [];

        public void AddHistory(long sequence)
        {
            if (History.Add(sequence))
            {
                _historyOrder.Enqueue(sequence);
                if (_historyOrder.Count > HistoryLength)
                {
                    History.Remove(_historyOrder.Dequeue());
                }
            }
        }

        public IEnumerable<long> HistoryInOrder => _historyOrder;
    }
}
