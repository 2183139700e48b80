using System.Buffers;
using Sluice.Formats;

namespace Sluice.Sinks;

/// <summary>
/// Writes one record per line to a file, replacing it, encoded by an <see cref="IMessageSerializer{T}"/> — the same
/// serializer family as the embedded log and Kafka: JSON lines with <see cref="MessageSerializers.Json{T}"/>, rows of a
/// csv/json/raw format with <see cref="MessageSerializers.Rows"/>. Only the value is written (the key and headers are
/// not), followed by <c>\n</c>. Non-parallel; records are visible once flushed (at the end of input); a crash may leave
/// a partial last line.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// A record the serializer encodes as no value (a tombstone) cannot be written to a file: <see cref="ISinkWriter{T}.Write"/>
/// throws, failing the job, rather than dropping it. A value holding a line break (a csv field quoted across lines)
/// is written as is, and a line-based reader cannot read it back. Steady-state writes allocate nothing beyond the
/// serializer's own (the value buffer is reused).
/// </remarks>
public sealed class FileSink<T> : ISink<T>, Lineage.ILineageDataset
{
    private readonly string _path;
    private readonly IMessageSerializer<T> _serializer;

    /// <summary>Creates the sink.</summary>
    /// <param name="path">The output file; its directory is created if missing.</param>
    /// <param name="serializer">Encodes each record's value; see <see cref="MessageSerializers"/>.</param>
    public FileSink(string path, IMessageSerializer<T> serializer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(serializer);
        _path = path;
        _serializer = serializer;
    }

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets() => [Lineage.DatasetNames.File(_path)];

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        return new Writer(_path, new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16), _serializer);
    }

    private sealed class Writer(string path, FileStream stream, IMessageSerializer<T> serializer) : ISinkWriter<T>
    {
        private readonly ArrayBufferWriter<byte> _value = new(4096);

        public void Write(T value, long timestamp)
        {
            _value.ResetWrittenCount();
            if (!serializer.TryWriteValue(value, _value))
            {
                throw new InvalidOperationException($"The serializer wrote no value (a tombstone) for a record of file '{path}'; a file cannot hold a record without value.");
            }
            stream.Write(_value.WrittenSpan);
            stream.WriteByte((byte)'\n');
        }

        public void Flush() => stream.Flush(flushToDisk: true);

        public void Dispose() => stream.Dispose();
    }
}
