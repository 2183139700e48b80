using System.Buffers;

namespace Sluice.Formats;

/// <summary>
/// Turns a <typeparamref name="T"/> into the key, value and headers of a message — for the embedded log and Kafka
/// alike. The key decides the partition (Kafka's murmur2 partitioner in both, so the same key lands on the same
/// partition number); a message without key is spread over partitions. Writers call it from their subtask's thread
/// into buffers they reuse, so an implementation that writes straight into the buffer allocates nothing per record.
/// One instance is shared by parallel writers: keep it stateless or thread-safe. Throwing fails the job. The built-in
/// ones are on <see cref="MessageSerializers"/>.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface IMessageSerializer<T>
{
    /// <summary>
    /// Whether <paramref name="value"/> becomes a message at all (the default: always). False drops the record: the
    /// upsert row serializer drops <c>-U</c> rows, which the following <c>+U</c> supersedes. Writers call it first and
    /// call nothing else for a dropped record.
    /// </summary>
    /// <param name="value">The record.</param>
    bool ProducesMessage(T value) => true;

    /// <summary>Writes the key of <paramref name="value"/>; returns false for a message without key (then nothing is written).</summary>
    /// <param name="value">The record.</param>
    /// <param name="key">Destination for the key bytes (empty on entry).</param>
    /// <returns>True when the message has a key.</returns>
    bool TryWriteKey(T value, IBufferWriter<byte> key);

    /// <summary>Writes the value bytes of <paramref name="value"/>; returns false for a tombstone (a message without value).</summary>
    /// <param name="value">The record.</param>
    /// <param name="destination">Destination for the value bytes (empty on entry).</param>
    /// <returns>True when the message has a value.</returns>
    bool TryWriteValue(T value, IBufferWriter<byte> destination);

    /// <summary>Headers to attach, or null for none (the default).</summary>
    /// <param name="value">The record.</param>
    IReadOnlyList<MessageHeader>? GetHeaders(T value) => null;
}
