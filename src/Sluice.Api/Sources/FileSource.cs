using System.Text;
using Sluice.Formats;

namespace Sluice.Sources;

/// <summary>
/// A bounded, non-parallel source reading one record per line of a file, decoded by an
/// <see cref="IMessageDeserializer{T}"/> — the same serializer family as the embedded log and Kafka: JSON lines with
/// <see cref="MessageDeserializers.Json{T}"/>, rows of a csv/json/raw format with <see cref="MessageDeserializers.Rows"/>.
/// Each line (without its <c>\n</c> or <c>\r\n</c>) is a message whose topic is the file's path, partition 0, offset the
/// 1-based line number, without key or timestamp. Blank lines are skipped; a line the deserializer rejects becomes a
/// <see cref="DeadLetter"/> naming the file, the line number, the reason and the field path.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// The position is the number of lines consumed (split <c>file:&lt;file name&gt;</c>); a restore skips them, so the
/// file must not change between a checkpoint and its restore. Lines are read as bytes into a reused buffer (a UTF-8
/// byte order mark at the start is skipped): the deserializer reads them without an intermediate string.
/// </remarks>
public sealed class FileSource<T> : ISource<T>, Lineage.ILineageDataset
{
    private readonly string _path;
    private readonly IMessageDeserializer<T> _deserializer;

    /// <summary>Creates the source.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="deserializer">Decodes each line; see <see cref="MessageDeserializers"/>.</param>
    public FileSource(string path, IMessageDeserializer<T> deserializer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(deserializer);
        _path = path;
        _deserializer = deserializer;
    }

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.File(_path)];

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"Source file '{_path}' does not exist.", _path);
        }
        return new Reader(this, new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), context.BatchSize, RestoredLines(context.RestoredSplits));
    }

    /// <summary>
    /// The split: <c>file:</c> and the file's name. Not its full path, so a restore continues after the data directory
    /// moved (a cloned or relocated project); a renamed file is another input, read from its first line.
    /// </summary>
    private string SplitId => "file:" + Path.GetFileName(_path);

    /// <summary>
    /// The lines a restored reader skips. Checkpoints written before December 2026 named the split by the file's full
    /// path; such a split counts when its file name matches.
    /// </summary>
    private long RestoredLines(IReadOnlyDictionary<string, byte[]> restored)
    {
        if (SplitPositions.TryGetInt64(restored, SplitId, out var lines))
        {
            return lines;
        }
        foreach (var id in restored.Keys)
        {
            if (id.StartsWith("file:", StringComparison.Ordinal) && Path.IsPathFullyQualified(id[5..]) && "file:" + Path.GetFileName(id[5..]) == SplitId)
            {
                return SplitPositions.TryGetInt64(restored, id, out lines) ? lines : 0;
            }
        }
        return 0;
    }

    /// <summary>Reads lines; the position is the number of lines consumed.</summary>
    private sealed class Reader(FileSource<T> source, FileStream stream, int batchSize, long skip) : ISourceReader<T>, ICheckpointedSourceReader
    {
        private byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;
        private bool _endOfFile;
        private bool _started;
        private long _lineNumber;

        public int SplitCount => 1;

        string ICheckpointedSourceReader.SplitId(int split) => source.SplitId;

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_lineNumber);

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            ReadOnlySpan<byte> line;
            for (; _lineNumber < skip; _lineNumber++)
            {
                if (!TryReadLine(out _))
                {
                    return SourceStatus.Finished;
                }
            }
            for (var i = 0; i < batchSize; i++)
            {
                if (!TryReadLine(out line))
                {
                    return SourceStatus.Finished;
                }
                _lineNumber++;
                if (line.IndexOfAnyExcept(" \t"u8) < 0)
                {
                    continue;
                }
                var message = new MessageView(source._path, 0, _lineNumber, EventTime.NoTimestamp, MessageTimestampType.NotAvailable, default, false, line, true);
                if (source._deserializer.TryDeserialize(message, out var value, out var error))
                {
                    output.Collect(0, value);
                }
                else
                {
                    output.ReportDeadLetter(new DeadLetter(source._path, $"line {_lineNumber}", error.Message, DeadLetters.Truncate(Encoding.UTF8.GetString(line)), error.FieldPath)
                    {
                        Kind = error.Kind,
                        Original = line.ToArray(),
                    });
                }
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose() => stream.Dispose();

        /// <summary>The next line without its terminator (<c>\n</c> or <c>\r\n</c>); valid until the next call.</summary>
        private bool TryReadLine(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                var newline = pending.IndexOf((byte)'\n');
                if (newline >= 0 || (_endOfFile && pending.Length > 0))
                {
                    var length = newline >= 0 ? newline : pending.Length;
                    line = pending[..length];
                    if (line.Length > 0 && line[^1] == '\r')
                    {
                        line = line[..^1];
                    }
                    _start += newline >= 0 ? length + 1 : length;
                    return true;
                }
                if (_endOfFile)
                {
                    line = default;
                    return false;
                }
                Fill();
            }
        }

        private void Fill()
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
            }
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfFile = true;
                return;
            }
            _end += read;
            if (!_started)
            {
                _started = true;
                if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8))
                {
                    _start = 3;
                }
            }
        }
    }
}
