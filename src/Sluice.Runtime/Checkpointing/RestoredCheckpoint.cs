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
        snapshots.Sort(static (a, b) => a.Subtask.CompareTo(b.Subtask));
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
        return new RestoreContext(CheckpointId, operatorStates, groups, Redistribute(uid, snapshots, subtask, parallelism));
    }

    /// <summary>
    /// This subtask's share of every named operator state: split lists in even contiguous shares of all old subtasks'
    /// elements (in old subtask order), union lists whole, broadcast state from the lowest old subtask that has it.
    /// </summary>
    /// <exception cref="StateFormatException">Old subtasks wrote a state under one name with different modes or formats.</exception>
    private static Dictionary<string, OperatorStateSection> Redistribute(string uid, List<OperatorSnapshot> snapshots, int subtask, int parallelism)
    {
        var merged = new Dictionary<string, (OperatorStateSection First, List<ReadOnlyMemory<byte>> All)>();
        foreach (var snapshot in snapshots)
        {
            foreach (var state in snapshot.OperatorStates)
            {
                if (!merged.TryGetValue(state.Name, out var entry))
                {
                    merged[state.Name] = (state, [.. state.Elements]);
                    continue;
                }
                if (entry.First.Mode != state.Mode || entry.First.Format != state.Format)
                {
                    throw new StateFormatException(
                        $"Operator '{uid}': old subtasks wrote operator state '{state.Name}' as {entry.First.Mode} of '{entry.First.Format.FormatId}' and as {state.Mode} of '{state.Format.FormatId}'.");
                }
                if (state.Mode != OperatorStateMode.Broadcast)
                {
                    entry.All.AddRange(state.Elements);
                }
            }
        }
        var result = new Dictionary<string, OperatorStateSection>(merged.Count);
        foreach (var (name, (first, all)) in merged)
        {
            IReadOnlyList<ReadOnlyMemory<byte>> share = first.Mode switch
            {
                OperatorStateMode.SplitList => all.GetRange(
                    (int)((long)all.Count * subtask / parallelism),
                    (int)((long)all.Count * (subtask + 1) / parallelism) - (int)((long)all.Count * subtask / parallelism)),
                _ => all,
            };
            result[name] = first with { Elements = share };
        }
        return result;
    }
}
