using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.Sources;

/// <summary>
/// A bounded, non-parallel source reading one JSON document per line from a UTF-8 file. Blank lines are skipped;
/// a line that does not parse becomes a <see cref="DeadLetter"/> naming the file, line number and error.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class JsonLinesFileSource<T> : ISource<T>
{
    private readonly string _path;
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates the source.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="typeInfo">Source-generated (or reflection) metadata for <typeparamref name="T"/>; null uses web defaults.</param>
    public JsonLinesFileSource(string path, JsonTypeInfo<T>? typeInfo = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _typeInfo = typeInfo ?? (JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T));
    }

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"JSON-lines source file '{_path}' does not exist.", _path);
        }
        return new Reader(this, new StreamReader(_path, System.Text.Encoding.UTF8), context.BatchSize, RestoredLines(context.RestoredSplits));
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

    /// <summary>Reads lines; the position is the number of lines consumed (a restore skips them: the file must not change).</summary>
    private sealed class Reader(JsonLinesFileSource<T> source, StreamReader reader, int batchSize, long skip) : ISourceReader<T>, ICheckpointedSourceReader
    {
        private long _lineNumber;

        public int SplitCount => 1;

        string ICheckpointedSourceReader.SplitId(int split) => source.SplitId;

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_lineNumber);

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            for (; _lineNumber < skip; _lineNumber++)
            {
                if (reader.ReadLine() is null)
                {
                    return SourceStatus.Finished;
                }
            }
            for (var i = 0; i < batchSize; i++)
            {
                var line = reader.ReadLine();
                if (line is null)
                {
                    return SourceStatus.Finished;
                }
                _lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                T? value;
                try
                {
                    value = JsonSerializer.Deserialize(line, source._typeInfo);
                }
                catch (JsonException e)
                {
                    output.ReportDeadLetter(new DeadLetter(source._path, $"line {_lineNumber}", $"Malformed JSON: {e.Message}", DeadLetters.Truncate(line)));
                    continue;
                }
                if (value is null)
                {
                    output.ReportDeadLetter(new DeadLetter(source._path, $"line {_lineNumber}", "The line is JSON null, not a record.", line));
                    continue;
                }
                output.Collect(0, value);
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose() => reader.Dispose();
    }
}
