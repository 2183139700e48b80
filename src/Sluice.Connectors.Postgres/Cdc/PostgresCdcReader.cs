using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Npgsql.Replication;
using NpgsqlTypes;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>
/// The one reader of a <see cref="PostgresCdcSource"/>: a background task sets up the publication and slot, copies the
/// initial snapshot and streams the slot's committed transactions into a buffer; <see cref="PollNext"/> emits whatever
/// the buffer holds. One split (<c>postgres-cdc:&lt;slot&gt;</c>) whose position is a <see cref="PostgresCdcPosition"/>.
/// </summary>
/// <remarks>
/// <para><b>Transactions.</b> A transaction's changes reach the buffer together, when its Commit arrives, and a poll
/// takes the whole buffer: a checkpoint (taken between polls) never splits a transaction, and the position it records
/// (the end LSN of the last emitted commit) covers exactly what was emitted. A rolled-back transaction never reaches
/// the slot's output.</para>
/// <para><b>Slot.</b> The slot's confirmed flush LSN moves only in <see cref="NotifyCheckpointComplete"/>, to the
/// position of the checkpoint that completed: PostgreSQL keeps the WAL after it until then, so a restore from that
/// checkpoint finds every later change.</para>
/// <para><b>Back-pressure.</b> The task waits while the buffer holds <see cref="MaxBufferedRows"/> rows or more (a
/// single transaction may exceed it: it is kept whole).</para>
/// <para>Thread-safety: <see cref="PollNext"/>, <see cref="SnapshotSplit(int)"/>, <see cref="NotifyCheckpointComplete"/> and
/// <see cref="Dispose"/> come from the subtask's thread; the background task shares the buffer under <c>_lock</c>.</para>
/// </remarks>
internal sealed partial class PostgresCdcReader : ISourceReader<Row>, ICheckpointedSourceReader
{
    /// <summary>Rows the buffer holds before the background task waits for a poll.</summary>
    public const int MaxBufferedRows = 65_536;

    private readonly PostgresCdcSource _source;
    private readonly PostgresCdcOptions _options;
    private readonly SourceReaderContext _context;
    private readonly Schema _schema;
    private readonly DataTypeKind[] _kinds;
    private readonly string _splitId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    // Guarded by _lock: shared with the background task.
    private readonly object _lock = new();
    private List<Row> _buffer = [];
    private PostgresCdcPosition _bufferedPosition; // the position after everything published so far
    private bool _consumerWaiting;
    private Exception? _failure;
    private TaskCompletionSource? _drained;

    // Subtask thread only.
    private List<Row> _spare = [];
    private PostgresCdcPosition _emitted;
    private readonly List<(long CheckpointId, PostgresCdcPosition Position)> _snapshots = []; // not yet completed, oldest first
    private bool _disposed;

    // Background task only: the envelope writer with PostgresCdcEnvelope.Debezium, set once the table is known.
    private PostgresCdcDebezium? _debezium;

    // Set by the background task once it streams; read by NotifyCheckpointComplete.
    private volatile LogicalReplicationConnection? _replication;
    private long _confirmedLsn; // Interlocked: the highest LSN a completed checkpoint allows to confirm.

    internal PostgresCdcReader(PostgresCdcSource source, SourceReaderContext context)
    {
        _source = source;
        _options = source.Options;
        _context = context;
        _schema = source.Schema;
        _kinds = [.. _schema.Select(static f => f.Type.Kind)];
        _splitId = SplitIdOf(_options.SlotName);
        _logger = context.LoggerFactory.CreateLogger("Sluice.Connectors.Postgres.Cdc");
        PostgresCdcPosition? restored = null;
        if (context.RestoredSplits.TryGetValue(_splitId, out var bytes))
        {
            restored = PostgresCdcPosition.Decode(_splitId, bytes);
            Interlocked.Exchange(ref _confirmedLsn, (long)(ulong)restored.Lsn);
        }
        // Before the slot exists nothing is emitted: a checkpoint now restores to a clean start.
        _bufferedPosition = _emitted = restored ?? PostgresCdcPosition.NothingYet;
        _worker = Task.Run(() => RunAsync(restored, _stop.Token));
    }

    /// <summary>The split id of a slot in checkpoints.</summary>
    public static string SplitIdOf(string slot) => "postgres-cdc:" + slot;

    /// <inheritdoc />
    public int SplitCount => 1;

    /// <inheritdoc />
    public SourceStatus PollNext(ISourceOutput<Row> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<Row> taken;
        lock (_lock)
        {
            if (_failure is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
            _emitted = _bufferedPosition;
            if (_buffer.Count == 0)
            {
                _consumerWaiting = true;
                return SourceStatus.NothingAvailable;
            }
            taken = _buffer;
            _buffer = _spare;
            _drained?.TrySetResult();
            _drained = null;
        }
        output.CollectBatch(0, CollectionsMarshal.AsSpan(taken), []);
        taken.Clear();
        _spare = taken;
        return SourceStatus.MoreAvailable;
    }

    /// <inheritdoc />
    public string SplitId(int split) => _splitId;

    /// <summary>The position after everything emitted (format: <see cref="PostgresCdcPosition"/>).</summary>
    public byte[] SnapshotSplit(int split)
    {
        Debug.Assert(split == 0, "The CDC source has one split.");
        return _emitted.Encode();
    }

    /// <summary>The position after everything emitted, kept by checkpoint for <see cref="NotifyCheckpointComplete"/>.</summary>
    public byte[] SnapshotSplit(int split, long checkpointId)
    {
        Debug.Assert(split == 0, "The CDC source has one split.");
        Debug.Assert(_snapshots.Count == 0 || _snapshots[^1].CheckpointId < checkpointId, "Checkpoints are snapshotted in increasing order.");
        _snapshots.Add((checkpointId, _emitted));
        return _emitted.Encode();
    }

    /// <summary>
    /// Checkpoint <paramref name="checkpointId"/> completed: confirms the LSN this reader snapshotted for it (or for the
    /// latest earlier checkpoint it subsumes) to the slot (flush and applied position), so PostgreSQL may recycle the WAL
    /// before it. Never a later checkpoint's position: that one may still fail, and a restore from this checkpoint must
    /// find the WAL after it. During the snapshot nothing is confirmed. The status update goes out from the streaming
    /// loop at its next message (or with Npgsql's periodic update, within a second), never from the task thread: the
    /// replication connection has one user at a time.
    /// </summary>
    public void NotifyCheckpointComplete(long checkpointId)
    {
        PostgresCdcPosition? completed = null;
        var taken = 0;
        while (taken < _snapshots.Count && _snapshots[taken].CheckpointId <= checkpointId)
        {
            completed = _snapshots[taken].Position;
            taken++;
        }
        _snapshots.RemoveRange(0, taken);
        if (completed is not { Phase: PostgresCdcPhase.Stream } position)
        {
            return;
        }
        var lsn = (long)(ulong)position.Lsn;
        long previous;
        do
        {
            previous = Interlocked.Read(ref _confirmedLsn);
            if (lsn <= previous)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _confirmedLsn, lsn, previous) != previous);
        // Sent by the streaming loop at its next message, or with Npgsql's periodic status update.
        _replication?.SetReplicationStatus(position.Lsn);
    }

    /// <summary>Stops the background task and closes the connections; the slot stays (it keeps the WAL after the last confirmed position).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        lock (_lock)
        {
            _drained?.TrySetResult();
        }
        try
        {
            _worker.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // The task records its failures in _failure; cancellation ends it.
        }
        _stop.Dispose();
    }

    /// <summary>Adds a transaction's (or a snapshot chunk's) rows and the position after them to the buffer; waits while it is full.</summary>
    private async ValueTask PublishAsync(List<Row> rows, PostgresCdcPosition position, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? room = null;
            var signal = false;
            lock (_lock)
            {
                if (rows.Count > 0 && _buffer.Count >= MaxBufferedRows)
                {
                    _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    room = _drained.Task;
                }
                else
                {
                    _buffer.AddRange(rows);
                    _bufferedPosition = position;
                    signal = _consumerWaiting;
                    _consumerWaiting = false;
                }
            }
            if (room is not null)
            {
                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (signal)
            {
                _context.SignalAvailable();
            }
            return;
        }
    }

    private void Fail(Exception error)
    {
        bool signal;
        lock (_lock)
        {
            _failure ??= error;
            signal = _consumerWaiting;
            _consumerWaiting = false;
        }
        if (signal)
        {
            _context.SignalAvailable();
        }
    }
}
