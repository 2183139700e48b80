using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice;

/// <summary>
/// A hash of a key that is stable across processes, machines and .NET versions. Key-group assignment (and with it
/// which subtask owns a key and where its state lives in a checkpoint) depends on it, so
/// <see cref="object.GetHashCode"/> — randomised per process for strings — must never be used.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
public interface IKeyHasher<in TKey>
{
    /// <summary>Returns the stable hash of <paramref name="key"/>; equal keys must hash equally.</summary>
    int Hash(TKey key);
}

/// <summary>Built-in stable hashers for primitive keys, strings, Guids, enums and value tuples of those.</summary>
public static class KeyHasher
{
    /// <summary>
    /// Returns the built-in stable hasher for <typeparamref name="TKey"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// The type has no built-in stable hash; key by a primitive, string, Guid, enum or value tuple of those, or
    /// pass an <see cref="IKeyHasher{TKey}"/>.
    /// </exception>
    public static IKeyHasher<TKey> For<TKey>() => Cache<TKey>.Instance ?? throw new NotSupportedException(
        $"Key type '{typeof(TKey)}' has no stable hash. Key by a primitive, string, Guid, enum or a value tuple of those " +
        "(e.g. KeyBy(x => (x.A, x.B))), or pass an IKeyHasher<TKey> to KeyBy.");

    /// <summary>True when <typeparamref name="TKey"/> has a built-in stable hasher.</summary>
    public static bool IsSupported<TKey>() => Cache<TKey>.Instance is not null;

    private static class Cache<TKey>
    {
        public static readonly IKeyHasher<TKey>? Instance = (IKeyHasher<TKey>?)Create(typeof(TKey));
    }

    private static object? Create(Type type)
    {
        if (type == typeof(string))
        { return new StringHasher(); }
        if (type == typeof(int))
        { return new Int32Hasher(); }
        if (type == typeof(long))
        { return new Int64Hasher(); }
        if (type == typeof(Guid))
        { return new GuidHasher(); }
        if (type == typeof(bool))
        { return new BooleanHasher(); }
        if (type.IsEnum || (type.IsPrimitive && type != typeof(IntPtr) && type != typeof(UIntPtr)))
        {
            return Activator.CreateInstance(typeof(BlittableHasher<>).MakeGenericType(type));
        }
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(decimal))
        {
            return Activator.CreateInstance(typeof(BlittableHasher<>).MakeGenericType(type));
        }
        if (type.IsGenericType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
        {
            var args = type.GetGenericArguments();
            var hasherType = args.Length switch
            {
                2 => typeof(TupleHasher<,>),
                3 => typeof(TupleHasher<,,>),
                4 => typeof(TupleHasher<,,,>),
                _ => null,
            };
            if (hasherType is null || Array.Exists(args, a => Create(a) is null))
            {
                return null;
            }
            return Activator.CreateInstance(hasherType.MakeGenericType(args));
        }
        return null;
    }

    private sealed class StringHasher : IKeyHasher<string>
    {
        public int Hash(string key) => (int)Murmur3.Hash(MemoryMarshal.AsBytes(key.AsSpan()));
    }

    private sealed class Int32Hasher : IKeyHasher<int>
    {
        public int Hash(int key) => key;
    }

    private sealed class Int64Hasher : IKeyHasher<long>
    {
        public int Hash(long key) => (int)(key ^ (key >>> 32));
    }

    private sealed class BooleanHasher : IKeyHasher<bool>
    {
        public int Hash(bool key) => key ? 1 : 0;
    }

    private sealed class GuidHasher : IKeyHasher<Guid>
    {
        public int Hash(Guid key)
        {
            Span<byte> bytes = stackalloc byte[16];
            key.TryWriteBytes(bytes);
            return (int)Murmur3.Hash(bytes);
        }
    }

    /// <summary>Hashes the raw bytes of an unmanaged value; stable because the layout of these types is fixed.</summary>
    private sealed class BlittableHasher<T> : IKeyHasher<T> where T : unmanaged
    {
        public int Hash(T key) => (int)Murmur3.Hash(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in key)));
    }

    private sealed class TupleHasher<T1, T2> : IKeyHasher<ValueTuple<T1, T2>>
    {
        private readonly IKeyHasher<T1> _h1 = For<T1>();
        private readonly IKeyHasher<T2> _h2 = For<T2>();

        public int Hash((T1, T2) key) => Combine(_h1.Hash(key.Item1), _h2.Hash(key.Item2));
    }

    private sealed class TupleHasher<T1, T2, T3> : IKeyHasher<ValueTuple<T1, T2, T3>>
    {
        private readonly IKeyHasher<T1> _h1 = For<T1>();
        private readonly IKeyHasher<T2> _h2 = For<T2>();
        private readonly IKeyHasher<T3> _h3 = For<T3>();

        public int Hash((T1, T2, T3) key) => Combine(Combine(_h1.Hash(key.Item1), _h2.Hash(key.Item2)), _h3.Hash(key.Item3));
    }

    private sealed class TupleHasher<T1, T2, T3, T4> : IKeyHasher<ValueTuple<T1, T2, T3, T4>>
    {
        private readonly IKeyHasher<T1> _h1 = For<T1>();
        private readonly IKeyHasher<T2> _h2 = For<T2>();
        private readonly IKeyHasher<T3> _h3 = For<T3>();
        private readonly IKeyHasher<T4> _h4 = For<T4>();

        public int Hash((T1, T2, T3, T4) key) =>
            Combine(Combine(Combine(_h1.Hash(key.Item1), _h2.Hash(key.Item2)), _h3.Hash(key.Item3)), _h4.Hash(key.Item4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Combine(int a, int b) => unchecked((a * 31) + b);
}
