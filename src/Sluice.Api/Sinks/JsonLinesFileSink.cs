using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.Sinks;

/// <summary>
/// Writes one JSON document per line to a UTF-8 file, replacing it. Non-parallel. Records are visible in the file
/// once flushed (at the end of input); a crash may leave a partial last line.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class JsonLinesFileSink<T> : ISink<T>
{
    private readonly string _path;
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates the sink.</summary>
    /// <param name="path">The output file; its directory is created if missing.</param>
    /// <param name="typeInfo">Source-generated (or reflection) metadata for <typeparamref name="T"/>; null uses web defaults.</param>
    public JsonLinesFileSink(string path, JsonTypeInfo<T>? typeInfo = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _typeInfo = typeInfo ?? (JsonTypeInfo<T>)JsonSerializerOptions.Web.GetTypeInfo(typeof(T));
    }

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        return new Writer(new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16), _typeInfo);
    }

    private sealed class Writer(FileStream stream, JsonTypeInfo<T> typeInfo) : ISinkWriter<T>
    {
        private readonly Utf8JsonWriter _json = new(stream);

        public void Write(T value, long timestamp)
        {
            JsonSerializer.Serialize(_json, value, typeInfo);
            _json.Flush();
            _json.Reset();
            stream.WriteByte((byte)'\n');
        }

        public void Flush()
        {
            _json.Flush();
            stream.Flush(flushToDisk: true);
        }

        public void Dispose()
        {
            _json.Dispose();
            stream.Dispose();
        }
    }
}
