using Confluent.Kafka;

namespace Sluice.Connectors.Kafka.Serialization;

/// <summary>
/// Turns a <typeparamref name="T"/> into a Kafka record's key, value and headers. Runs on the sink writer's thread,
/// once per record. The key decides the partition (see <see cref="KafkaSinkOptions.Partitioner"/>); a null key
/// spreads records over partitions. Throwing fails the job. One instance is shared by all writers of a sink
/// (each on its own thread): keep it stateless or thread-safe. The returned arrays are owned by the producer.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface IKafkaSerializer<T>
{
    /// <summary>The key bytes of <paramref name="value"/>, or null for no key.</summary>
    byte[]? SerializeKey(T value);

    /// <summary>The value bytes of <paramref name="value"/>; null writes a tombstone.</summary>
    byte[]? SerializeValue(T value);

    /// <summary>Headers to attach, or null for none. The default attaches none.</summary>
    Headers? SerializeHeaders(T value) => null;
}
