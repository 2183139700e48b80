using RocksDbSharp;
using Sluice.Runtime.Checkpointing;

namespace Sluice.Runtime.State;

/// <summary>Full snapshots: every entry written in the key-group layout every backend reads.</summary>
internal sealed partial class RocksDbKeyedStateBackend<TKey>
{
    /// <summary>A RocksDB snapshot of every state plus carried restored states; written on any thread.</summary>
    private sealed class RocksSnapshot(RocksDbKeyedStateBackend<TKey> backend, Snapshot snapshot, List<IRocksDbState> states, List<RestoredKeyedState> carried,
        List<(StateHeader Header, ColumnFamilyHandle Family)> carriedFamilies) : IKeyedStateSnapshot
    {
        private bool _released;

        public void Write(KeyedSnapshotWriter headers, SnapshotContext target)
        {
            // Under the gate: the backend cannot close the database while the snapshot is being read.
            lock (backend._gate)
            {
                if (_released)
                {
                    throw new ObjectDisposedException(nameof(IKeyedStateSnapshot), $"The RocksDB state backend of operator '{backend._operatorName}' was closed (or the snapshot disposed) before the snapshot was written.");
                }
                var read = new ReadOptions().SetSnapshot(snapshot).SetFillCache(false);
                var writer = new SectionWriter(target);
                try
                {
                    foreach (var state in states)
                    {
                        state.WriteSnapshot(headers, writer, read);
                    }
                }
                catch (RocksDbException e)
                {
                    throw backend.Failure("read a snapshot", e);
                }
                foreach (var restored in carried)
                {
                    var index = headers.AddState(restored.Header);
                    foreach (var (group, payload) in restored.Entries)
                    {
                        KeyedStateSnapshot.WriteRecord(target.KeyGroup(group), KeyedStateSnapshot.StateEntryTag, index, payload.Span);
                    }
                    if (carriedFamilies.Find(f => f.Header == restored.Header) is { Family: { } family })
                    {
                        backend.WriteCarriedFamily(restored.Header, family, index, writer, read);
                    }
                }
                GC.KeepAlive(read);
            }
        }

        public void Dispose()
        {
            lock (backend._gate)
            {
                ReleaseLocked();
                backend._inFlight.Remove(this);
            }
        }

        /// <summary>Releases the RocksDB snapshot (the backend's gate is held). Idempotent.</summary>
        public void ReleaseLocked()
        {
            if (!_released)
            {
                _released = true;
                snapshot.Dispose();
            }
        }
    }
}
