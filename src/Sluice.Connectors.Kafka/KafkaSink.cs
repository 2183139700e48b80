using Sluice.Connectors.Kafka.Interop;
using Sluice.Connectors.Kafka.Serialization;
using Sluice.Sinks;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// Writes records to a Kafka topic, keyed by the serializer's key (Java-compatible murmur2 partitioning by default),
/// with an idempotent producer; at-least-once or exactly-once (transactions) per <see cref="KafkaSinkOptions.DeliveryGuarantee"/>.
/// Delivery errors fail the job: they are raised by the next write or by the flush at end of input.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class KafkaSink<T> : ISink<T>
{
    /// <summary>Creates the sink; nothing connects until the job starts.</summary>
    /// <param name="connection">Cluster address and pass-through client properties.</param>
    /// <param name="options">Topic, guarantee, partitioner.</param>
    /// <param name="serializer">Produces key, value and headers (<see cref="KafkaSerializers"/>).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public KafkaSink(KafkaConnectionOptions connection, KafkaSinkOptions options, IKafkaSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        connection.Validate();
        options.Validate();
        Connection = connection;
        Options = options;
        Serializer = serializer;
        KafkaNativeLibrary.EnsureResolver();
    }

    /// <summary>The connection settings.</summary>
    public KafkaConnectionOptions Connection { get; }

    /// <summary>The sink settings.</summary>
    public KafkaSinkOptions Options { get; }

    /// <summary>The serializer shared by all writers.</summary>
    public IKafkaSerializer<T> Serializer { get; }

    /// <summary>0: any parallelism.</summary>
    public int MaxParallelism => 0;

    /// <inheritdoc />
    /// <exception cref="KafkaSinkException">Exactly-once: the transactional id could not be initialized.</exception>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new KafkaSinkWriter<T>(this, context);
    }
}
