using Confluent.Kafka;

namespace Sluice.Connectors.Kafka;

/// <summary>Producer settings and the produce loop shared by the sink writers.</summary>
internal static class KafkaProducers
{
    /// <summary>Connection properties, then the user's producer properties, then the settings the guarantees rely on.</summary>
    public static Dictionary<string, string> ProducerConfig(KafkaConnectionOptions connection, IReadOnlyDictionary<string, string>? producerProperties, string partitioner)
    {
        var config = connection.ToConfig();
        if (producerProperties is not null)
        {
            foreach (var (key, value) in producerProperties)
            {
                config[key] = value;
            }
        }
        config.TryAdd("linger.ms", "5");
        config["partitioner"] = partitioner;
        config["enable.idempotence"] = "true";
        config["acks"] = "all";
        return config;
    }

    /// <summary>
    /// Enqueues <paramref name="message"/>; when librdkafka's local queue is full, waits for deliveries to make room
    /// (backpressure) instead of failing.
    /// </summary>
    public static void ProduceWithBackpressure(IProducer<byte[]?, byte[]?> producer, string topic, Message<byte[]?, byte[]?> message,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
