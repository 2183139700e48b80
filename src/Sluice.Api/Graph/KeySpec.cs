namespace Sluice.Graph;

/// <summary>How a keyed input extracts and hashes the key of a record.</summary>
internal abstract class KeySpec
{
    /// <summary>The key's type.</summary>
    public abstract Type KeyType { get; }
}

/// <summary>Key extraction for records of type <typeparamref name="T"/>; what an exchange needs to route a record.</summary>
/// <typeparam name="T">Record type.</typeparam>
internal abstract class KeySpec<T> : KeySpec
{
    /// <summary>The stable hash of the record's key.</summary>
    public abstract int HashOf(T value);
}

/// <summary>Typed key extraction.</summary>
/// <typeparam name="T">Record type.</typeparam>
/// <typeparam name="TKey">Key type.</typeparam>
internal sealed class KeySpec<T, TKey> : KeySpec<T>
{
    /// <summary>Creates a key spec.</summary>
    public KeySpec(Func<T, TKey> selector, IKeyHasher<TKey> hasher)
    {
        Selector = selector;
        Hasher = hasher;
    }

    /// <summary>Extracts the key; must be deterministic and never return null.</summary>
    public Func<T, TKey> Selector { get; }

    /// <summary>Stable hash of keys.</summary>
    public IKeyHasher<TKey> Hasher { get; }

    /// <inheritdoc />
    public override Type KeyType => typeof(TKey);

    /// <inheritdoc />
    public override int HashOf(T value) => Hasher.Hash(Selector(value));
}
