namespace Sluice.Orchestration;

/// <summary>A topic sensor's source cannot answer as configured (unknown topic or partition, a locked log…).</summary>
public sealed class TopicProbeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TopicProbeException()
    {
    }

    /// <summary>Creates the exception with a message naming the topic, partition and fix.</summary>
    public TopicProbeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TopicProbeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
