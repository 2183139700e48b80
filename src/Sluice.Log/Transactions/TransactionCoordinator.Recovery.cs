using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log.Transactions;

/// <summary>Recovery and compaction of the transaction log.</summary>
internal sealed partial class TransactionCoordinator
{
    private const int CompactAboveBytes = 16 * 1024 * 1024;

    private void Recover(List<TxnRecord> records, PartitionLog[] partitions)
    {
        var prepared = new Dictionary<long, TxnRecord>();
        var decided = new Dictionary<long, bool>();
        var completed = new HashSet<long>();
        long maxProducerId = -1;
        foreach (TxnRecord r in records)
        {
            maxProducerId = Math.Max(maxProducerId, r.ProducerId);
            switch (r.Type)
            {
                case TxnRecordType.Epoch:
                    GetOrAdd(r.TransactionalId).Epoch = r.Epoch;
                    break;
                case TxnRecordType.History:
                    IdState history = GetOrAdd(r.TransactionalId);
                    history.Epoch = Math.Max(history.Epoch, r.Epoch);
                    foreach (long s in r.CommittedSequences ?? [])
                    {
                        history.AddHistory(s);
                    }

                    break;
                case TxnRecordType.Prepare:
                    prepared[r.ProducerId] = r;
                    break;
                case TxnRecordType.Commit:
                    decided[r.ProducerId] = true;
                    break;
                case TxnRecordType.Abort:
                    decided[r.ProducerId] = false;
                    break;
                case TxnRecordType.Complete:
                    completed.Add(r.ProducerId);
                    break;
                case TxnRecordType.ProducerIdFloor:
                    maxProducerId = Math.Max(maxProducerId, r.Sequence);
                    break;
            }
        }

        foreach (PartitionLog p in partitions)
        {
            maxProducerId = Math.Max(maxProducerId, p.MaxProducerIdSeen);
        }

        _nextProducerId = maxProducerId + 1;
        var pending = new HashSet<long>();
        foreach (var (producerId, prepare) in prepared)
        {
            IdState state = GetOrAdd(prepare.TransactionalId);
            if (decided.TryGetValue(producerId, out bool commit))
            {
                if (commit)
                {
                    state.AddHistory(prepare.Sequence);
                }

                if (!completed.Contains(producerId))
                {
                    Complete(producerId, prepare.Epoch, commit, prepare.Partitions ?? [], commit ? prepare.Offsets ?? [] : []);
                }

                continue;
            }

            // Prepared but undecided: stays pending (and keeps its partitions' LSO) until the owner decides.
            pending.Add(producerId);
            var producer = new TransactionalProducer(this, prepare.TransactionalId, prepare.Epoch);
            var txn = new LogTransaction(this, producer, producerId, prepare.Sequence, prepare.Epoch) { State = TransactionState.Prepared };
            txn.Restore(prepare.Partitions ?? [], prepare.Offsets ?? []);
            state.Prepared[prepare.Sequence] = txn;
        }

        // Transactions with data in a partition but neither a commit record nor a prepare record are aborted.
        foreach (PartitionLog p in partitions)
        {
            foreach (long producerId in p.OpenTransactionIds())
            {
                if (pending.Contains(producerId))
                {
                    continue;
                }

                bool commit = decided.TryGetValue(producerId, out bool c) && c;
                if (_readOnly)
                {
                    p.ResolveInMemory(producerId, commit);
                }
                else
                {
                    p.WriteMarker(producerId, 0, commit);
                }
            }

            if (!_readOnly)
            {
                p.FlushForTransaction();
            }
        }

        if (!_readOnly)
        {
            Compact();
        }
    }

    /// <summary>Rewrites the log keeping only what recovery needs: epochs, committed history, pending prepares.</summary>
    private void Compact()
    {
        var records = new List<TxnRecord> { new(TxnRecordType.ProducerIdFloor, Sequence: _nextProducerId) };
        foreach (var (id, state) in _ids)
        {
            records.Add(new TxnRecord(TxnRecordType.History, TransactionalId: id, Epoch: state.Epoch, CommittedSequences: [.. state.HistoryInOrder]));
            foreach (LogTransaction txn in state.Prepared.Values)
            {
                records.Add(PrepareRecord(txn));
            }
        }

        _file.Dispose();
        AtomicFile.Write(_path, TransactionLogFile.EncodeAll(records, includeHeader: true));
        _file = TransactionLogFile.Open(_path, readOnly: false, cleanShutdown: false, out _);
    }

    /// <summary>
    /// Compacts the log once it has grown large. Commit markers written since the last fsync must be durable before
    /// the commit records they depend on disappear, so every partition is fsynced first.
    /// </summary>
    public void CompactIfLarge(IEnumerable<PartitionLog> partitions)
    {
        lock (_lock)
        {
            if (_file.Length <= CompactAboveBytes)
            {
                return;
            }

            foreach (PartitionLog p in partitions)
            {
                p.FlushForTransaction();
            }

            Compact();
        }
    }
}
