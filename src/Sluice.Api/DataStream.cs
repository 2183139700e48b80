using System.Text.Json.Serialization.Metadata;
using Sluice.Connectors;
using Sluice.Formats;
using Sluice.Graph;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice;

/// <summary>
/// A stream of records of type <typeparamref name="T"/> in a job being built. Every method adds a node and returns
/// the new stream; nothing runs until the environment is executed.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class DataStream<T>
{
    internal DataStream(StreamEnvironment environment, Transformation<T> transformation)
    {
        Environment = environment;
        Transformation = transformation;
    }

    /// <summary>The environment the stream belongs to.</summary>
    public StreamEnvironment Environment { get; }

    /// <summary>The logical node producing this stream.</summary>
    internal Transformation<T> Transformation { get; }

    private StreamInput Input => new(Transformation, null);

    /// <summary>Transforms each record into exactly one record.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="map"/> is null.</exception>
    public DataStream<TOut> Map<TOut>(Func<T, TOut> map, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Next(new MapTransformation<T, TOut>(name ?? "Map", Input, map));
    }

    /// <summary>Keeps the records for which <paramref name="predicate"/> is true.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public DataStream<T> Filter(Func<T, bool> predicate, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Next(new FilterTransformation<T>(name ?? "Filter", Input, predicate));
    }

    /// <summary>Transforms each record into zero or more records, emitted through the collector.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="flatMap"/> is null.</exception>
    public DataStream<TOut> FlatMap<TOut>(Action<T, ICollector<TOut>> flatMap, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(flatMap);
        return Next(new FlatMapTransformation<T, TOut>(name ?? "FlatMap", Input, flatMap));
    }

    /// <summary>Runs a process function (with side outputs) on each record. Each subtask uses a shallow copy of <paramref name="function"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public DataStream<TOut> Process<TOut>(ProcessFunction<T, TOut> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Next(new ProcessTransformation<T, TOut>(name ?? function.GetType().Name, Input, function));
    }

    /// <summary>
    /// Adds an operator of your own (Flink's <c>transform</c>): <paramref name="operatorFactory"/> makes one
    /// <see cref="Operators.OneInputStreamOperator{TIn, TOut}"/> per subtask (and again for every restart), which then
    /// runs on the same lifecycle, chaining, checkpoints and restore as the built-in operators. For keyed state and
    /// timers use <see cref="KeyedStream{TKey, T}.Transform{TOut}"/>.
    /// </summary>
    /// <param name="name">The operator's display name (errors, metrics, plans).</param>
    /// <param name="operatorFactory">Returns a new operator instance on every call; never a shared one.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public DataStream<TOut> Transform<TOut>(string name, Func<Operators.OneInputStreamOperator<T, TOut>> operatorFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(operatorFactory);
        return Next(new OneInputOperatorTransformation<T, TOut>(name, Input, operatorFactory));
    }

    /// <summary>
    /// Joins each record with the rows of its key in an external table, looked up asynchronously and in batches (Flink's
    /// async I/O / async lookup join): <paramref name="key"/> makes the record's key (a row of the source's
    /// <see cref="IAsyncLookupSource.KeySchema"/>), the cache or one batched request answers it, and
    /// <paramref name="join"/> makes one output per row found — or one with null for a key without rows (a left join;
    /// an inner join drops the record). Capacity, batching, ordering, timeout, retries, cache and the timeout policy come
    /// from <paramref name="options"/>.
    /// </summary>
    /// <remarks>
    /// Exactly-once with checkpoints: the operator drains its in-flight lookups before every checkpoint barrier, so a
    /// checkpoint holds no half-joined record and a restore neither loses nor repeats one. Watermarks keep their place
    /// in both output modes (see <see cref="AsyncLookupOutputMode"/>). Counters: <c>sluice.lookup.cache.hits</c>,
    /// <c>sluice.lookup.cache.misses</c>, <c>sluice.lookup.requests</c>, <c>sluice.lookup.retries</c>,
    /// <c>sluice.lookup.timeouts</c>.
    /// </remarks>
    /// <param name="source">Makes one lookup source per subtask and job attempt (a new instance each call).</param>
    /// <param name="key">The record's key: a new row of the source's key schema per call (it is kept while in flight and as a cache key), never null.</param>
    /// <param name="join">The output for the record and one row found (null when none was found, in a left join).</param>
    /// <param name="options">Null for the defaults of <see cref="AsyncLookupOptions"/>.</param>
    /// <param name="name">The operator's name; "LookupAsync" by default.</param>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="AsyncLookupOptions.Validate"/>).</exception>
    public DataStream<TOut> LookupAsync<TOut>(Func<IAsyncLookupSource> source, Func<T, Row> key, Func<T, Row?, TOut> join, AsyncLookupOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(join);
        options ??= new AsyncLookupOptions();
        options.Validate();
        return Transform(name ?? "LookupAsync", () => new AsyncLookupOperator<T, TOut>(source, key, join, options));
    }

    /// <summary>Merges this stream with others of the same type; order between streams is not defined.</summary>
    /// <exception cref="ArgumentException">A stream belongs to another environment.</exception>
    public DataStream<T> Union(params DataStream<T>[] others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var inputs = new List<StreamInput> { Input };
        foreach (var other in others)
        {
            ArgumentNullException.ThrowIfNull(other, nameof(others));
            if (other.Environment != Environment)
            {
                throw new ArgumentException("Cannot union streams of different environments.", nameof(others));
            }
            inputs.Add(other.Input);
        }
        return new DataStream<T>(Environment, new UnionTransformation<T>(inputs));
    }

    /// <summary>
    /// Partitions the stream by key: records with equal keys go to the same subtask, and keyed state and timers are
    /// scoped to the key. The key's hash must be stable across processes (see <see cref="IKeyHasher{TKey}"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is null.</exception>
    /// <exception cref="NotSupportedException">No stable hasher exists for <typeparamref name="TKey"/> and none was given.</exception>
    public KeyedStream<TKey, T> KeyBy<TKey>(Func<T, TKey> keySelector, IKeyHasher<TKey>? hasher = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        return new KeyedStream<TKey, T>(this, new KeySpec<T, TKey>(keySelector, hasher ?? KeyHasher.For<TKey>()));
    }

    /// <summary>The records this stream's operator emitted to the side output <paramref name="tag"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is null.</exception>
    public DataStream<TSide> GetSideOutput<TSide>(OutputTag<TSide> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return new DataStream<TSide>(Environment, new SideOutputTransformation<TSide>(Transformation, tag));
    }

    /// <summary>Sets how many parallel subtasks run this stream's operator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of [1, KeyGroupCount] or above the operator's maximum.</exception>
    /// <exception cref="InvalidOperationException">The stream is a union or side output (no operator of its own).</exception>
    public DataStream<T> SetParallelism(int parallelism)
    {
        ApplyParallelism(Transformation, parallelism, Environment.Options);
        return this;
    }

    /// <summary>Renames this stream's operator (names appear in errors, metrics and plans).</summary>
    public DataStream<T> Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Transformation.Name = name;
        return this;
    }

    /// <summary>
    /// Gives this stream's operator a stable id under which its state is checkpointed, so the job can be changed (operators
    /// added elsewhere) and still restore it. Unique per job.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stream is a union or side output.</exception>
    public DataStream<T> Uid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        if (Transformation.IsVirtual)
        {
            throw new InvalidOperationException($"'{Transformation.Name}' is a union or side output and has no state of its own; set the uid on the operator that produces it.");
        }
        Transformation.Uid = uid;
        return this;
    }

    /// <summary>Writes the stream to <paramref name="sink"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> is null.</exception>
    public DataStreamSink<T> SinkTo(ISink<T> sink, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var node = new SinkTransformation<T>(name ?? sink.GetType().Name.Split('`')[0], Input, sink);
        Environment.AddSink(node);
        return new DataStreamSink<T>(node, Environment.Options);
    }

    /// <summary>Collects the stream in memory; read the returned sink's items after the job ran.</summary>
    public CollectSink<T> Collect(string? name = null)
    {
        var sink = new CollectSink<T>();
        SinkTo(sink, name ?? "Collect");
        return sink;
    }

    /// <summary>Prints each record on its own line to <paramref name="writer"/> (the console by default).</summary>
    public DataStreamSink<T> Print(TextWriter? writer = null) => SinkTo(new TextWriterSink<T>(writer), "Print");

    /// <summary>Writes each record as a JSON line to <paramref name="path"/> (a <see cref="FileSink{T}"/> of <see cref="MessageSerializers.Json{T}"/>).</summary>
    public DataStreamSink<T> WriteJsonLines(string path, JsonTypeInfo<T>? typeInfo = null) =>
        SinkTo(new FileSink<T>(path, MessageSerializers.Json(typeInfo)), $"JsonLines({Path.GetFileName(path)})");

    /// <summary>
    /// Writes each record's value as one line of <paramref name="path"/>, encoded by <paramref name="serializer"/> (see
    /// <see cref="FileSink{T}"/>): for rows, <c>MessageSerializers.Rows(RowFormats.Csv.CreateSerializer(schema))</c>.
    /// </summary>
    public DataStreamSink<T> WriteFile(string path, IMessageSerializer<T> serializer) =>
        SinkTo(new FileSink<T>(path, serializer), $"File({Path.GetFileName(path)})");

    /// <summary>
    /// Writes each record as a JSON line into part files of <paramref name="directory"/>, exactly once with checkpoints
    /// (see <see cref="JsonLinesDirectorySink{T}"/>); parallel. Without checkpoints each subtask's file is committed at
    /// the end of input. Use <see cref="WriteJsonLines"/> for one plain file.
    /// </summary>
    public DataStreamSink<T> WriteJsonLinesDirectory(string directory, JsonTypeInfo<T>? typeInfo = null) =>
        SinkTo(new JsonLinesDirectorySink<T>(directory, typeInfo), $"JsonLinesDirectory({Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))})");

    /// <summary>Calls <paramref name="callback"/> for each record (concurrently when the sink is parallel).</summary>
    public DataStreamSink<T> ForEach(Action<T> callback) => SinkTo(new CallbackSink<T>(callback), "ForEach");

    internal DataStream<TOut> Next<TOut>(Transformation<TOut> node) => new(Environment, node);

    internal static void ApplyParallelism(Transformation node, int parallelism, JobOptions options)
    {
        if (node.IsVirtual)
        {
            throw new InvalidOperationException($"'{node.Name}' is a union or side output and runs no operator of its own; set the parallelism of the operator that consumes it.");
        }
        if (parallelism < 1 || parallelism > options.KeyGroupCount)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism of '{node.Name}' must be in [1, {options.KeyGroupCount}].");
        }
        if (node.MaxParallelism > 0 && parallelism > node.MaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"'{node.Name}' supports a parallelism of at most {node.MaxParallelism}.");
        }
        node.Parallelism = parallelism;
    }
}

/// <summary>A sink added to the job; lets its parallelism be set.</summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class DataStreamSink<T>
{
    private readonly SinkTransformation<T> _node;
    private readonly JobOptions _options;

    internal DataStreamSink(SinkTransformation<T> node, JobOptions options)
    {
        _node = node;
        _options = options;
    }

    /// <summary>Gives the sink a stable id under which its state (staged output) is checkpointed.</summary>
    public DataStreamSink<T> Uid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        _node.Uid = uid;
        return this;
    }

    /// <summary>Sets how many parallel writers the sink has.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range or above the sink's maximum.</exception>
    public DataStreamSink<T> SetParallelism(int parallelism)
    {
        DataStream<T>.ApplyParallelism(_node, parallelism, _options);
        return this;
    }
}
