using System.Diagnostics.CodeAnalysis;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// Turns one stored log record into a <typeparamref name="T"/>. Called on the reader's thread for every record, so
/// implementations should read straight from the view's spans and allocate no more than the result needs.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Contract: return false with a one-sentence <c>error</c> for a record that cannot be decoded — the source turns it
/// into a <see cref="DeadLetter"/> naming topic/partition/offset and continues. Throwing fails the job; reserve it for
/// bugs, not bad data. The view is valid only during the call: copy what the result keeps. A reader uses its
/// deserializer from one thread; one instance may be shared by the readers of a job, so keep it stateless or
/// thread-safe.
/// </remarks>
public interface ILogDeserializer<T>
{
    /// <summary>Decodes <paramref name="record"/>, read from <paramref name="source"/>.</summary>
    /// <param name="source">Topic and partition the record was read from.</param>
    /// <param name="record">The record: offset, timestamp, key, value, headers.</param>
    /// <param name="value">The decoded record when the method returns true.</param>
    /// <param name="error">Why the record cannot be decoded, when the method returns false.</param>
    /// <returns>True when decoded.</returns>
    bool TryDeserialize(TopicPartition source, in LogRecordView record, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? error);
}
