using System.Buffers;

namespace Sluice.Connectors.Log;

/// <summary>
/// Turns a <typeparamref name="T"/> into the key and value bytes of a log record. The key decides the partition
/// (Kafka's murmur2 partitioner, so the same key lands on the same partition number as with a Kafka producer).
/// Writers call it from their subtask's thread into buffers they reuse, so an implementation that writes straight
/// into the buffer allocates nothing per record. One instance may be shared by parallel writers: keep it stateless
/// or thread-safe. Throwing fails the job.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ILogSerializer<T>
{
    /// <summary>Writes the key of <paramref name="value"/>; returns false for a record without key (then nothing is written).</summary>
    /// <param name="value">The record.</param>
    /// <param name="key">Destination for the key bytes (empty on entry).</param>
    /// <returns>True when the record has a key; records without key are spread sticky over partitions.</returns>
    bool TryWriteKey(T value, IBufferWriter<byte> key);

    /// <summary>Writes the value bytes of <paramref name="value"/>; returns false for a tombstone (a record with a null value).</summary>
    /// <param name="value">The record.</param>
    /// <param name="destination">Destination for the value bytes (empty on entry).</param>
    /// <returns>True when the record has a value.</returns>
    bool TryWriteValue(T value, IBufferWriter<byte> destination);
}
