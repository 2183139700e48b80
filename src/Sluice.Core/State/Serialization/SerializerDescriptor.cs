namespace Sluice.State.Serialization;

/// <summary>
/// What a checkpoint records about the serializer that wrote a piece of state: its format id and version. Restore
/// compares it with the current serializer's (<see cref="EnsureReadableBy"/>) and passes <see cref="Version"/> to
/// <see cref="IStateSerializer{T}.Read"/>.
/// </summary>
/// <param name="FormatId">The serializer's <see cref="IStateSerializer{T}.FormatId"/>.</param>
/// <param name="Version">The serializer's <see cref="IStateSerializer{T}.Version"/>.</param>
public readonly record struct SerializerDescriptor(string FormatId, int Version)
{
    /// <summary>Describes <paramref name="serializer"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="serializer"/> is null.</exception>
    public static SerializerDescriptor Of<T>(IStateSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        return new SerializerDescriptor(serializer.FormatId, serializer.Version);
    }

    /// <summary>
    /// Checks that state written as described by this (stored) descriptor can be read by <paramref name="current"/>:
    /// the format ids are equal and the stored version is between 1 and the current version.
    /// </summary>
    /// <param name="current">The descriptor of the serializer that will read the state.</param>
    /// <param name="stateName">The state's name (operator and state), for the error message.</param>
    /// <exception cref="StateFormatException">The state cannot be read by that serializer.</exception>
    public void EnsureReadableBy(SerializerDescriptor current, string stateName)
    {
        if (!string.Equals(FormatId, current.FormatId, StringComparison.Ordinal))
        {
            throw new StateFormatException(
                $"State '{stateName}' was checkpointed in format '{FormatId}' but its serializer now writes '{current.FormatId}'. " +
                "Restore with the type and serializer that wrote the checkpoint, or start without restoring this state.");
        }
        if (Version < 1 || Version > current.Version)
        {
            throw new StateFormatException(
                $"State '{stateName}' was checkpointed with version {Version} of format '{FormatId}', but this build reads " +
                $"versions 1 to {current.Version}. Restore with the release that wrote the checkpoint or a newer one.");
        }
    }

    /// <summary>Writes this descriptor: the format id as a string (<see cref="StateWriter.WriteString"/>) then the version as a varint.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="FormatId"/> is null (a default instance) or the version is negative.</exception>
    public void WriteTo(StateWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (FormatId is null || Version < 0)
        {
            throw new InvalidOperationException("A serializer descriptor needs a format id and a non-negative version.");
        }
        output.WriteString(FormatId);
        output.WriteVarInt32((uint)Version);
    }

    /// <summary>Reads a descriptor written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="StateFormatException">The bytes are truncated or not a descriptor.</exception>
    public static SerializerDescriptor ReadFrom(StateReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var start = input.Position;
        var formatId = input.ReadString();
        var version = input.ReadVarInt32();
        if (string.IsNullOrEmpty(formatId) || version > int.MaxValue)
        {
            throw new StateFormatException($"Invalid state: serializer descriptor at offset {start} has no format id or a bad version.");
        }
        return new SerializerDescriptor(formatId, (int)version);
    }
}
