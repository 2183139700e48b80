using Sluice.Log.Transactions;

namespace Sluice.Log;

/// <summary>Result of <see cref="TransactionalProducer.CommitPrepared"/>.</summary>
public enum CommitOutcome
{
    /// <summary>The prepared transaction was committed by this call.</summary>
    Committed,

    /// <summary>It had been committed before (e.g. before a crash); nothing was done.</summary>
    AlreadyCommitted,
}

/// <summary>
/// A writer of transactions for one transactional id and epoch, from <see cref="PartitionedLog.InitTransactions"/>.
/// Creating a newer producer for the same id fences this one: its open transaction is aborted and further calls
/// throw <see cref="ProducerFencedException"/>. Prepared transactions belong to the id, not the epoch: a new
/// producer (e.g. after a restart) resolves them with <see cref="CommitPrepared"/> / <see cref="AbortPrepared"/>.
/// Thread-safe.
/// </summary>
public sealed class TransactionalProducer
{
    private readonly TransactionCoordinator _coordinator;

    internal TransactionalProducer(TransactionCoordinator coordinator, string transactionalId, short epoch)
    {
        _coordinator = coordinator;
        TransactionalId = transactionalId;
        Epoch = epoch;
    }

    /// <summary>The stable id of the writer (e.g. job + sink + subtask).</summary>
    public string TransactionalId { get; }

    /// <summary>The epoch: incremented by each <see cref="PartitionedLog.InitTransactions"/> for the id.</summary>
    public short Epoch { get; }

    /// <summary>Sequences of prepared transactions of this id awaiting commit or abort (oldest first).</summary>
    public IReadOnlyList<long> PendingSequences => _coordinator.PendingSequences(this);

    /// <summary>Starts a transaction. At most one transaction per producer may be open (prepared ones don't count).</summary>
    /// <param name="sequence">Stable, unique id of the transaction within this transactional id (e.g. checkpoint id).</param>
    /// <exception cref="TransactionStateException">Another transaction is open, or the sequence was used before.</exception>
    public LogTransaction BeginTransaction(long sequence) => _coordinator.Begin(this, sequence);

    /// <summary>
    /// Commits the prepared transaction <paramref name="sequence"/>; idempotent across crashes: returns
    /// <see cref="CommitOutcome.AlreadyCommitted"/> when it was committed before.
    /// </summary>
    /// <param name="sequence">The transaction's sequence.</param>
    /// <exception cref="TransactionStateException">No such prepared or committed transaction (never prepared, or aborted).</exception>
    public CommitOutcome CommitPrepared(long sequence) => _coordinator.CommitPrepared(this, sequence);

    /// <summary>Aborts the prepared transaction <paramref name="sequence"/>; returns false when there is none pending.</summary>
    /// <param name="sequence">The transaction's sequence.</param>
    /// <exception cref="TransactionStateException">The transaction was already committed.</exception>
    public bool AbortPrepared(long sequence) => _coordinator.AbortPrepared(this, sequence);

    /// <summary>True when transaction <paramref name="sequence"/> of this id is known to be committed (recent history).</summary>
    /// <param name="sequence">The transaction's sequence.</param>
    public bool IsCommitted(long sequence) => _coordinator.IsCommitted(TransactionalId, sequence);
}
