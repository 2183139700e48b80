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
/// Requirement: one job per directory (the staging area is shared by its subtasks and cleaned on every start).
/// The sink object keeps the restored checkpoint id between <see cref="AbortPending"/> and the writers' creation,
/// so it must not be shared by two jobs. Thread-safe otherwise.
/// </para>
/// </remarks>
public class PartFileSink<T> : ITwoPhaseSink<T>
{
    /// <summary>The sub-directory holding staged and in-progress files.</summary>
    public const string StagingDirectoryName = ".staging";

    private const byte CommittableVersion = 1;
    private const string InProgressSuffix = ".inprogress";
    private const string StagedSuffix = ".staged";
    private readonly IMessageSerializer<T> _serializer;
    private long _restoredCheckpointId;

    /// <summary>Creates the sink.</summary>
    /// <param name="directory">The output directory; created if missing.</param>
    /// <param name="serializer">Encodes each record's value (called on the subtask's thread).</param>
    /// <param name="extension">The committed files' extension, with its dot (<c>.jsonl</c>, <c>.csv</c>).</param>
    public PartFileSink(string directory, IMessageSerializer<T> serializer, string extension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentException.ThrowIfNullOrWhiteSpace(extension);
        if (extension[0] != '.' || extension.IndexOfAny(['/', '\\', '*', '?']) >= 0)
        {
            throw new ArgumentException($"The part files' extension must start with '.' and name no path (got '{extension}').", nameof(extension));
        }
        Directory = Path.GetFullPath(directory);
        _serializer = serializer;
        Extension = extension;
    }

    /// <summary>The committed files' extension, with its dot.</summary>
    public string Extension { get; }

    /// <summary>The output directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>Unlimited (0): each subtask writes its own part files.</summary>
    public int MaxParallelism => 0;

    /// <summary>The committed part files in <paramref name="directory"/>, ordered by name (subtask, then checkpoint).</summary>
    /// <param name="directory">A directory written by this sink.</param>
    /// <param name="extension">The files' extension, with its dot.</param>
    public static IReadOnlyList<string> CommittedFiles(string directory, string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }
        var files = System.IO.Directory.GetFiles(directory, "part-*" + extension);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Creates the writer of one subtask; called on the subtask's thread after <see cref="AbortPending"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, StagingDirectoryName));
        return new Writer(this, context.SubtaskIndex, Volatile.Read(ref _restoredCheckpointId));
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
        var (staged, final) = Decode(committable);
        var stagedPath = Path.Combine(Directory, StagingDirectoryName, staged);
        var finalPath = Path.Combine(Directory, final);
        if (File.Exists(stagedPath))
        {
            // rename(2) replaces atomically: a reader sees the old or the new file, never a partial one.
            File.Move(stagedPath, finalPath, overwrite: true);
            AtomicFile.SyncDirectory(Directory);
            return;
        }
        if (!File.Exists(finalPath))
        {
            throw new IOException($"Cannot commit checkpoint #{checkpointId} of subtask {subtaskIndex} into '{Directory}': neither the staged file '{stagedPath}' nor the committed file '{finalPath}' exists.");
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

    private static byte[] Encode(string staged, string final)
    {
        var stagedBytes = Encoding.UTF8.GetBytes(staged);
        var finalBytes = Encoding.UTF8.GetBytes(final);
        var buffer = new byte[1 + 4 + stagedBytes.Length + 4 + finalBytes.Length];
        buffer[0] = CommittableVersion;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), stagedBytes.Length);
        stagedBytes.CopyTo(buffer.AsSpan(5));
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(5 + stagedBytes.Length), finalBytes.Length);
        finalBytes.CopyTo(buffer.AsSpan(9 + stagedBytes.Length));
        return buffer;
    }

    private static (string Staged, string Final) Decode(byte[] committable)
    {
        try
        {
            if (committable[0] != CommittableVersion)
            {
                throw new InvalidDataException($"Unknown part-file committable version {committable[0]}.");
            }
            var stagedLength = BinaryPrimitives.ReadInt32LittleEndian(committable.AsSpan(1));
            var staged = Encoding.UTF8.GetString(committable, 5, stagedLength);
            var finalLength = BinaryPrimitives.ReadInt32LittleEndian(committable.AsSpan(5 + stagedLength));
            var final = Encoding.UTF8.GetString(committable, 9 + stagedLength, finalLength);
            if (Path.GetFileName(staged) != staged || Path.GetFileName(final) != final)
            {
                throw new InvalidDataException("A part-file committable names a path outside the sink's directory.");
            }
            return (staged, final);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new InvalidDataException("A part-file committable is truncated.", e);
        }
    }

    private sealed class Writer(PartFileSink<T> sink, int subtask, long restoredCheckpointId) : ITwoPhaseSinkWriter<T>
    {
        private long _previousCheckpoint = restoredCheckpointId;
        private readonly ArrayBufferWriter<byte> _value = new(4096);
        private FileStream? _stream;
        private string? _inProgressPath;

        private long Sequence => _previousCheckpoint + 1;

        public void Write(T value, long timestamp)
        {
            _value.ResetWrittenCount();
            if (!sink._serializer.TryWriteValue(value, _value))
            {
                throw new InvalidOperationException($"The serializer wrote no value (a tombstone) for a record of subtask {subtask} into '{sink.Directory}'; a part file cannot hold a record without value.");
            }
            if (_stream is null)
            {
                Open();
            }
            _stream!.Write(_value.WrittenSpan);
            _stream.WriteByte((byte)'\n');
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            if (_stream is null)
            {
                _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
                return [];
            }
            var staged = string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{Sequence}{StagedSuffix}");
            // The final snapshot (end of input) has no checkpoint id of its own yet (it comes as long.MaxValue): name its
            // file by the writer's sequence instead, which is above every id this run used and below every id a run
            // restored from the final checkpoint will use — a fixed name would let that run's final commit replace it.
            var final = checkpointId == long.MaxValue
                ? string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{Sequence:D10}{sink.Extension}")
                : string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{checkpointId:D10}{sink.Extension}");
            CloseFile();
            var staging = Path.Combine(sink.Directory, StagingDirectoryName);
            File.Move(_inProgressPath!, Path.Combine(staging, staged), overwrite: true);
            AtomicFile.SyncDirectory(staging);
            _inProgressPath = null;
            _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
            return Encode(staged, final);
        }

        public void Flush()
        {
            _stream?.Flush(flushToDisk: false);
        }

        public void Dispose()
        {
            // An open in-progress file belongs to a checkpoint that will never complete: the next start deletes it.
            _stream?.Dispose();
        }

        private void Open()
        {
            _inProgressPath = Path.Combine(sink.Directory, StagingDirectoryName,
                string.Create(CultureInfo.InvariantCulture, $"part-{subtask}-{Sequence}{InProgressSuffix}"));
            _stream = new FileStream(_inProgressPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        }

        private void CloseFile()
        {
            _stream!.Flush(flushToDisk: true);
            _stream.Dispose();
            _stream = null;
        }
    }
}
