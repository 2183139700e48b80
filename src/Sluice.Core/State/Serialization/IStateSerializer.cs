namespace Sluice.State.Serialization;

/// <summary>
/// Writes and reads values of <typeparamref name="T"/> in checkpoints. A serializer's bytes are part of the
/// checkpoint format: once a checkpoint written with <see cref="FormatId"/> and <see cref="Version"/> exists, a later
/// release must still read it — bump <see cref="Version"/> when the encoding changes and keep reading older versions.
/// Implementations are stateless and thread-safe.
/// </summary>
/// <remarks>
/// Values are concatenated with no separators, so an encoding must be self-delimiting: <see cref="Read"/> consumes
/// exactly the bytes <see cref="Write"/> appended. Built-in serializers come from <see cref="StateSerializers.For{T}"/>;
/// custom ones are installed with <see cref="StateSerializers.Register{T}"/>.
/// </remarks>
/// <typeparam name="T">The value type.</typeparam>
public interface IStateSerializer<T>
{
    /// <summary>Stable name of the encoding (e.g. <c>int64</c>, <c>utf8</c>, <c>json</c>, <c>tuple2(utf8,int64)</c>); stored in checkpoints.</summary>
    string FormatId { get; }

    /// <summary>Version of the encoding written by <see cref="Write"/>.</summary>
    int Version { get; }

    /// <summary>Appends <paramref name="value"/> to <paramref name="output"/>.</summary>
    void Write(StateWriter output, T value);

    /// <summary>Reads one value written by version <paramref name="version"/> of this format.</summary>
    /// <exception cref="StateFormatException">The bytes are not a valid value of that version.</exception>
    T Read(StateReader input, int version);
}

/// <summary>A checkpoint or state file could not be read: corrupt, truncated, or of an unknown format or version.</summary>
public sealed class StateFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public StateFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a default message.</summary>
    public StateFormatException() : base("The state could not be read.") { }
}
