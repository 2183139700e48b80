using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;

namespace Sluice.Connectors.Log;

/// <summary>Reads and writes topics of the embedded log from the DataStream API.</summary>
public static class LogStreamExtensions
{
    /// <summary>
    /// A stream over <paramref name="topic"/> (see <see cref="LogSource{T}"/>): one split per partition, each with its own
    /// watermark and idleness under <paramref name="watermarks"/>; record timestamps are the log records'.
    /// </summary>
    /// <param name="environment">The job's environment.</param>
    /// <param name="log">The open log; the caller keeps it open until the job ended.</param>
    /// <param name="topic">An existing topic.</param>
    /// <param name="deserializer">Decodes records (<see cref="MessageDeserializers"/>); undecodable ones go to <see cref="DeadLetters.Tag"/>.</param>
    /// <param name="options">Starting position, bounded mode, isolation, consumer group; null = defaults.</param>
    /// <param name="watermarks">Per-partition watermark strategy; null = no watermarks.</param>
    /// <exception cref="ArgumentException">The topic does not exist or an option is invalid.</exception>
    public static DataStream<T> FromLog<T>(this StreamEnvironment environment, PartitionedLog log, string topic, IMessageDeserializer<T> deserializer,
        LogSourceOptions? options = null, WatermarkStrategy<T>? watermarks = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var source = new LogSource<T>(log, topic, deserializer, options);
        return environment.FromSource(source, watermarks, $"LogSource({topic})");
    }

    /// <summary>Writes the stream to <paramref name="topic"/> (see <see cref="LogSink{T}"/>), partitioned by the serializer's key.</summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="log">The open log; the caller keeps it open until the job ended.</param>
    /// <param name="topic">An existing topic.</param>
    /// <param name="serializer">Produces key and value bytes (<see cref="MessageSerializers"/>).</param>
    /// <param name="options">Batching settings; null = defaults.</param>
    /// <exception cref="ArgumentException">The topic does not exist or an option is invalid.</exception>
    public static DataStreamSink<T> ToLog<T>(this DataStream<T> stream, PartitionedLog log, string topic, IMessageSerializer<T> serializer, LogSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.SinkTo(new LogSink<T>(log, topic, serializer, options), $"LogSink({topic})");
    }
}
