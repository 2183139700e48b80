namespace Sluice.Formats;

/// <summary>
/// A decoded message with its metadata, for jobs that need more than the value (key, headers, position, timestamp
/// type). Produced by <see cref="MessageDeserializers.WithMetadata{T}"/>, whichever connector read it. Immutable; key
/// and header bytes are owned by the record.
/// </summary>
/// <typeparam name="T">Value type.</typeparam>
/// <param name="Topic">Topic the message was read from.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="TimestampMs">The message's timestamp, Unix milliseconds.</param>
/// <param name="TimestampType">Who set the timestamp.</param>
/// <param name="Key">Key bytes, or null for a message without key.</param>
/// <param name="Headers">Headers in stored order (empty when none).</param>
/// <param name="Value">The decoded value; default when <paramref name="IsTombstone"/>.</param>
/// <param name="IsTombstone">True when the message has no value.</param>
public sealed record ConsumedMessage<T>(
    string Topic,
    int Partition,
    long Offset,
    long TimestampMs,
    MessageTimestampType TimestampType,
    byte[]? Key,
    IReadOnlyList<MessageHeader> Headers,
    T? Value,
    bool IsTombstone);
