namespace Sluice.State;

/// <summary>
/// Where keyed operators keep their state while the job runs: <see cref="HeapStateBackend"/> (objects on the managed
/// heap, the default) or <see cref="RocksDbStateBackend"/> (serialized in an embedded RocksDB on local disk, for state
/// larger than memory). Every checkpoint restores at any parallelism. Full snapshots (the heap's, and RocksDB's with
/// <see cref="RocksDbStateBackend.IncrementalCheckpoints"/> off) share one layout and restore into either backend;
/// incremental RocksDB checkpoints restore into RocksDB only. Set with <see cref="JobOptions.StateBackend"/>.
/// </summary>
public abstract record StateBackendOptions
{
    private protected StateBackendOptions() { }

    /// <summary>The backend's name in logs and the CLI: <c>heap</c> or <c>rocksdb</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Checks the settings, failing with a message that names the setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public abstract void Validate();
}

/// <summary>
/// Keyed state as objects on the managed heap: fastest, bounded by memory. Snapshots are copy-on-write per key group,
/// written off the task thread.
/// </summary>
public sealed record HeapStateBackend : StateBackendOptions
{
    /// <summary>The heap backend (it has no settings).</summary>
    public static HeapStateBackend Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => "heap";

    /// <inheritdoc/>
    public override void Validate() { }
}

/// <summary>
/// Keyed state serialized into an embedded RocksDB database per keyed operator subtask, on local disk: state may be
/// much larger than memory, each access costs a (de)serialization. The databases are working copies only — recovery
/// uses checkpoints — and are deleted when the operator closes.
/// </summary>
public sealed record RocksDbStateBackend : StateBackendOptions
{
    /// <summary>The smallest accepted <see cref="WriteBufferSize"/>: 1 MiB.</summary>
    public const long MinWriteBufferSize = 1 << 20;

    /// <summary>
    /// The root of the working directories; null (the default) uses <c>sluice-rocksdb</c> under the system temp
    /// directory. Each keyed operator subtask opens its database in
    /// <c>&lt;Directory&gt;/&lt;job name&gt;/&lt;operator uid&gt;-&lt;subtask&gt;-&lt;instance&gt;</c>, created on open
    /// and deleted on close. Put it on a local disk with room for the whole state.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>
    /// Bytes each state's memtable buffers before it is flushed to a file (RocksDB's <c>write_buffer_size</c>).
    /// At least <see cref="MinWriteBufferSize"/>; default 16 MiB.
    /// </summary>
    public long WriteBufferSize { get; init; } = 16 << 20;

    /// <summary>
    /// True (the default): a checkpoint uploads only the database files (SST files) that are new since the last
    /// completed checkpoint into the checkpoint store's shared area and refers to the older ones, so its cost follows
    /// the changes, not the state's size. Such checkpoints restore into the RocksDB backend only (at any parallelism).
    /// False: every checkpoint is a full snapshot of every entry in the layout the heap backend also reads — set it to
    /// take a savepoint that moves a job from RocksDB to the heap. Without checkpointing in the job, snapshots are full.
    /// </summary>
    public bool IncrementalCheckpoints { get; init; } = true;

    /// <inheritdoc/>
    public override string Name => "rocksdb";

    /// <summary>The root directory used: <see cref="Directory"/>, or the default under the system temp directory.</summary>
    public string ResolvedDirectory => Path.GetFullPath(Directory ?? Path.Combine(Path.GetTempPath(), "sluice-rocksdb"));

    /// <inheritdoc/>
    public override void Validate()
    {
        if (Directory is not null && string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("RocksDbStateBackend.Directory must be null (the system temp directory) or a path, not blank.", nameof(Directory));
        }
        if (Directory is not null && Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException($"RocksDbStateBackend.Directory '{Directory}' contains characters that are invalid in a path.", nameof(Directory));
        }
        if (WriteBufferSize < MinWriteBufferSize)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteBufferSize), WriteBufferSize, $"RocksDbStateBackend.WriteBufferSize must be at least {MinWriteBufferSize} bytes (1 MiB).");
        }
    }
}
