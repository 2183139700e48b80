using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// The contract for checkpoints taken through a checkpoint store, as a job takes them (the RocksDB backend's are then
/// incremental): chains of checkpoints each restoring its own state, restores at another parallelism, carried states,
/// and corrupt or missing files.
/// </summary>
public abstract partial class KeyedStateBackendContract
{
    private LocalCheckpointStore? _store;

    /// <summary>
    /// Capability: true when the backend's checkpoints through a store are incremental — they upload only files that
    /// are new since the last completed checkpoint, as shared files of the store. False: full snapshots, no shared files.
    /// </summary>
    protected virtual bool IncrementalCheckpoints => false;

    /// <summary>The checkpoint store of this test (a fresh directory, deleted with the test).</summary>
    internal LocalCheckpointStore Store => _store ??= new LocalCheckpointStore(Path.Combine(Path.GetTempPath(), "sluice-tests-store", Guid.NewGuid().ToString("N")));

    /// <summary>Takes checkpoint <paramref name="id"/> of <paramref name="backend"/> as a task does; when <paramref name="complete"/>, notifies its completion.</summary>
    internal static OperatorSnapshot Checkpoint(IKeyedStateBackend<string> backend, long id, int subtask = 0, int parallelism = 1, bool complete = true)
    {
        var snapshot = TestBackends.Snapshot(backend, null, subtask, parallelism, KeyGroupCount, checkpointId: id);
        if (complete)
        {
            backend.NotifyCheckpointComplete(id);
        }
        return snapshot;
    }

    private static IReadOnlyList<string> SharedFilesIn(ICheckpointStore store) => store.ListSharedAsync().GetAwaiter().GetResult();

    [Fact]
    public void CheckpointChain_EachCheckpointRestoresItsOwnState_AndOnlyNewFilesAreUploaded()
    {
        var backend = CreateBackend(store: Store);
        var value = backend.GetState(s_value);
        var map = backend.GetMapState(s_map);
        var model = new Dictionary<string, int>();
        void Put(string key, int n)
        {
            backend.SetCurrentKey(key);
            value.Update(n);
            map.Put("n", n);
            model[key] = n;
        }
        for (var i = 0; i < 2000; i++)
        {
            Put($"k{i}", i);
        }
        var chain = new List<(OperatorSnapshot Snapshot, Dictionary<string, int> Model)> { (Checkpoint(backend, 1), new(model)) };
        for (var id = 2; id <= 3; id++)
        {
            for (var i = 0; i < 20; i++)
            {
                Put($"k{(id * 500) + i}", -id); // 1 % of the keys change
            }
            backend.SetCurrentKey($"k{id}");
            value.Clear();
            map.Clear();
            model.Remove($"k{id}");
            chain.Add((Checkpoint(backend, id), new(model)));
        }

        for (var c = 0; c < chain.Count; c++)
        {
            var (snapshot, expected) = chain[c];
            var restored = Restored([snapshot], store: Store, checkpointId: c + 1);
            var v = restored.GetState(s_value);
            var m = restored.GetMapState(s_map);
            restored.EntryCount.ShouldBe(expected.Count * 2L, $"checkpoint {c + 1}");
            foreach (var (key, n) in expected)
            {
                restored.SetCurrentKey(key);
                v.Value.ShouldBe(n);
                m.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe([$"n={n}"]);
            }
        }
        var all = chain.SelectMany(c => c.Snapshot.SharedFiles).Select(f => f.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        SharedFilesIn(Store).ShouldBe(all, "the store holds exactly the files the checkpoints use");
        if (!IncrementalCheckpoints)
        {
            all.ShouldBeEmpty();
            return;
        }
        var first = chain[0].Snapshot.SharedFiles;
        first.ShouldNotBeEmpty();
        for (var c = 1; c < chain.Count; c++)
        {
            var previous = chain[c - 1].Snapshot.SharedFiles;
            var current = chain[c].Snapshot.SharedFiles;
            previous.Except(current).ShouldBeEmpty("no compaction ran: every earlier file is still used, by the same shared file");
            var added = current.Except(previous).ToList();
            added.Count.ShouldBeInRange(1, 2, "one flushed memtable per changed state");
            added.Sum(f => f.Bytes).ShouldBeLessThan(first.Sum(f => f.Bytes) / 5, "the new files hold the changes, not the state");
        }
    }

    [Fact]
    public void CheckpointThroughAStore_IsFrozenAtTheMark()
    {
        var backend = CreateBackend(store: Store);
        var value = backend.GetState(s_value);
        backend.SetCurrentKey("a");
        value.Update(1);
        var marked = backend.Snapshot(1);
        value.Update(2);
        backend.SetCurrentKey("b");
        value.Update(3);
        var snapshot = TestBackends.Write<string>(marked, null, 0, 1, KeyGroupCount);
        marked.Dispose();

        var restored = Restored([snapshot], store: Store);
        var v = restored.GetState(s_value);
        restored.SetCurrentKey("a");
        v.Value.ShouldBe(1);
        restored.SetCurrentKey("b");
        v.TryGet(out _).ShouldBeFalse();
        backend.SetCurrentKey("a");
        value.Value.ShouldBe(2, "the live state kept the later write");
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(1, 2)]
    public void CheckpointChain_RestoreAtAnotherParallelism_PutsEachKeyInTheSubtaskOwningItsKeyGroup(int from, int to)
    {
        var keys = Enumerable.Range(0, 60).Select(i => $"key-{i}").ToList();
        static int N(string key) => int.Parse(key[4..], System.Globalization.CultureInfo.InvariantCulture);
        static int Expected(int n) => n % 2 == 0 ? n * 10 : n;
        var snapshots = new List<OperatorSnapshot>();
        for (var subtask = 0; subtask < from; subtask++)
        {
            var backend = CreateBackend(subtask, from, store: Store);
            var value = backend.GetState(s_value);
            var map = backend.GetMapState(s_map);
            var owned = keys.Where(k => OwnerOf(k, from) == subtask).ToList();
            foreach (var key in owned)
            {
                backend.SetCurrentKey(key);
                value.Update(N(key));
                map.Put("n", N(key));
            }
            Checkpoint(backend, 1, subtask, from);
            foreach (var key in owned.Where(k => N(k) % 2 == 0))
            {
                backend.SetCurrentKey(key);
                value.Update(N(key) * 10);
                map.Put("n", N(key) * 10);
            }
            snapshots.Add(Checkpoint(backend, 2, subtask, from));
        }

        var seen = 0;
        for (var subtask = 0; subtask < to; subtask++)
        {
            var backend = Restored(snapshots, subtask, to, store: Store, checkpointId: 2);
            var value = backend.GetState(s_value);
            var map = backend.GetMapState(s_map);
            var owned = keys.Where(k => OwnerOf(k, to) == subtask).ToList();
            backend.EntryCount.ShouldBe(owned.Count * 2L, "exactly the owned key groups are restored");
            foreach (var key in owned)
            {
                backend.SetCurrentKey(key);
                value.Value.ShouldBe(Expected(N(key)));
                map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe([$"n={Expected(N(key))}"]);
                seen++;
            }
            var stranger = keys.FirstOrDefault(k => OwnerOf(k, to) != subtask);
            if (stranger is not null)
            {
                Should.Throw<InvalidOperationException>(() =>
                {
                    backend.SetCurrentKey(stranger);
                    _ = backend.CurrentKeyGroup;
                }).Message.ShouldContain("outside its key groups");
            }
        }
        seen.ShouldBe(keys.Count);
    }

    [Fact]
    public void CheckpointChain_StatesNotCreatedAgain_AreCarriedIntoLaterCheckpoints()
    {
        var original = CreateBackend(store: Store);
        original.SetCurrentKey("a");
        original.GetState(s_value).Update(4);
        original.GetListState(s_list).Add("kept");
        var first = Checkpoint(original, 1);

        var middle = Restored([first], store: Store, checkpointId: 1);
        middle.SetCurrentKey("b");
        middle.GetState(s_value).Update(5); // the list state is not created in this run
        var second = Checkpoint(middle, 2);

        var last = Restored([second], store: Store, checkpointId: 2);
        last.SetCurrentKey("a");
        last.GetListState(s_list).Get().ShouldBe(["kept"]);
        last.GetState(s_value).Value.ShouldBe(4);
        last.SetCurrentKey("b");
        last.GetState(s_value).Value.ShouldBe(5);
    }

    [Fact]
    public void CorruptOrMissingCheckpointFile_FailsTheRestoreWithStateFormatExceptionNamingTheFile()
    {
        var backend = CreateBackend(store: Store);
        var value = backend.GetState(s_value);
        for (var i = 0; i < 50; i++)
        {
            backend.SetCurrentKey($"k{i}");
            value.Update(i);
        }
        var snapshot = Checkpoint(backend, 7);
        if (!IncrementalCheckpoints)
        {
            // A full snapshot is one blob of the checkpoint: a corrupt one names that file.
            var truncated = snapshot.Encode()[..^2];
            Should.Throw<StateFormatException>(() => OperatorSnapshot.Decode(truncated, "chk-0000000007/0000-op-0.state")).Message.ShouldContain("chk-0000000007/0000-op-0.state");
            snapshot.SharedFiles.ShouldBeEmpty();
            return;
        }
        var file = snapshot.SharedFiles[0];
        var path = Path.Combine(Store.SharedPath, file.Name);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        foreach (var parallelism in new[] { 1, 2 })
        {
            var corrupt = Should.Throw<StateFormatException>(() => Restored([snapshot], 0, parallelism, store: Store, checkpointId: 7));
            corrupt.Message.ShouldContain($"'{file.Name}'");
            corrupt.Message.ShouldContain("checkpoint #7");
            corrupt.Message.ShouldContain("corrupt");
        }
        File.Delete(path);
        var missing = Should.Throw<StateFormatException>(() => Restored([snapshot], store: Store, checkpointId: 7));
        missing.Message.ShouldContain($"'{file.Name}'");
        missing.Message.ShouldContain("checkpoint #7");
        missing.Message.ShouldContain("missing");
    }
}
