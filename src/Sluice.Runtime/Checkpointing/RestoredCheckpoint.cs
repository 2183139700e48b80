using Sluice.Checkpoints;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// A completed checkpoint loaded for restore: every operator subtask's snapshot, grouped by operator uid, handed out
/// per new subtask — its key groups from whichever old subtask held them, and the operator state of all old subtasks.
/// </summary>
internal sealed class RestoredCheckpoint
{
    private readonly Dictionary<string, List<OperatorSnapshot>> _byUid;

    private RestoredCheckpoint(long checkpointId, int keyGroupCount, Dictionary<string, List<OperatorSnapshot>> byUid)
    {
        CheckpointId = checkpointId;
        KeyGroupCount = keyGroupCount;
        _byUid = byUid;
    }

    public long CheckpointId { get; }

    /// <summary>The key-group count the checkpoint was taken with.</summary>
    public int KeyGroupCount { get; }

    /// <summary>Every snapshot, for re-committing two-phase sinks.</summary>
    public IEnumerable<OperatorSnapshot> Snapshots => _byUid.Values.SelectMany(static s => s);

    /// <summary>Loads checkpoint <paramref name="checkpointId"/> from <paramref name="store"/>.</summary>
    /// <exception cref="StateFormatException">A blob or the manifest is unreadable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<RestoredCheckpoint> LoadAsync(ICheckpointStore store, long checkpointId, CancellationToken cancellationToken)
    {
        var manifest = CheckpointManifest.Decode(await store.ReadManifestAsync(checkpointId, cancellationToken).ConfigureAwait(false), $"{store.Location} #{checkpointId}");
        var snapshots = new List<OperatorSnapshot>(manifest.Blobs.Count);
        foreach (var blob in manifest.Blobs)
        {
            snapshots.Add(OperatorSnapshot.Decode(await store.ReadBlobAsync(checkpointId, blob.Name, cancellationToken).ConfigureAwait(false), $"{store.Location} #{checkpointId}/{blob.Name}"));
        }
        return FromSnapshots(manifest.CheckpointId, manifest.KeyGroupCount, snapshots);
    }

    /// <summary>
    /// A checkpoint from snapshots already in memory (e.g. the test kit's), taken with <paramref name="keyGroupCount"/>
    /// key groups: the same redistribution and validation as one loaded from a store.
    /// </summary>
    public static RestoredCheckpoint FromSnapshots(long checkpointId, int keyGroupCount, IEnumerable<OperatorSnapshot> snapshots)
    {
        var byUid = new Dictionary<string, List<OperatorSnapshot>>();
        foreach (var snapshot in snapshots)
        {
            if (!byUid.TryGetValue(snapshot.Uid, out var list))
            {
                byUid[snapshot.Uid] = list = [];
            }
            list.Add(snapshot);
        }
        return new RestoredCheckpoint(checkpointId, keyGroupCount, byUid);
    }

    /// <summary>Fails when the checkpoint holds state for operators the job no longer has, or a different key-group count.</summary>
    /// <exception cref="InvalidOperationException">The job does not match the checkpoint.</exception>
    public void Validate(IReadOnlyCollection<string> uids, int keyGroupCount, string location)
    {
        if (KeyGroupCount != keyGroupCount)
        {
            throw new InvalidOperationException(
                $"Checkpoint #{CheckpointId} in {location} was taken with KeyGroupCount={KeyGroupCount}, the job now has {keyGroupCount}; keyed state cannot be redistributed. Keep KeyGroupCount fixed for the lifetime of a job's state.");
        }
        var missing = _byUid.Keys.Where(uid => !uids.Contains(uid) && _byUid[uid].Exists(static s => !s.IsEmpty)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Checkpoint #{CheckpointId} in {location} has state for operator(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} that the job no longer has. Give operators stable ids with Uid(...) or start from an empty checkpoint directory.");
        }
    }

    /// <summary>What subtask <paramref name="subtask"/> of <paramref name="parallelism"/> of operator <paramref name="uid"/> restores.</summary>
    public RestoreContext For(string uid, int subtask, int parallelism)
    {
        if (!_byUid.TryGetValue(uid, out var snapshots))
        {
            return new RestoreContext(CheckpointId, [], []);
        }
        var range = KeyGroups.RangeFor(subtask, KeyGroupCount, parallelism);
        var operatorStates = new List<byte[]>();
        var groups = new List<(int, byte[])>();
        foreach (var snapshot in snapshots)
        {
            if (snapshot.OperatorState.Length > 0)
            {
                operatorStates.Add(snapshot.OperatorState);
            }
            foreach (var (group, state) in snapshot.KeyGroups)
            {
                if (range.Contains(group))
                {
                    groups.Add((group, state));
                }
            }
        }
        groups.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return new RestoreContext(CheckpointId, operatorStates, groups);
    }
}
