using System.Text.Json.Serialization.Metadata;
using Sluice.Formats;
using Sluice.Graph;
using Sluice.Sources;

namespace Sluice;

/// <summary>
/// Where a job is defined: sources are created here, transformations chain off the returned streams, and sinks
/// register themselves. Execute it with <c>ExecuteAsync</c> (Sluice.Runtime). Not thread-safe: build a job on one
/// thread.
/// </summary>
public sealed class StreamEnvironment
{
    private readonly List<Transformation> _sinks = [];

    private StreamEnvironment(JobOptions options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The job's settings.</summary>
    public JobOptions Options { get; }

    /// <summary>The sinks registered so far: the roots from which the planner walks the graph.</summary>
    internal IReadOnlyList<Transformation> Sinks => _sinks;

    /// <summary>Creates an environment.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static StreamEnvironment Create(JobOptions? options = null) => new(options ?? new JobOptions());

    /// <summary>A stream from any source. Without a watermark strategy, event-time windows fire only at the end of bounded input.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public DataStream<T> FromSource<T>(ISource<T> source, WatermarkStrategy<T>? watermarks = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var node = new SourceTransformation<T>(name ?? source.GetType().Name.Split('`')[0], source, watermarks ?? WatermarkStrategy<T>.NoWatermarks());
        return new DataStream<T>(this, node);
    }

    /// <summary>A bounded stream of <paramref name="items"/> in order (non-parallel).</summary>
    public DataStream<T> FromCollection<T>(IEnumerable<T> items, WatermarkStrategy<T>? watermarks = null) =>
        FromSource(new CollectionSource<T>(items), watermarks, "Collection");

    /// <summary>A stream over an async sequence (non-parallel); bounded when the sequence ends.</summary>
    public DataStream<T> FromAsyncEnumerable<T>(IAsyncEnumerable<T> items, WatermarkStrategy<T>? watermarks = null) =>
        FromSource(new AsyncEnumerableSource<T>(items), watermarks, "AsyncEnumerable");

    /// <summary>Records generated at <paramref name="recordsPerSecond"/> from their index; bounded when <paramref name="count"/> is given.</summary>
    public DataStream<T> Generate<T>(double recordsPerSecond, Func<long, T> generator, long? count = null, WatermarkStrategy<T>? watermarks = null) =>
        FromSource(new RateSource<T>(recordsPerSecond, generator, count), watermarks, "Generator");

    /// <summary>Records parsed from a JSON-lines file; malformed lines go to <see cref="DeadLetters.Tag"/>.</summary>
    public DataStream<T> FromJsonLines<T>(string path, WatermarkStrategy<T>? watermarks = null, JsonTypeInfo<T>? typeInfo = null) =>
        FromSource(new JsonLinesFileSource<T>(path, typeInfo), watermarks, $"JsonLines({Path.GetFileName(path)})");

    /// <summary>
    /// Records read one per line of <paramref name="path"/> by <paramref name="deserializer"/> (see
    /// <see cref="FileSource{T}"/>): for rows, <c>MessageDeserializers.Rows(RowFormats.Csv.CreateDeserializer(schema))</c>.
    /// Lines it rejects go to <see cref="DeadLetters.Tag"/> with the line number, reason and field path.
    /// </summary>
    public DataStream<T> FromFile<T>(string path, IMessageDeserializer<T> deserializer, WatermarkStrategy<T>? watermarks = null) =>
        FromSource(new FileSource<T>(path, deserializer), watermarks, $"File({Path.GetFileName(path)})");

    internal void AddSink(Transformation sink) => _sinks.Add(sink);
}
