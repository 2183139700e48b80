using System.Diagnostics.CodeAnalysis;

namespace Sluice.Connectors.Kafka.Serialization;

/// <summary>
/// Turns one consumed Kafka record into a <typeparamref name="T"/>. Runs on the source reader's poll thread, once per
/// record, so it should allocate no more than the result needs.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Contract: return false with a one-sentence <c>error</c> for a record that cannot be decoded — the source turns it
/// into a <see cref="DeadLetter"/> naming topic/partition/offset and continues. Throwing fails the job; reserve it for
/// bugs, not bad data. One instance is shared by all readers of a source (each on its own poll thread), so keep it
/// stateless or thread-safe.
/// </remarks>
public interface IKafkaDeserializer<T>
{
    /// <summary>Decodes <paramref name="message"/>.</summary>
    /// <param name="message">The record: topic, partition, offset, timestamp, key, value, headers.</param>
    /// <param name="value">The decoded record when the method returns true.</param>
    /// <param name="error">Why the record cannot be decoded, when the method returns false.</param>
    /// <returns>True when decoded.</returns>
    bool TryDeserialize(in KafkaMessageView message, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? error);
}
