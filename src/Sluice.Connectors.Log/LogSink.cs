using Sluice.Log;
using Sluice.Sinks;

namespace Sluice.Connectors.Log;

/// <summary>
/// Writes a stream to a topic of the embedded log. Each record's key (from the <see cref="ILogSerializer{T}"/>)
/// picks the partition with Kafka's default partitioner (murmur2; records without key go sticky through the topic's
/// <see cref="TopicLog.Partitioner"/>); records are batched per partition and appended when a batch is full, when
/// <see cref="LogSinkOptions.Linger"/> elapses, and on flush (end of input). Parallel writers append concurrently
/// (the log is thread-safe); per writer and key, order is preserved.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Guarantees: at-least-once — a record is in the log once the writer's flush returned; an append failure surfaces
/// as an exception that fails the job, never swallowed. Records buffered when a job fails are not written (the
/// replay from the source's positions writes them again). Ownership: the <see cref="PartitionedLog"/> stays the
/// caller's. Immutable and thread-safe.
/// </remarks>
public sealed class LogSink<T> : ISink<T>
{
    /// <summary>Creates a sink.</summary>
    /// <param name="log">The open log (owned by the caller).</param>
    /// <param name="topic">An existing topic.</param>
    /// <param name="serializer">Produces key and value bytes; see <see cref="LogSerializers"/>.</param>
    /// <param name="options">Batching settings; null = defaults.</param>
    /// <exception cref="ArgumentException">The topic does not exist or an option is invalid.</exception>
    public LogSink(PartitionedLog log, string topic, ILogSerializer<T> serializer, LogSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(serializer);
        options ??= new LogSinkOptions();
        options.Validate();
        if (!log.TryGetTopic(topic, out TopicLog? topicLog))
        {
            throw new ArgumentException($"Topic '{topic}' does not exist in the log at '{log.DataDirectory}'. Create it first (PartitionedLog.CreateTopic or 'sluice log topics create {topic}').", nameof(topic));
        }
        Log = log;
        TopicLog = topicLog;
        Serializer = serializer;
        Options = options;
    }

    /// <summary>The log written to.</summary>
    public PartitionedLog Log { get; }

    /// <summary>The topic written to.</summary>
    public string Topic => TopicLog.Name;

    /// <summary>The settings.</summary>
    public LogSinkOptions Options { get; }

    internal TopicLog TopicLog { get; }

    internal ILogSerializer<T> Serializer { get; }

    /// <summary>Unlimited (0): any number of writers may append.</summary>
    public int MaxParallelism => 0;

    /// <summary>Creates the writer of one subtask; its linger timer runs on <see cref="SinkContext.TimeProvider"/>.</summary>
    /// <param name="context">The subtask's context.</param>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new LogSinkWriter<T>(this, context);
    }

    /// <inheritdoc />
    public override string ToString() => $"LogSink({Topic})";
}
