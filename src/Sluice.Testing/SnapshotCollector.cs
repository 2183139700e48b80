using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Tasks;

namespace Sluice.Testing;

/// <summary>
/// Receives the tasks' snapshots for <see cref="JobTestDriver.Snapshot"/>: the test kit's stand-in for the checkpoint
/// coordinator. A finished task's final snapshot stands in for it, as in the runtime. Used on the driver's thread only
/// (the deterministic scheduler runs every task there).
/// </summary>
internal sealed class SnapshotCollector : ICheckpointAcknowledger
{
    private readonly Dictionary<StreamTask, IReadOnlyList<OperatorSnapshot>> _final = [];
    private Dictionary<StreamTask, IReadOnlyList<OperatorSnapshot>>? _pending;
    private long _pendingId;

    /// <summary>Starts collecting checkpoint <paramref name="checkpointId"/>.</summary>
    public void Begin(long checkpointId)
    {
        _pendingId = checkpointId;
        _pending = new Dictionary<StreamTask, IReadOnlyList<OperatorSnapshot>>(_final);
    }

    public void Acknowledge(StreamTask task, long checkpointId, IReadOnlyList<OperatorSnapshot> snapshots)
    {
        if (_pending is not null && checkpointId == _pendingId)
        {
            _pending[task] = snapshots;
        }
    }

    /// <summary>Never called: in deterministic mode snapshots are written inline, and a failure propagates from the task.</summary>
    public void Decline(StreamTask task, long checkpointId, Exception error) =>
        throw new InvalidOperationException($"Snapshot {checkpointId} of task {task} failed: {error.Message}", error);

    public void Finished(StreamTask task, IReadOnlyList<OperatorSnapshot> finalSnapshots)
    {
        _final[task] = finalSnapshots;
        _pending?.TryAdd(task, finalSnapshots);
    }

    /// <summary>Ends the checkpoint begun last; returns every task's snapshots.</summary>
    /// <exception cref="InvalidOperationException">A task did not snapshot (its barrier did not reach it).</exception>
    public List<OperatorSnapshot> Complete(IReadOnlyList<StreamTask> tasks)
    {
        var pending = _pending ?? throw new InvalidOperationException("No snapshot is being taken.");
        _pending = null;
        var missing = tasks.Where(t => !pending.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Snapshot #{_pendingId} is incomplete: task(s) {string.Join(", ", missing)} did not receive the checkpoint barrier.");
        }
        return tasks.SelectMany(t => pending[t]).ToList();
    }
}
