namespace Sluice.Connectors.Log;

/// <summary>What kind of caller mistake a <see cref="DeadLetterQueueException"/> reports (the REST API maps it to a status).</summary>
public enum DeadLetterQueueError
{
    /// <summary>A parameter is out of range or the request is malformed (HTTP 400).</summary>
    BadRequest,

    /// <summary>No such dead-letter topic, partition or record (HTTP 404).</summary>
    NotFound,

    /// <summary>The request conflicts with the log's state: a target topic is missing, a record is no dead letter (HTTP 409).</summary>
    Conflict,
}

/// <summary>A dead-letter request the caller can fix: one sentence naming the topic, partition, offset or parameter.</summary>
public sealed class DeadLetterQueueException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What kind of mistake it is.</param>
    /// <param name="message">One sentence naming the topic, record or parameter, and the fix.</param>
    public DeadLetterQueueException(DeadLetterQueueError error, string message)
        : base(message) => Error = error;

    /// <summary>What kind of mistake it is.</summary>
    public DeadLetterQueueError Error { get; }
}
