using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// The transactional producers of one exactly-once <see cref="KafkaSink{T}"/>, shared by its writers (subtask
/// threads) and its committer (the checkpoint coordinator's thread) for the life of the job, across restarts.
/// </summary>
/// <remarks>
/// <para>
/// Kafka allows one open transaction per producer, but checkpoint <c>n</c>'s transaction is still waiting for its
/// commit when records after barrier <c>n</c> arrive, so each subtask <c>i</c> owns a few <em>slots</em>, producers
/// with the stable transactional ids <c>{prefix}-{i}-{k}</c> (<c>k</c> = 0, 1, …; usually two are used, a third only
/// while a checkpoint's commit overlaps the next barrier). A slot is <see cref="SlotState.Free"/> → <see cref="SlotState.Writing"/>
/// (acquired by the writer at its first record after a barrier) → <see cref="SlotState.Prepared"/> (flushed at the next
/// barrier) → committed by <see cref="Commit"/> once a checkpoint whose committable lists it is complete (a
/// committable lists every transaction still prepared, so one whose checkpoint did not complete is committed with the
/// next) → free again.
/// </para>
/// <para>
/// A prepared transaction carries a <em>sequence</em>: the writer's previous barrier (or the restored checkpoint) + 1,
/// as the log sink does. So a transaction prepared at barrier <c>n</c> — or in the final snapshot at the end of input,
/// whose checkpoint id is not known yet — has a sequence ≤ the checkpoint that covers it, and every transaction
/// prepared after restored checkpoint <c>r</c> one above <c>r</c>: <see cref="AbortPending"/> aborts exactly those.
/// </para>
/// <para>
/// The committable of a subtask lists all its slots (prepared ones with their sequence, the others as ids only) and
/// the ids of slots 0 and 1 even before they exist. After a process crash the new process has no live producer for
/// them; librdkafka cannot resume another producer's transaction, so <see cref="Commit"/> of the restored checkpoint
/// (before the new writers open) fences each listed id instead (<c>InitTransactions</c>: the cluster completes
/// a commit that was already under way and aborts an open transaction). A prepared transaction whose commit had not
/// reached the cluster when the process died is therefore aborted, and its records are lost — the window is the
/// Kafka commit round trip after the checkpoint is stored; <see cref="TransactionsNotResumed"/> counts such cases.
/// </para>
/// <para>Logging: <see cref="Open"/> (the runtime's <see cref="Sinks.ITwoPhaseCommitter.Open"/>, at the start of every attempt)
/// gives the pool the job's logger; producers created after it log through it, naming the job, the sink and the subtask.</para>
/// <para>Thread-safety: state changes under one lock; network calls run outside it on slots the caller owns by state.</para>
/// </remarks>
internal sealed class KafkaTransactionPool
{
    private const byte CommittableVersion = 1;
    private const long NotPrepared = -1;
    private readonly Func<string, KafkaClientLog, KafkaTransactionalWriter> _create;
    private readonly string _prefix;
    private readonly Lock _lock = new();
    private readonly List<Slot> _slots = [];
    private readonly HashSet<string> _fenced = new(StringComparer.Ordinal);
    private int _openWriters;
    private bool _restoreWindow; // From AbortPending until the first writer opens: the restored checkpoint is committed meanwhile.
    private long _committed;
    private long _aborted;
    private long _notResumed;
    private long _restoredCheckpointId;
    private volatile KafkaClientLog _log = KafkaClientLog.None;

    /// <param name="prefix">The transactional-id prefix.</param>
    /// <param name="create">Creates an uninitialized transactional producer for an id, logging to the given log.</param>
    public KafkaTransactionPool(string prefix, Func<string, KafkaClientLog, KafkaTransactionalWriter> create)
    {
        _prefix = prefix;
        _create = create;
    }

    /// <summary>Any thread: the job the pool serves from now on (its logger, name and id, and the sink's name).</summary>
    public void Open(Sinks.CommitterContext context) =>
        _log = KafkaClientLog.ForJob(context.LoggerFactory, context.OperatorName, 0, context.JobName, context.JobId);

    /// <summary>Where a slot is in its cycle.</summary>
    internal enum SlotState
    {
        /// <summary>Initialized, no transaction.</summary>
        Free,

        /// <summary>Owned by a writer, which may have a transaction open.</summary>
        Writing,

        /// <summary>Flushed at a barrier; waits for <see cref="Commit"/> or <see cref="AbortPending"/>.</summary>
        Prepared,

        /// <summary>Being committed or aborted by the coordinator's thread.</summary>
        Ending,
    }

    /// <summary>Transactions committed.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Transactions aborted (open at a failure, or prepared for a checkpoint that never completed).</summary>
    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>Prepared transactions of a restored checkpoint that had no live producer here and were fenced.</summary>
    public long TransactionsNotResumed => Interlocked.Read(ref _notResumed);

    /// <summary>The transactional id of slot <paramref name="slot"/> of subtask <paramref name="subtask"/>.</summary>
    public string TransactionalIdOf(int subtask, int slot) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{subtask}-{slot}");

    /// <summary>Counts an open writer (the pool closes idle producers when the last one closes).</summary>
    public void WriterOpened()
    {
        lock (_lock)
        {
            _openWriters++;
            _restoreWindow = false;
        }
    }

    /// <summary>Transactional ids of earlier producers fenced by restores so far.</summary>
    internal int FencedCount
    {
        get
        {
            lock (_lock)
            {
                return _fenced.Count;
            }
        }
    }

    /// <summary>
    /// Writer thread: a slot of <paramref name="subtask"/> with a transaction begun. Reuses a free slot, else creates
    /// one with the lowest unused index and initializes it (fencing an earlier producer with its id).
    /// </summary>
    /// <exception cref="KafkaSinkException">The cluster refused to initialize or begin.</exception>
    public Slot Begin(int subtask)
    {
        Slot? slot;
        var created = false;
        lock (_lock)
        {
            slot = _slots.Find(s => s.Subtask == subtask && s.State == SlotState.Free);
            if (slot is null)
            {
                var index = 0;
                while (_slots.Exists(s => s.Subtask == subtask && s.Index == index))
                {
                    index++;
                }
                slot = new Slot(subtask, index, _create(TransactionalIdOf(subtask, index), _log.ForSubtask(subtask)));
                _slots.Add(slot);
                created = true;
            }
            slot.State = SlotState.Writing;
        }
        try
        {
            if (created)
            {
                slot.Writer.InitTransactions();
            }
            slot.Writer.BeginTransaction();
            return slot;
        }
        catch
        {
            Drop(slot);
            throw;
        }
    }

    /// <summary>The checkpoint the current attempt restored (0: fresh start), set by <see cref="AbortPending"/>; writers number their transactions from it.</summary>
    public long RestoredCheckpointId => Interlocked.Read(ref _restoredCheckpointId);

    /// <summary>Writer thread, at a barrier: flushes the slot's transaction and hands it to the committer with its <paramref name="sequence"/>.</summary>
    /// <exception cref="KafkaSinkException">A record could not be delivered.</exception>
    public void Prepare(Slot slot, long sequence)
    {
        try
        {
            slot.Writer.PreCommit(sequence);
        }
        catch
        {
            End(slot, commit: false); // Never leave a failed transaction open: it would hold back the last stable offset.
            throw;
        }
        lock (_lock)
        {
            slot.State = SlotState.Prepared;
            slot.Sequence = sequence;
        }
    }

    /// <summary>
    /// Writer thread, on close: aborts the transaction of <paramref name="slot"/> (null: none), and when no writer is
    /// open any more and nothing waits for a commit, closes every producer.
    /// </summary>
    public void WriterClosed(Slot? slot)
    {
        if (slot is not null)
        {
            End(slot, commit: false);
        }
        lock (_lock)
        {
            _openWriters--;
        }
        CloseIdle();
    }

    /// <summary>
    /// The committable of <paramref name="subtask"/>: every slot's transactional id with the sequence of its prepared
    /// transaction (or none), and the ids of slots 0 and 1 even before they exist — so a restore in a new process
    /// fences every id this subtask may have used after the checkpoint, also when it wrote nothing before it.
    /// </summary>
    public byte[] Committable(int subtask)
    {
        List<(string Id, long Sequence)> entries;
        lock (_lock)
        {
            entries = _slots.Where(s => s.Subtask == subtask)
                .Select(s => (s.Writer.TransactionalId, s.State == SlotState.Prepared ? s.Sequence : NotPrepared)).ToList();
        }
        for (var index = 0; index < 2; index++)
        {
            var id = TransactionalIdOf(subtask, index);
            if (!entries.Exists(e => e.Id == id))
            {
                entries.Add((id, NotPrepared));
            }
        }
        return EncodeCommittable(entries);
    }

    /// <summary>
    /// Coordinator thread: commits the transactions the committable lists as prepared (each has a sequence ≤
    /// <paramref name="checkpointId"/>), oldest first; a slot prepared again since (with another sequence) is left
    /// alone. While a restore's checkpoint is committed (before the attempt's writers open), listed ids without a live
    /// slot — an earlier process's — are fenced, once each; otherwise such ids are left alone (a writer may be about to
    /// initialize one). Idempotent.
    /// </summary>
    /// <exception cref="KafkaSinkException">The cluster refused a commit (the checkpoint fails and the job restarts).</exception>
    /// <exception cref="InvalidDataException">Not a committable of this format.</exception>
    public void Commit(long checkpointId, byte[] committable)
    {
        foreach (var (id, sequence) in DecodeCommittable(committable).OrderBy(static e => e.Sequence))
        {
            Slot? slot;
            bool fence;
            lock (_lock)
            {
                slot = _slots.Find(s => s.Writer.TransactionalId == id);
                fence = slot is null && _restoreWindow && !_fenced.Contains(id);
                if (slot is { State: SlotState.Prepared } prepared && prepared.Sequence == sequence && sequence <= checkpointId)
                {
                    prepared.State = SlotState.Ending;
                }
                else
                {
                    slot = null; // Committed before and reused since, or never prepared: nothing to commit.
                }
            }
            if (slot is not null)
            {
                End(slot, commit: true);
            }
            else if (fence)
            {
                Fence(id);
                if (sequence != NotPrepared && sequence <= checkpointId)
                {
                    Interlocked.Increment(ref _notResumed);
                    var log = _log;
                    KafkaLog.TransactionNotResumed(log.Logger, log.Operator, log.JobName, log.JobId, SubtaskOf(id), id, sequence, checkpointId);
                }
            }
        }
        CloseIdle();
    }

    /// <summary>Before an attempt's writers open: aborts the live prepared transactions with sequences above <paramref name="restoredCheckpointId"/>.</summary>
    public void AbortPending(long restoredCheckpointId)
    {
        Interlocked.Exchange(ref _restoredCheckpointId, restoredCheckpointId);
        List<Slot> abort;
        lock (_lock)
        {
            _restoreWindow = true;
            abort = _slots.Where(s => s.State == SlotState.Prepared && s.Sequence > restoredCheckpointId).ToList();
            foreach (var slot in abort)
            {
                slot.State = SlotState.Ending;
            }
        }
        foreach (var slot in abort)
        {
            End(slot, commit: false);
        }
    }

    /// <summary>Commits or aborts the slot's transaction; a slot that fails is closed and forgotten (its id is fenced when reused).</summary>
    private void End(Slot slot, bool commit)
    {
        try
        {
            if (commit)
            {
                slot.Writer.Commit();
                Interlocked.Increment(ref _committed);
            }
            else if (slot.Writer.InTransaction)
            {
                slot.Writer.Abort();
                Interlocked.Increment(ref _aborted);
            }
        }
        catch (KafkaSinkException) when (!commit)
        {
            // Fenced or broken: the next producer with this id aborts the transaction when it initializes.
            Drop(slot);
            return;
        }
        catch (KafkaSinkException e) when (e.InnerException is KafkaRetriableException)
        {
            // E.g. a timeout: the transaction can still be committed by this producer, by the restart's commit of the
            // restored checkpoint (this one: its manifest is already durable).
            lock (_lock)
            {
                slot.State = SlotState.Prepared;
            }
            throw;
        }
        catch
        {
            Drop(slot);
            throw;
        }
        lock (_lock)
        {
            slot.State = SlotState.Free;
        }
    }

    private void Drop(Slot slot)
    {
        lock (_lock)
        {
            _slots.Remove(slot);
        }
        slot.Writer.Dispose();
    }

    /// <summary>The subtask a transactional id of this pool belongs to (<c>{prefix}-{subtask}-{slot}</c>), or -1 for a foreign id.</summary>
    private int SubtaskOf(string transactionalId)
    {
        var rest = transactionalId.StartsWith(_prefix + "-", StringComparison.Ordinal) ? transactionalId.AsSpan(_prefix.Length + 1) : [];
        var dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var subtask) ? subtask : -1;
    }

    private void Fence(string transactionalId)
    {
        using (var writer = _create(transactionalId, _log.ForSubtask(SubtaskOf(transactionalId))))
        {
            writer.InitTransactions();
        }
        lock (_lock)
        {
            _fenced.Add(transactionalId);
        }
    }

    /// <summary>Closes all producers once no writer is open and no transaction waits for its commit (the job ended).</summary>
    private void CloseIdle()
    {
        List<Slot> close;
        lock (_lock)
        {
            if (_openWriters > 0 || _slots.Exists(static s => s.State != SlotState.Free))
            {
                return;
            }
            close = [.. _slots];
            _slots.Clear();
        }
        foreach (var slot in close)
        {
            slot.Writer.Dispose();
        }
    }

    internal static byte[] EncodeCommittable(IReadOnlyList<(string Id, long Sequence)> entries)
    {
        var size = 1 + 4 + entries.Sum(static e => 4 + Encoding.UTF8.GetByteCount(e.Id) + 8);
        var buffer = new byte[size];
        buffer[0] = CommittableVersion;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), entries.Count);
        var at = 5;
        foreach (var (id, sequence) in entries)
        {
            var length = Encoding.UTF8.GetBytes(id, buffer.AsSpan(at + 4));
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), length);
            at += 4 + length;
            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(at), sequence);
            at += 8;
        }
        return buffer;
    }

    internal static List<(string Id, long Sequence)> DecodeCommittable(byte[] committable)
    {
        if (committable.Length < 5 || committable[0] != CommittableVersion)
        {
            throw new InvalidDataException($"Not a Kafka-sink committable (length {committable.Length}, version {(committable.Length > 0 ? committable[0] : -1)}; this version reads version {CommittableVersion}).");
        }
        var span = committable.AsSpan();
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[1..]);
        var entries = new List<(string, long)>(Math.Min(count, 1024));
        var at = 5;
        for (var i = 0; i < count; i++)
        {
            if (span.Length - at < 4)
            {
                throw new InvalidDataException($"Kafka-sink committable truncated at entry {i} of {count}.");
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            if (length < 0 || span.Length - at - 4 < length + 8)
            {
                throw new InvalidDataException($"Kafka-sink committable truncated at entry {i} of {count}.");
            }
            var id = Encoding.UTF8.GetString(span.Slice(at + 4, length));
            at += 4 + length;
            entries.Add((id, BinaryPrimitives.ReadInt64LittleEndian(span[at..])));
            at += 8;
        }
        return entries;
    }

    /// <summary>One transactional producer of a subtask.</summary>
    internal sealed class Slot(int subtask, int index, KafkaTransactionalWriter writer)
    {
        public int Subtask { get; } = subtask;

        public int Index { get; } = index;

        public KafkaTransactionalWriter Writer { get; } = writer;

        /// <summary>Guarded by the pool's lock.</summary>
        public SlotState State { get; set; }

        /// <summary>The sequence of the prepared transaction (state <see cref="SlotState.Prepared"/>); guarded by the pool's lock.</summary>
        public long Sequence { get; set; }
    }
}
