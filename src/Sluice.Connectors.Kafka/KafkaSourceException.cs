namespace Sluice.Connectors.Kafka;

/// <summary>A Kafka source could not read: the message names the topic/partition/group and the cause; <see cref="Exception.InnerException"/> holds the client's error.</summary>
public sealed class KafkaSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KafkaSourceException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>A Kafka sink could not write: the message names the topic (and partition, transactional id) and the cause; <see cref="Exception.InnerException"/> holds the client's error.</summary>
public sealed class KafkaSinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KafkaSinkException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
