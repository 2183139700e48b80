namespace Sluice;

/// <summary>Receives the records a function emits. Not thread-safe; valid only during the call it was passed to.</summary>
/// <typeparam name="T">The record type.</typeparam>
public interface ICollector<in T>
{
    /// <summary>Emits one record with the timestamp of the record (or timer, or window) being processed.</summary>
    void Collect(T value);
}

/// <summary>
/// Identifies a side output: a second stream of records an operator emits besides its main output (late records,
/// invalid input, alerts). Tags are compared by <see cref="Id"/>.
/// </summary>
/// <typeparam name="T">The side output's record type.</typeparam>
public sealed class OutputTag<T> : IEquatable<OutputTag<T>>
{
    /// <summary>Creates a tag.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public OutputTag(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    /// <summary>The tag's name; unique per operator.</summary>
    public string Id { get; }

    /// <inheritdoc />
    public bool Equals(OutputTag<T>? other) => other is not null && other.Id == Id;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OutputTag<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => $"OutputTag<{typeof(T).Name}>({Id})";
}
