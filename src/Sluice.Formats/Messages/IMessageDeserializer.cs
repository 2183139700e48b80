using System.Diagnostics.CodeAnalysis;

namespace Sluice.Formats;

/// <summary>
/// Turns one consumed message — from the embedded log or Kafka alike — into a <typeparamref name="T"/>. Runs on the
/// source reader's thread once per message, so it should read straight from the view's spans and allocate no more
/// than the result needs. The built-in ones are on <see cref="MessageDeserializers"/>.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Contract: return false with a <see cref="FormatError"/> (one-sentence reason, and the field path when one field is
/// at fault) for a message that cannot be decoded — the source turns it into a <see cref="DeadLetter"/> naming
/// topic/partition/offset, the reason and the field path, and continues. Throwing fails the job; reserve it for bugs,
/// not bad data. The view is valid only during the call: copy what the result keeps. One instance is shared by all
/// readers of a source (each on its own thread): keep it stateless or thread-safe.
/// </remarks>
public interface IMessageDeserializer<T>
{
    /// <summary>Decodes <paramref name="message"/>.</summary>
    /// <param name="message">The message: position, timestamp, key, value, headers.</param>
    /// <param name="value">The decoded record when the method returns true.</param>
    /// <param name="error">Why the message cannot be decoded, when the method returns false.</param>
    /// <returns>True when decoded.</returns>
    bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out FormatError? error);
}
