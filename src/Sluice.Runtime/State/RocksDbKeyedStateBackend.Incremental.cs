using RocksDbSharp;
using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>Incremental checkpoints: snapshots that upload only new SST files, and restores from them.</summary>
/// <remarks>
/// <para>
/// <b>Snapshot.</b> On the task thread RocksDB flushes every memtable and hard-links the database's files into
/// <c>&lt;directory&gt;.snapshot-&lt;n&gt;</c> (a RocksDB checkpoint: cheap, no data copied). Off the task thread,
/// <see cref="IKeyedStateSnapshot.Write"/> uploads each SST file the last completed checkpoint did not already hold as
/// shared file <c>&lt;operator&gt;-&lt;instance&gt;-&lt;file&gt;.sst</c>, puts the small metadata files inline in the
/// handle, records every SST file it uses with the snapshot (<see cref="SnapshotContext.AddSharedFile"/>, so the
/// manifest lists them), and deletes the directory. A failed upload throws: the task declines the checkpoint.
/// </para>
/// <para>
/// <b>Which files are reused.</b> Only files of the last completed checkpoint this backend was notified of
/// (<see cref="NotifyCheckpointComplete"/>), or of the checkpoint it was restored from. SST files are immutable and
/// their numbers never reused, so a file still in the database was in every checkpoint since, including the newest
/// completed one, which retention always keeps: a reused file is never deleted while a checkpoint may name it.
/// </para>
/// <para>
/// <b>Restore.</b> When this subtask owns exactly the key groups of one old subtask (same parallelism), its files are
/// downloaded into the database directory and opened as the database. Otherwise every old subtask whose key groups
/// overlap is downloaded aside, opened, and this subtask's key-group range copied out of each state (keys start with
/// the key group, so the range is one contiguous scan), then deleted. Every download is checked against the size
/// and CRC-32C the checkpoint recorded; a missing or corrupt file raises <see cref="StateFormatException"/> naming the
/// file and the checkpoint. The bytes are used as stored, so the key, namespace and value formats must have the
/// versions they had when written (checked when each state is created again).
/// </para>
/// </remarks>
internal sealed partial class RocksDbKeyedStateBackend<TKey>
{
    private readonly ICheckpointStore? _store;
    private readonly CancellationToken _cancellation;
    private readonly bool _incremental;
    private readonly DbOptions _openOptions;
    private readonly HashSet<IncrementalSnapshot> _incrementalInFlight = [];
    private readonly Dictionary<long, Dictionary<string, SharedFileRef>> _uploadedBy = []; // per checkpoint not yet confirmed; under _gate
    private Dictionary<string, SharedFileRef> _confirmed = []; // by local file name: in the store for a completed checkpoint; under _gate
    private string? _sharedPrefix;
    private readonly HashSet<string> _restoredFromFiles = []; // states whose entries came from a checkpoint's files, as stored
    private int _snapshotSequence;

    /// <summary>True when snapshots upload SST files (a checkpoint store is set and incremental checkpoints are on).</summary>
    internal bool IsIncremental => _incremental;

    /// <summary>The prefix of the shared files this database instance uploads: operator and a random instance id.</summary>
    // Set on first use; Interlocked so that two snapshot writers on the thread pool cannot pick different prefixes.
    private string SharedPrefix => _sharedPrefix ?? Interlocked.CompareExchange(ref _sharedPrefix,
        $"{KeyedStateBackends.SafeName(_operatorName.Length > 40 ? _operatorName[..40] : _operatorName)}-{Guid.NewGuid().ToString("N")[..12]}", null) ?? _sharedPrefix!;

    public void NotifyCheckpointComplete(long checkpointId)
    {
        lock (_gate)
        {
            if (_uploadedBy.Remove(checkpointId, out var files))
            {
                _confirmed = files;
            }
            foreach (var older in _uploadedBy.Keys.Where(id => id < checkpointId).ToList())
            {
                _uploadedBy.Remove(older);
            }
        }
    }

    private IncrementalSnapshot SnapshotIncrementally(long checkpointId)
    {
        var directory = $"{Directory}.snapshot-{++_snapshotSequence}";
        try
        {
            using var checkpoint = _db.Checkpoint();
            // 0: flush every memtable first — the write-ahead log is off, so unflushed writes exist nowhere else.
            checkpoint.Save(directory, 0);
        }
        catch (RocksDbException e)
        {
            DeleteDirectory(directory);
            // Failure records it: a flush that failed here (a full disk) refuses later checkpoints as a failed write does.
            throw Failure($"take checkpoint {checkpointId} (flush the memtables, link the files into '{directory}')", e);
        }
        Dictionary<string, SharedFileRef> confirmed;
        lock (_gate)
        {
            confirmed = _confirmed;
        }
        var snapshot = new IncrementalSnapshot(this, checkpointId, directory, [.. _states.Values.Select(static s => s.Header)], _restore?.States.ToList() ?? [],
            [.. _families.Keys], confirmed);
        lock (_gate)
        {
            _incrementalInFlight.Add(snapshot);
        }
        return snapshot;
    }

    /// <summary>Uploads one SST file as a shared file (any thread).</summary>
    /// <exception cref="IOException">The file cannot be read or the store cannot write it; the message names both.</exception>
    private SharedFileRef Upload(string path, string localName)
    {
        var name = $"{SharedPrefix}-{localName}";
        try
        {
            uint crc;
            long bytes;
            using (var file = File.OpenRead(path))
            {
                (crc, bytes) = Crc32C.Of(file);
            }
            using (var file = File.OpenRead(path))
            {
                _store!.WriteSharedAsync(name, file, _cancellation).GetAwaiter().GetResult();
            }
            return new SharedFileRef(name, bytes, crc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The RocksDB state backend of operator '{_operatorName}' could not upload '{path}' as shared file '{name}' of {_store!.Location}: {e.Message}", e);
        }
    }

    private void RestoreFiles(KeyedStateRestore restore)
    {
        var source = $"checkpoint #{restore.CheckpointId} in {_store?.Location}";
        if (_store is null)
        {
            throw new StateFormatException(
                $"Keyed state of '{_operatorName}' ({source}) is an incremental RocksDB checkpoint, whose files are in the checkpoint store; the backend was given no store. Restore it in a job that checkpoints into that store.");
        }
        var handles = new List<RocksDbCheckpointHandle>();
        foreach (var bytes in restore.BackendHandles)
        {
            var handle = RocksDbCheckpointHandle.Decode(bytes, $"Keyed state of '{_operatorName}', {source}");
            if (handle.KeyGroups.Start <= KeyGroups.End && KeyGroups.Start <= handle.KeyGroups.End)
            {
                handles.Add(handle);
            }
        }
        foreach (var handle in handles)
        {
            _restoredFromFiles.UnionWith(handle.ColumnFamilies);
        }
        if (handles is [var only] && only.KeyGroups == KeyGroups)
        {
            OpenFrom(only, source);
            return;
        }
        for (var i = 0; i < handles.Count; i++)
        {
            CopyKeyGroups(handles[i], $"{Directory}.restore-{i}", source);
        }
    }

    /// <summary>Replaces the empty database with the handle's files (same key groups: the fast path).</summary>
    private void OpenFrom(RocksDbCheckpointHandle handle, string source)
    {
        _db.Dispose();
        DeleteDirectory(Directory);
        System.IO.Directory.CreateDirectory(Directory);
        Download(handle, Directory, source);
        _db = OpenRestored(handle, Directory, source);
        foreach (var name in handle.ColumnFamilies)
        {
            _families[name] = _db.GetColumnFamily(ColumnFamilyPrefix + name);
        }
        lock (_gate)
        {
            _confirmed = handle.SharedFiles.ToDictionary(static f => f.LocalName, static f => f.Shared);
        }
    }

    /// <summary>Downloads the handle's files into <paramref name="scratch"/>, copies this subtask's key groups of every state, deletes the copy.</summary>
    private void CopyKeyGroups(RocksDbCheckpointHandle handle, string scratch, string source)
    {
        DeleteDirectory(scratch);
        System.IO.Directory.CreateDirectory(scratch);
        try
        {
            Download(handle, scratch, source);
            using var db = OpenRestored(handle, scratch, source);
            var read = new ReadOptions().SetFillCache(false);
            var start = new[] { (byte)(KeyGroups.Start >> 8), (byte)KeyGroups.Start };
            foreach (var name in handle.ColumnFamilies)
            {
                if (!_families.TryGetValue(name, out var target))
                {
                    try
                    {
                        target = _db.CreateColumnFamily(_columnOptions, ColumnFamilyPrefix + name);
                    }
                    catch (RocksDbException e)
                    {
                        throw Failure($"create the column family of state '{name}'", e);
                    }
                    _families.Add(name, target);
                }
                using var batch = new WriteBatch();
                using var iterator = db.NewIterator(db.GetColumnFamily(ColumnFamilyPrefix + name), read);
                for (iterator.Seek(start); iterator.Valid() && ReadKeyGroup(iterator.GetKeySpan()) <= KeyGroups.End; iterator.Next())
                {
                    batch.Put(iterator.GetKeySpan(), iterator.GetValueSpan(), target);
                    if (batch.Count() >= 4096)
                    {
                        Write(batch);
                        batch.Clear();
                    }
                }
                if (batch.Count() > 0)
                {
                    Write(batch);
                }
            }
            GC.KeepAlive(read);
        }
        finally
        {
            DeleteDirectory(scratch);
        }
    }

    private RocksDb OpenRestored(RocksDbCheckpointHandle handle, string directory, string source)
    {
        var families = new ColumnFamilies();
        foreach (var name in handle.ColumnFamilies)
        {
            families.Add(ColumnFamilyPrefix + name, _columnOptions);
        }
        try
        {
            return RocksDb.Open(_openOptions, directory, families);
        }
        catch (RocksDbException e)
        {
            throw new StateFormatException($"Keyed state of '{_operatorName}', {source}: RocksDB cannot open the restored files in '{directory}': {e.Message}", e);
        }
    }

    /// <summary>Downloads the handle's shared files (checking size and CRC-32C) and writes its private files into <paramref name="directory"/>.</summary>
    /// <exception cref="StateFormatException">A shared file is missing or corrupt; the message names it and <paramref name="source"/>.</exception>
    private void Download(RocksDbCheckpointHandle handle, string directory, string source)
    {
        var buffer = new byte[1 << 16];
        foreach (var file in handle.SharedFiles)
        {
            Stream input;
            try
            {
                input = _store!.OpenSharedAsync(file.Shared.Name, _cancellation).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new StateFormatException($"Keyed state of '{_operatorName}', {source}: shared file '{file.Shared.Name}' is missing: {e.Message}", e);
            }
            var crc = new Crc32C();
            long bytes = 0;
            using (input)
            using (var output = new FileStream(Path.Combine(directory, file.LocalName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                int n;
                while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    crc.Append(buffer.AsSpan(0, n));
                    output.Write(buffer, 0, n);
                    bytes += n;
                }
            }
            if (bytes != file.Shared.Bytes || crc.Value != file.Shared.Crc32C)
            {
                throw new StateFormatException(
                    $"Keyed state of '{_operatorName}', {source}: shared file '{file.Shared.Name}' is corrupt: it holds {bytes} bytes with CRC-32C {crc.Value:x8}, the checkpoint recorded {file.Shared.Bytes} bytes with CRC-32C {file.Shared.Crc32C:x8}.");
            }
        }
        foreach (var file in handle.PrivateFiles)
        {
            File.WriteAllBytes(Path.Combine(directory, file.Name), file.Content);
        }
    }

    /// <summary>Restored files hold bytes in the formats they were written with: they must be the current ones.</summary>
    private void EnsureSameBytes(StateHeader restored, StateHeader current)
    {
        if (!_restoredFromFiles.Contains(current.Name))
        {
            return;
        }
        if (restored.NamespaceFormat.Version != current.NamespaceFormat.Version || restored.ValueFormat.Version != current.ValueFormat.Version
            || RestoredKeyVersion != KeySerializer.Version)
        {
            throw new StateFormatException(
                $"State '{current.Name}' of operator '{_operatorName}' was checkpointed incrementally with format versions key {RestoredKeyVersion}, namespace {restored.NamespaceFormat.Version}, value {restored.ValueFormat.Version}; this job writes key {KeySerializer.Version}, namespace {current.NamespaceFormat.Version}, value {current.ValueFormat.Version}. An incremental RocksDB checkpoint restores only with the versions it was written with: restore it with the release that wrote it, take a savepoint with RocksDbStateBackend.IncrementalCheckpoints = false, and restore that.");
        }
    }

    /// <summary>
    /// Writes the entries of a state restored from files but not created again into a full snapshot. Payloads need no
    /// types (key · namespace · stamp · value is the RocksDB key without its key group, then the value) except for map
    /// state, whose entries are grouped per (key, namespace).
    /// </summary>
    private void WriteCarriedFamily(StateHeader header, ColumnFamilyHandle family, int index, SectionWriter target, ReadOptions read)
    {
        if (header.Kind == "map")
        {
            throw new StateFormatException(
                $"Map state '{header.Name}' of operator '{_operatorName}' was restored from an incremental checkpoint but not created again in this run: a full snapshot cannot write it without its types. Create the state in Open, or keep RocksDbStateBackend.IncrementalCheckpoints on.");
        }
        var scratch = target.Scratch;
        using var iterator = _db.NewIterator(family, read);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            scratch.Reset();
            scratch.WriteRaw(key[2..]);
            scratch.WriteRaw(iterator.GetValueSpan());
            target.WriteEntry(ReadKeyGroup(key), index, scratch.WrittenSpan);
        }
    }

    /// <summary>Deletes snapshot and restore directories left next to the database.</summary>
    private void DeleteScratchDirectories()
    {
        if (Path.GetDirectoryName(Directory) is { } parent && System.IO.Directory.Exists(parent))
        {
            foreach (var path in System.IO.Directory.EnumerateDirectories(parent, Path.GetFileName(Directory) + ".*"))
            {
                DeleteDirectory(path);
            }
        }
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a scratch directory left behind holds nothing a restart needs.
        }
    }

    /// <summary>A RocksDB checkpoint directory of one snapshot, uploaded and described by <see cref="Write"/> on any thread.</summary>
    private sealed class IncrementalSnapshot(RocksDbKeyedStateBackend<TKey> backend, long checkpointId, string directory, List<StateHeader> states,
        List<RestoredKeyedState> carried, List<string> families, Dictionary<string, SharedFileRef> confirmed) : IKeyedStateSnapshot
    {
        private bool _released;

        public void Write(KeyedSnapshotWriter headers, SnapshotContext target)
        {
            lock (backend._gate)
            {
                if (_released)
                {
                    throw new ObjectDisposedException(nameof(IKeyedStateSnapshot), $"The RocksDB state backend of operator '{backend._operatorName}' was closed (or the snapshot disposed) before the snapshot was written.");
                }
            }
            var shared = new List<RocksDbSharedFile>();
            var privateFiles = new List<RocksDbPrivateFile>();
            var used = new Dictionary<string, SharedFileRef>();
            var paths = System.IO.Directory.GetFiles(directory);
            Array.Sort(paths, StringComparer.Ordinal);
            foreach (var path in paths)
            {
                var name = Path.GetFileName(path);
                if (name.EndsWith(".sst", StringComparison.Ordinal))
                {
                    if (!confirmed.TryGetValue(name, out var file) || file.Bytes != new FileInfo(path).Length)
                    {
                        file = backend.Upload(path, name);
                    }
                    shared.Add(new RocksDbSharedFile(name, file));
                    used[name] = file;
                    target.AddSharedFile(file);
                }
                else
                {
                    privateFiles.Add(new RocksDbPrivateFile(name, File.ReadAllBytes(path)));
                }
            }
            foreach (var state in states)
            {
                headers.AddState(state);
            }
            foreach (var restored in carried)
            {
                var index = headers.AddState(restored.Header);
                foreach (var (group, payload) in restored.Entries)
                {
                    KeyedStateSnapshot.WriteRecord(target.KeyGroup(group), KeyedStateSnapshot.StateEntryTag, index, payload.Span);
                }
            }
            headers.Backend = RocksDbCheckpointHandle.Layout;
            headers.BackendData = new RocksDbCheckpointHandle(checkpointId, backend.KeyGroups, shared, privateFiles, families).Encode();
            lock (backend._gate)
            {
                backend._uploadedBy[checkpointId] = used;
            }
            DeleteDirectory(directory);
        }

        public void Dispose()
        {
            lock (backend._gate)
            {
                ReleaseLocked();
                backend._incrementalInFlight.Remove(this);
            }
        }

        /// <summary>Deletes the checkpoint directory (the backend's gate is held). Idempotent.</summary>
        public void ReleaseLocked()
        {
            if (!_released)
            {
                _released = true;
                DeleteDirectory(directory);
            }
        }
    }
}
