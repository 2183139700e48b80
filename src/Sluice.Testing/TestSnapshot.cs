using Sluice.Runtime.Checkpointing;

namespace Sluice.Testing;

/// <summary>
/// The state of a job under test at one checkpoint, as <see cref="JobTestDriver.Snapshot"/> (or
/// <see cref="OperatorTestDriver{TIn, TOut}.Snapshot"/>) took it: what every operator subtask saved, encoded exactly as
/// a checkpoint stores it. Start a new driver from it with <see cref="JobTestDriver.InitializeState"/> — the bytes
/// are decoded again, so a restore proves the state round-trips. Immutable: one snapshot can seed any number of
/// drivers, at any parallelism.
/// </summary>
public sealed class TestSnapshot
{
    private readonly Entry[] _entries;

    internal TestSnapshot(long checkpointId, int keyGroupCount, DateTimeOffset processingTime, IEnumerable<OperatorSnapshot> snapshots)
    {
        CheckpointId = checkpointId;
        KeyGroupCount = keyGroupCount;
        ProcessingTime = processingTime;
        // Like a checkpoint, keep only subtasks that saved something.
        _entries = snapshots.Where(static s => !s.IsEmpty).Select(static s => new Entry(s.Uid, s.Subtask, s.Encode())).ToArray();
        OperatorUids = _entries.Select(static e => e.Uid).Distinct().Order(StringComparer.Ordinal).ToArray();
        SizeBytes = _entries.Sum(static e => (long)e.Data.Length);
    }

    /// <summary>The checkpoint's id; a driver restored from it numbers its own snapshots after it.</summary>
    public long CheckpointId { get; }

    /// <summary>The job's <see cref="JobOptions.KeyGroupCount"/>; a restored job must have the same.</summary>
    public int KeyGroupCount { get; }

    /// <summary>The driver's processing time when the snapshot was taken.</summary>
    public DateTimeOffset ProcessingTime { get; }

    /// <summary>Uids of the operators that saved state, in ordinal order (the user's <c>Uid(...)</c>, or a generated one).</summary>
    public IReadOnlyList<string> OperatorUids { get; }

    /// <summary>Total size of the encoded state.</summary>
    public long SizeBytes { get; }

    /// <summary>Decodes the state for a restore (new objects every time: the snapshot itself never changes).</summary>
    /// <exception cref="Sluice.State.Serialization.StateFormatException">Unreadable state (a bug: the bytes were encoded by this release).</exception>
    internal RestoredCheckpoint ToRestoredCheckpoint() =>
        RestoredCheckpoint.FromSnapshots(CheckpointId, KeyGroupCount,
            _entries.Select(e => OperatorSnapshot.Decode(e.Data, $"test snapshot #{CheckpointId}, operator '{e.Uid}' subtask {e.Subtask}")));

    /// <inheritdoc />
    public override string ToString() =>
        $"Test snapshot #{CheckpointId}: {OperatorUids.Count} operator(s) with state ({string.Join(", ", OperatorUids)}), {SizeBytes} bytes";

    private sealed record Entry(string Uid, int Subtask, byte[] Data);
}
