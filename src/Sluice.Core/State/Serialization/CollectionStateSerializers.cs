using System.Runtime.InteropServices;

namespace Sluice.State.Serialization;

/// <summary>Shared by the collection serializers: the length prefix, and how much to pre-allocate safely.</summary>
internal static class CollectionEncoding
{
    /// <summary>
    /// Capacity to pre-allocate for <paramref name="count"/> items: never more than the bytes left, so a corrupt
    /// count cannot make restore allocate gigabytes (every built-in item takes at least one byte).
    /// </summary>
    public static int SafeCapacity(int count, StateReader input) => Math.Min(count, input.Remaining);
}

/// <summary><c>list(x)</c>: the count (null prefix for null) then the items. Same bytes as <see cref="ArrayStateSerializer{T}"/>.</summary>
internal sealed class ListStateSerializer<T>(IStateSerializer<T> items)
    : BuiltInStateSerializer<List<T>>($"list({StateSerializers.PartId(items)})")
{
    private readonly IStateSerializer<T> _items = items;
    private readonly int _itemVersion = items.Version;

    public override void Write(StateWriter output, List<T> value)
    {
        if (value is null)
        {
            output.WriteNullLength();
            return;
        }
        var span = CollectionsMarshal.AsSpan(value);
        output.WriteLength(span.Length);
        foreach (var item in span)
        {
            _items.Write(output, item);
        }
    }

    public override List<T> Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var count = input.ReadLength();
        if (count < 0)
        {
            return null!;
        }
        var list = new List<T>(CollectionEncoding.SafeCapacity(count, input));
        for (var i = 0; i < count; i++)
        {
            list.Add(_items.Read(input, _itemVersion));
        }
        return list;
    }
}

/// <summary><c>list(x)</c> for arrays (single-dimensional, zero-based).</summary>
internal sealed class ArrayStateSerializer<T>(IStateSerializer<T> items)
    : BuiltInStateSerializer<T[]>($"list({StateSerializers.PartId(items)})")
{
    private readonly IStateSerializer<T> _items = items;
    private readonly int _itemVersion = items.Version;

    public override void Write(StateWriter output, T[] value)
    {
        if (value is null)
        {
            output.WriteNullLength();
            return;
        }
        output.WriteLength(value.Length);
        foreach (var item in value)
        {
            _items.Write(output, item);
        }
    }

    public override T[] Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var count = input.ReadLength();
        if (count < 0)
        {
            return null!;
        }
        if (count > input.Remaining)
        {
            // More items than bytes: corrupt, or items that take no bytes; read into a growing list so a corrupt
            // count fails on truncation instead of allocating a huge array first.
            var list = new List<T>(CollectionEncoding.SafeCapacity(count, input));
            for (var i = 0; i < count; i++)
            {
                list.Add(_items.Read(input, _itemVersion));
            }
            return [.. list];
        }
        var array = count == 0 ? [] : new T[count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = _items.Read(input, _itemVersion);
        }
        return array;
    }
}

/// <summary><c>set(x)</c>: the count then the items in the set's enumeration order. Restores with the default comparer.</summary>
internal sealed class HashSetStateSerializer<T>(IStateSerializer<T> items)
    : BuiltInStateSerializer<HashSet<T>>($"set({StateSerializers.PartId(items)})")
{
    private readonly IStateSerializer<T> _items = items;
    private readonly int _itemVersion = items.Version;

    public override void Write(StateWriter output, HashSet<T> value)
    {
        if (value is null)
        {
            output.WriteNullLength();
            return;
        }
        output.WriteLength(value.Count);
        foreach (var item in value)
        {
            _items.Write(output, item);
        }
    }

    public override HashSet<T> Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var count = input.ReadLength();
        if (count < 0)
        {
            return null!;
        }
        var set = new HashSet<T>(CollectionEncoding.SafeCapacity(count, input));
        for (var i = 0; i < count; i++)
        {
            var start = input.Position;
            if (!set.Add(_items.Read(input, _itemVersion)))
            {
                throw new StateFormatException($"Invalid state: duplicate set item at offset {start} of {input.Length}.");
            }
        }
        return set;
    }
}

/// <summary><c>map(k,v)</c>: the count then key, value pairs in the dictionary's enumeration order. Restores with the default comparer.</summary>
internal sealed class DictionaryStateSerializer<TKey, TValue>(IStateSerializer<TKey> keys, IStateSerializer<TValue> values)
    : BuiltInStateSerializer<Dictionary<TKey, TValue>>($"map({StateSerializers.PartId(keys)},{StateSerializers.PartId(values)})")
    where TKey : notnull
{
    private readonly IStateSerializer<TKey> _keys = keys;
    private readonly IStateSerializer<TValue> _values = values;
    private readonly int _keyVersion = keys.Version;
    private readonly int _valueVersion = values.Version;

    public override void Write(StateWriter output, Dictionary<TKey, TValue> value)
    {
        if (value is null)
        {
            output.WriteNullLength();
            return;
        }
        output.WriteLength(value.Count);
        foreach (var entry in value)
        {
            _keys.Write(output, entry.Key);
            _values.Write(output, entry.Value);
        }
    }

    public override Dictionary<TKey, TValue> Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var count = input.ReadLength();
        if (count < 0)
        {
            return null!;
        }
        var map = new Dictionary<TKey, TValue>(CollectionEncoding.SafeCapacity(count, input));
        for (var i = 0; i < count; i++)
        {
            var start = input.Position;
            var key = _keys.Read(input, _keyVersion);
            if (key is null)
            {
                throw new StateFormatException($"Invalid state: null dictionary key at offset {start} of {input.Length}.");
            }
            if (!map.TryAdd(key, _values.Read(input, _valueVersion)))
            {
                throw new StateFormatException($"Invalid state: duplicate dictionary key at offset {start} of {input.Length}.");
            }
        }
        return map;
    }
}
