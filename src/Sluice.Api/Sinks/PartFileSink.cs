using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sluice.Formats;
using Sluice.IO;

namespace Sluice.Sinks;

/// <summary>
/// Writes one record per line, encoded by an <see cref="IMessageSerializer{T}"/> (JSON with
/// <see cref="MessageSerializers.Json{T}"/>, csv/json/raw rows with <see cref="MessageSerializers.Rows"/>), into part
/// files of a directory, exactly once: a parallel, two-phase sink. Each subtask writes to
/// <c>&lt;dir&gt;/.staging/part-&lt;subtask&gt;-&lt;seq&gt;.inprogress</c>; at checkpoint <c>n</c> it closes the file
/// (fsync) and renames it to <c>.staged</c>; once checkpoint <c>n</c> is complete the committer renames it atomically
/// to <c>&lt;dir&gt;/part-&lt;subtask&gt;-&lt;n:D10&gt;&lt;extension&gt;</c>. Readers see only committed
/// <c>part-*&lt;extension&gt;</c> files (ignore <c>.staging/</c>); each record is in exactly one of them across
/// crashes and restores. A checkpoint in which a subtask wrote nothing produces no file. Only the value is written
/// (not the key or headers), followed by <c>\n</c>; a record the serializer encodes as no value (a tombstone) fails
/// the job rather than being dropped.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// <para>
/// Sequences: a staged file is named by a per-writer sequence <c>seq = (id of the writer's previous checkpoint, or the
/// restored checkpoint id) + 1</c>, so <c>seq ≤ n</c> for the checkpoint <c>n</c> that staged it and <c>seq &gt; r</c>
/// for every file staged after the restored checkpoint <c>r</c>. That is what lets <see cref="AbortPending"/> delete
/// exactly the staged work of never-completed checkpoints (also the final, end-of-input one) while keeping the files
/// the restored checkpoint still has to commit.
/// </para>
/// <para>
/// Without checkpoints the runtime commits each writer's output at the end of input (file
/// <c>part-&lt;subtask&gt;-0000000000&lt;extension&gt;</c>); a crash then leaves only staged files, which the next run deletes.
/// Partitioned (the 'filesystem' connector with partition keys): each record goes to the part file of its bucket, a
/// relative directory such as <c>dt=2026-12-05/country=FR</c>; a writer stages one file per bucket it wrote to in a
/// checkpoint (<c>part-&lt;subtask&gt;-b&lt;k&gt;-&lt;seq&gt;.staged</c>) and commits each to
/// <c>&lt;dir&gt;/&lt;bucket&gt;/part-&lt;subtask&gt;-&lt;n:D10&gt;&lt;extension&gt;</c>, all in one committable (version 2).
/// A bucket's file also rolls to a new part file of the same checkpoint by size or age (<see cref="RollingPolicy"/>); the
/// second and later files of a bucket in a checkpoint are committed as <c>part-&lt;subtask&gt;-&lt;n:D10&gt;-&lt;k&gt;&lt;extension&gt;</c>,
/// all in the one committable (version 2 when there are several). A bulk format (Parquet, <see cref="IBulkPartWriterFactory{T}"/>)
/// finishes each file (footer written) when it is staged, rolls, or is closed to bound the open files.
/// Requirement: one job per directory (the staging area is shared by its subtasks and cleaned on every start).
/// The sink object keeps the restored checkpoint id between <see cref="AbortPending"/> and the writers' creation,
/// so it must not be shared by two jobs. Thread-safe otherwise.
/// </para>
/// </remarks>
public class PartFileSink<T> : ITwoPhaseSink<T>, Lineage.ILineageDataset
{
    /// <summary>The sub-directory holding staged and in-progress files.</summary>
    public const string StagingDirectoryName = ".staging";

    private const byte SingleFileCommittableVersion = 1;
    private const byte BucketedCommittableVersion = 2;
    private const string InProgressSuffix = ".inprogress";
    private const string StagedSuffix = ".staged";
    private readonly IMessageSerializer<T>? _serializer;
    private readonly IBulkPartWriterFactory<T>? _bulk;
    private readonly Func<IPartFileBucketer<T>>? _bucketers;
    private long _restoredCheckpointId;

    /// <summary>Creates the sink.</summary>
    /// <param name="directory">The output directory; created if missing.</param>
    /// <param name="serializer">Encodes each record's value (called on the subtask's thread).</param>
    /// <param name="extension">The committed files' extension, with its dot (<c>.jsonl</c>, <c>.csv</c>).</param>
    public PartFileSink(string directory, IMessageSerializer<T> serializer, string extension)
        : this(directory, serializer, extension, null)
    {
    }

    /// <summary>Creates a sink whose records go to buckets (sub-directories) chosen by a bucketer per writer.</summary>
    /// <param name="directory">The output directory; created if missing.</param>
    /// <param name="serializer">Encodes each record's body (what the bucketer returns).</param>
    /// <param name="extension">The committed files' extension, with its dot.</param>
    /// <param name="bucketers">Makes the bucketer of one writer (called on the writer's thread); null: no buckets.</param>
    internal PartFileSink(string directory, IMessageSerializer<T> serializer, string extension, Func<IPartFileBucketer<T>>? bucketers)
        : this(directory, serializer, null, extension, bucketers)
    {
        ArgumentNullException.ThrowIfNull(serializer);
    }

    /// <summary>
    /// Creates a sink writing a bulk format (Parquet): each part file is finished (footer written) when it is staged at
    /// a checkpoint, when it rolls, or when its bucket is closed to bound the open files — the bucket's next records then
    /// go to a new part file of the same checkpoint, as a finished file cannot be appended to.
    /// </summary>
    /// <param name="directory">The output directory; created if missing.</param>
    /// <param name="bulk">Makes the writer of each part file.</param>
    /// <param name="extension">The committed files' extension, with its dot (<c>.parquet</c>).</param>
    /// <param name="bucketers">Makes the bucketer of one writer; null: no buckets.</param>
    internal PartFileSink(string directory, IBulkPartWriterFactory<T> bulk, string extension, Func<IPartFileBucketer<T>>? bucketers)
        : this(directory, null, bulk, extension, bucketers)
    {
        ArgumentNullException.ThrowIfNull(bulk);
    }

    private PartFileSink(string directory, IMessageSerializer<T>? serializer, IBulkPartWriterFactory<T>? bulk, string extension, Func<IPartFileBucketer<T>>? bucketers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(extension);
        if (extension[0] != '.' || extension.IndexOfAny(['/', '\\', '*', '?']) >= 0)
        {
            throw new ArgumentException($"The part files' extension must start with '.' and name no path (got '{extension}').", nameof(extension));
        }
        Directory = Path.GetFullPath(directory);
        _serializer = serializer;
        _bulk = bulk;
        Extension = extension;
        _bucketers = bucketers;
    }

    /// <summary>The committed files' extension, with its dot.</summary>
    public string Extension { get; }

    /// <summary>
    /// The most bucket files a writer keeps open at once (default 64): writing to one more closes the least recently
    /// used (flushed to disk); a closed file is reopened to append if its bucket gets records again (a bulk-format file
    /// is finished instead, and the bucket's next records start a new part file), and every file of the checkpoint is
    /// still staged and committed with it. Bounds the open handles and buffers of a writer that sees
    /// many partitions between two checkpoints.
    /// </summary>
    internal int MaxOpenBuckets { get; set; } = 64;

    /// <summary>When a bucket's in-progress file rolls to a new part file (default: Flink's, 128 MB or 30 minutes).</summary>
    internal PartFileRollingPolicy RollingPolicy { get; set; } = PartFileRollingPolicy.Default;

    /// <summary>The output directory (absolute).</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.File(Directory)];

    /// <summary>Unlimited (0): each subtask writes its own part files.</summary>
    public int MaxParallelism => 0;

    /// <summary>
    /// The committed part files in <paramref name="directory"/> and its bucket sub-directories, ordered by path (bucket,
    /// then subtask, then checkpoint).
    /// </summary>
    /// <param name="directory">A directory written by this sink.</param>
    /// <param name="extension">The files' extension, with its dot.</param>
    public static IReadOnlyList<string> CommittedFiles(string directory, string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }
        var files = System.IO.Directory.GetFiles(directory, "part-*" + extension, SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Creates the writer of one subtask; called on the subtask's thread after <see cref="AbortPending"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, StagingDirectoryName));
        return new Writer(this, context.SubtaskIndex, Volatile.Read(ref _restoredCheckpointId), _bucketers?.Invoke(), context.TimeProvider, _bulk?.ForWriter(context));
    }

    /// <summary>
    /// Publishes a committable: renames its staged file to its final name (atomic, then the directory is fsynced).
    /// Idempotent: when the final file exists and the staged one is gone, it was committed before and nothing happens.
    /// An empty committable (a writer that wrote nothing) is a no-op.
    /// </summary>
    /// <exception cref="InvalidDataException">The committable is not one of this sink's.</exception>
    /// <exception cref="IOException">Neither the staged nor the final file exists: the staged output was lost (for
    /// instance deleted by hand); committing would silently drop records, so the checkpoint fails instead.</exception>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        if (committable.Length == 0)
        {
            return;
        }
        foreach (var (staged, final) in Decode(committable))
        {
            var stagedPath = Path.Combine(Directory, StagingDirectoryName, staged);
            var finalPath = Path.Combine(Directory, final);
            if (File.Exists(stagedPath))
            {
                var finalDirectory = Path.GetDirectoryName(finalPath)!;
                CreateDirectoryDurably(finalDirectory);
                // rename(2) replaces atomically: a reader sees the old or the new file, never a partial one. Both
                // directories are fsynced: the new entry must survive a power loss, and so must the staged one's removal.
                File.Move(stagedPath, finalPath, overwrite: true);
                AtomicFile.SyncDirectory(finalDirectory);
                AtomicFile.SyncDirectory(Path.GetDirectoryName(stagedPath)!);
                continue;
            }
            if (!File.Exists(finalPath))
            {
                throw new IOException($"Cannot commit checkpoint #{checkpointId} of subtask {subtaskIndex} into '{Directory}': neither the staged file '{stagedPath}' nor the committed file '{finalPath}' exists.");
            }
        }
    }

    /// <summary>
    /// Creates the missing levels of <paramref name="directory"/> (a partition directory such as
    /// <c>dt=…/country=…/</c>, under <see cref="Directory"/>) one at a time, fsyncing the parent of each new level, so
    /// that after a power loss the path to a committed file still exists.
    /// </summary>
    private void CreateDirectoryDurably(string directory)
    {
        if (System.IO.Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory);
        if (parent is not null && !string.Equals(Path.GetFullPath(directory), Path.GetFullPath(Directory), StringComparison.Ordinal))
        {
            CreateDirectoryDurably(parent);
        }
        System.IO.Directory.CreateDirectory(directory);
        if (parent is not null)
        {
            AtomicFile.SyncDirectory(parent);
        }
    }

    /// <summary>
    /// Deletes every in-progress file and every staged file whose sequence is above
    /// <paramref name="restoredCheckpointId"/> (work of checkpoints that never completed), for all subtasks of any
    /// earlier parallelism, and remembers the id for the writers about to be created. Idempotent.
    /// </summary>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        var staging = Path.Combine(Directory, StagingDirectoryName);
        if (!System.IO.Directory.Exists(staging))
        {
            return;
        }
        foreach (var path in System.IO.Directory.GetFiles(staging))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(InProgressSuffix, StringComparison.Ordinal)
                || (name.EndsWith(StagedSuffix, StringComparison.Ordinal) && SequenceOf(name) is { } seq && seq > restoredCheckpointId))
            {
                File.Delete(path);
            }
        }
        AtomicFile.SyncDirectory(staging);
    }

    private static long? SequenceOf(string stagedName)
    {
        // part-<subtask>-<seq>.staged
        var stem = stagedName.AsSpan(0, stagedName.Length - StagedSuffix.Length);
        var dash = stem.LastIndexOf('-');
        return dash > 0 && long.TryParse(stem[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;
    }

    /// <summary>
    /// The committable of a writer's files for one checkpoint. Version 1 (one file at the directory's root, as every
    /// unpartitioned writer has): <c>[1][staged length: int32 LE][staged UTF-8][final length][final UTF-8]</c>. Version
    /// 2 (buckets): <c>[2][count: int32 LE]</c> then per file the same two length-prefixed names, the final one a
    /// relative path with '/' separators.
    /// </summary>
    internal static byte[] Encode(IReadOnlyList<(string Staged, string Final)> files)
    {
        var single = files.Count == 1 && !files[0].Final.Contains('/', StringComparison.Ordinal);
        var size = single ? 1 : 5;
        foreach (var (staged, final) in files)
        {
            size += 8 + Encoding.UTF8.GetByteCount(staged) + Encoding.UTF8.GetByteCount(final);
        }
        var buffer = new byte[size];
        buffer[0] = single ? SingleFileCommittableVersion : BucketedCommittableVersion;
        var at = 1;
        if (!single)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), files.Count);
            at += 4;
        }
        foreach (var (staged, final) in files)
        {
            at = WriteName(buffer, at, staged);
            at = WriteName(buffer, at, final);
        }
        return buffer;
    }

    private static int WriteName(byte[] buffer, int at, string name)
    {
        var length = Encoding.UTF8.GetBytes(name, buffer.AsSpan(at + 4));
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), length);
        return at + 4 + length;
    }

    /// <summary>Reads a committable of either version.</summary>
    /// <exception cref="InvalidDataException">Unknown version, truncated, or a name outside the sink's directory.</exception>
    internal static List<(string Staged, string Final)> Decode(byte[] committable)
    {
        try
        {
            var at = 1;
            int count;
            switch (committable[0])
            {
                case SingleFileCommittableVersion:
                    count = 1;
                    break;
                case BucketedCommittableVersion:
                    count = BinaryPrimitives.ReadInt32LittleEndian(committable.AsSpan(1));
                    at = 5;
                    break;
                default:
                    throw new InvalidDataException($"Unknown part-file committable version {committable[0]}.");
            }
            var files = new List<(string, string)>(Math.Min(count, 1024));
            for (var i = 0; i < count; i++)
            {
                var staged = ReadName(committable, ref at);
                var final = ReadName(committable, ref at);
                if (Path.GetFileName(staged) != staged || !IsRelativeInside(final))
                {
                    throw new InvalidDataException("A part-file committable names a path outside the sink's directory.");
                }
                files.Add((staged, final));
            }
            return files;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException)
        {
            throw new InvalidDataException("A part-file committable is truncated.", e);
        }
    }

    private static string ReadName(byte[] committable, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(committable.AsSpan(at));
        var name = Encoding.UTF8.GetString(committable, at + 4, length);
        at += 4 + length;
        return name;
    }

    private static bool IsRelativeInside(string path)
    {
        if (path.Length == 0 || Path.IsPathRooted(path) || path.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                return false;
            }
        }
        return true;
    }

    internal sealed class Writer(PartFileSink<T> sink, int subtask, long restoredCheckpointId, IPartFileBucketer<T>? bucketer, TimeProvider clock, IBulkPartWriterFactory<T>? bulkFiles) : ITwoPhaseSinkWriter<T>
    {
        private readonly PartFileRollingPolicy _rolling = sink.RollingPolicy;
        private long _lastAgeCheck = clock.GetTimestamp();
        private readonly ArrayBufferWriter<byte> _value = new(4096);
        private readonly Dictionary<string, BucketFile> _files = new(StringComparer.Ordinal);
        private readonly List<BucketFile> _order = [];
        private readonly LinkedList<BucketFile> _open = new(); // the files with an open stream, most recently used first
        private long _previousCheckpoint = restoredCheckpointId;
        private BucketFile? _last;

        private long Sequence => _previousCheckpoint + 1;

        /// <summary>How many bucket files are open now; for tests.</summary>
        internal int OpenFiles => _open.Count;

        public void Write(T value, long timestamp)
        {
            var body = value;
            var bucket = bucketer is null ? "" : bucketer.BucketOf(value, out body);
            var file = _last is { } last && ReferenceEquals(last.Bucket, bucket) ? last : FileOf(bucket);
            long size;
            if (file.Bulk is { } bulk)
            {
                if (!bulk.Accepts(body))
                {
                    // Rows of a wider layout: the file so far keeps its schema, the bucket goes on in a new file.
                    Roll(file);
                    file = FileOf(bucket);
                    bulk = file.Bulk!;
                }
                bulk.Write(body);
                size = bulk.EstimatedSize;
            }
            else
            {
                _value.ResetWrittenCount();
                if (!sink._serializer!.TryWriteValue(body, _value))
                {
                    throw new InvalidOperationException($"The serializer wrote no value (a tombstone) for a record of subtask {subtask} into '{sink.Directory}'; a part file cannot hold a record without value.");
                }
                var stream = file.Stream!;
                stream.Write(_value.WrittenSpan);
                stream.WriteByte((byte)'\n');
                size = file.Bytes += _value.WrittenCount + 1;
            }
            if (size >= _rolling.FileSize)
            {
                Roll(file);
            }
            if (clock.GetElapsedTime(_lastAgeCheck) >= _rolling.CheckInterval)
            {
                RollOld();
            }
        }

        /// <summary>Finishes <paramref name="file"/>: it stays in the checkpoint's files; its bucket's next record starts a new part file.</summary>
        private void Roll(BucketFile file)
        {
            Close(file);
            file.Finished = true;
        }

        /// <summary>Rolls every unfinished file older than the rollover interval.</summary>
        private void RollOld()
        {
            _lastAgeCheck = clock.GetTimestamp();
            foreach (var file in _order)
            {
                if (!file.Finished && clock.GetElapsedTime(file.CreatedAt) >= _rolling.RolloverInterval)
                {
                    Roll(file);
                }
            }
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            if (_order.Count == 0)
            {
                _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
                return [];
            }
            var staging = Path.Combine(sink.Directory, StagingDirectoryName);
            var committed = new List<(string Staged, string Final)>(_order.Count);
            foreach (var file in _order)
            {
                var staged = bucketer is null && file.Index == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{Sequence}{StagedSuffix}")
                    : string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-b{file.Index}-{Sequence}{StagedSuffix}");
                // The final snapshot (end of input) has no checkpoint id of its own yet (it comes as long.MaxValue): name its
                // file by the writer's sequence instead, which is above every id this run used and below every id a run
                // restored from the final checkpoint will use — a fixed name would let that run's final commit replace it.
                // The bucket's second and later files of a checkpoint (rolled, or finished early) get a -<part> suffix.
                var id = checkpointId == long.MaxValue ? Sequence : checkpointId;
                var name = file.Part == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{id:D10}{sink.Extension}")
                    : string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{id:D10}-{file.Part}{sink.Extension}");
                Close(file); // a file closed earlier was flushed to disk then
                File.Move(file.InProgressPath, Path.Combine(staging, staged), overwrite: true);
                committed.Add((staged, file.Bucket.Length == 0 ? name : file.Bucket + "/" + name));
            }
            AtomicFile.SyncDirectory(staging);
            _files.Clear();
            _order.Clear();
            _open.Clear();
            _last = null;
            _lastAgeCheck = clock.GetTimestamp();
            _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
            return Encode(committed);
        }

        public void Flush()
        {
            foreach (var file in _open)
            {
                file.Stream!.Flush(flushToDisk: false);
            }
        }

        public void Dispose()
        {
            // Open in-progress files belong to a checkpoint that will never complete: the next start deletes them.
            foreach (var file in _open)
            {
                file.Bulk?.Dispose();
                file.Stream!.Dispose();
            }
            _open.Clear();
        }

        private BucketFile FileOf(string bucket)
        {
            if (!_files.TryGetValue(bucket, out var file) || file.Finished)
            {
                var index = _order.Count;
                var name = bucketer is null && index == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{Sequence}{InProgressSuffix}")
                    : string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-b{index}-{Sequence}{InProgressSuffix}");
                file = new BucketFile(bucket, index, file is null ? 0 : file.Part + 1, Path.Combine(sink.Directory, StagingDirectoryName, name), clock.GetTimestamp());
                _files[bucket] = file;
                _order.Add(file);
            }
            if (file.Stream is null)
            {
                while (_open.Count >= Math.Max(1, sink.MaxOpenBuckets))
                {
                    Close(_open.Last!.Value);
                }
                // Created on first use; reopened to append after it was closed to bound the open files.
                file.Stream = new FileStream(file.InProgressPath, file.Node is null ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
                file.Bulk = bulkFiles?.Create(file.Stream);
                file.Node = _open.AddFirst(file);
            }
            else if (file.Node!.List is not null && _open.First != file.Node)
            {
                _open.Remove(file.Node);
                _open.AddFirst(file.Node);
            }
            _last = file;
            return file;
        }

        /// <summary>
        /// Flushes a bucket's file to disk and closes it (it stays in the checkpoint's files). A bulk file is finished
        /// (footer written) and cannot be reopened: its bucket's next record starts a new part file.
        /// </summary>
        private void Close(BucketFile file)
        {
            if (file.Stream is not { } stream)
            {
                return;
            }
            if (file.Bulk is { } bulk)
            {
                bulk.Finish();
                bulk.Dispose();
                file.Bulk = null;
                file.Finished = true;
            }
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            file.Stream = null;
            _open.Remove(file.Node!);
            if (ReferenceEquals(_last, file))
            {
                _last = null;
            }
        }
    }

    /// <summary>A bucket's in-progress file of the current checkpoint, open (<see cref="Stream"/> set) or closed to bound the open files.</summary>
    private sealed class BucketFile(string bucket, int index, int part, string inProgressPath, long createdAt)
    {
        public string Bucket { get; } = bucket;

        /// <summary>Its position among the writer's files of the checkpoint (names the staged file).</summary>
        public int Index { get; } = index;

        /// <summary>How many files of the same bucket the checkpoint had before this one (names the committed file).</summary>
        public int Part { get; } = part;

        /// <summary>When it was created, as a timestamp of the sink context's clock (for the rollover interval).</summary>
        public long CreatedAt { get; } = createdAt;

        /// <summary>The bytes written to a line-format file (for size-based rolling).</summary>
        public long Bytes { get; set; }

        /// <summary>Whether the file takes no more records: rolled, or a bulk file closed early; its bucket's next record starts a new file.</summary>
        public bool Finished { get; set; }

        /// <summary>The bulk-format writer while the file is open; null for line formats.</summary>
        public IBulkPartWriter<T>? Bulk { get; set; }

        public string InProgressPath { get; } = inProgressPath;

        public FileStream? Stream { get; set; }

        /// <summary>Its node in the writer's list of open files; null until first opened (then kept, also while closed).</summary>
        public LinkedListNode<BucketFile>? Node { get; set; }
    }
}

/// <summary>
/// Chooses the bucket (a relative directory, <c>""</c> for the sink's root) of each record of one
/// <see cref="PartFileSink{T}"/> writer, and the body to write. Used on the writer's thread only.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal interface IPartFileBucketer<T>
{
    /// <summary>
    /// The bucket of <paramref name="value"/>: a relative path with '/' separators whose segments are neither empty
    /// nor '.' or '..'; the same string instance for the same bucket keeps the writer's lookup cheap.
    /// </summary>
    /// <param name="value">The record.</param>
    /// <param name="body">What to serialize into the bucket's file (may be a buffer reused for the next record).</param>
    string BucketOf(T value, out T body);
}
