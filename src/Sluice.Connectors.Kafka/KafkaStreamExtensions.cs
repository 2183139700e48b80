using Sluice.Formats;
using Sluice.Sinks;

namespace Sluice.Connectors.Kafka;

/// <summary>Reads and writes Kafka topics from the DataStream API.</summary>
public static class KafkaStreamExtensions
{
    /// <summary>
    /// A stream over Kafka topics (see <see cref="KafkaSource{T}"/>): one split per partition, each with its own
    /// watermark and idleness under <paramref name="watermarks"/>; record timestamps are the Kafka records'.
    /// </summary>
    /// <param name="environment">The job's environment.</param>
    /// <param name="connection">Cluster address and pass-through client properties.</param>
    /// <param name="options">Topics, consumer group, starting position, bounded mode.</param>
    /// <param name="deserializer">Decodes records (<see cref="MessageDeserializers"/>); undecodable ones go to <see cref="DeadLetters.Tag"/>.</param>
    /// <param name="watermarks">Per-partition watermark strategy; null = no watermarks. With consumer groups, give it an idle timeout (see <see cref="KafkaSourceReader{T}"/>).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static DataStream<T> FromKafka<T>(this StreamEnvironment environment, KafkaConnectionOptions connection, KafkaSourceOptions options,
        IMessageDeserializer<T> deserializer, WatermarkStrategy<T>? watermarks = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        var source = new KafkaSource<T>(connection, options, deserializer);
        return environment.FromSource(source, watermarks, $"KafkaSource({options.TopicPattern ?? string.Join(",", options.Topics)})");
    }

    /// <summary>Writes the stream to a Kafka topic (see <see cref="KafkaSink{T}"/>).</summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="connection">Cluster address and pass-through client properties.</param>
    /// <param name="options">Topic, delivery guarantee, partitioner.</param>
    /// <param name="serializer">Produces key and value bytes (<see cref="MessageSerializers"/>).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static DataStreamSink<T> ToKafka<T>(this DataStream<T> stream, KafkaConnectionOptions connection, KafkaSinkOptions options, IMessageSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        return stream.SinkTo(new KafkaSink<T>(connection, options, serializer), $"KafkaSink({options.Topic})");
    }
}
