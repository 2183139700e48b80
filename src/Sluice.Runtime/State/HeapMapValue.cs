using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Runtime.State;

/// <summary>
/// The entries of one (key, namespace)'s heap map state: a single entry is held inline; a second one moves all of them
/// into a <see cref="Dictionary{TKey,TValue}"/>, which then stays. A map state whose keys mostly hold one entry (a
/// join side keyed by a nearly unique key) then costs one small object per key instead of a dictionary and its two
/// arrays.
/// </summary>
/// <remarks>
/// Behaves as the dictionary would: the key instance first stored for an equal key is kept when its value is replaced;
/// entries enumerate in insertion order while nothing is removed; an existing key's value may be replaced and an entry
/// removed while enumerating. Not thread-safe (one task thread, as every heap state).
/// </remarks>
internal sealed class HeapMapValue<TMapKey, TValue> where TMapKey : notnull
{
    private Dictionary<TMapKey, TtlEntry<TValue>>? _many;
    private TMapKey? _key;
    private TtlEntry<TValue> _entry;
    private bool _hasSingle;

    /// <summary>Creates an empty map.</summary>
    public HeapMapValue()
    {
    }

    /// <summary>Creates an empty map ready for <paramref name="capacity"/> entries.</summary>
    public HeapMapValue(int capacity)
    {
        if (capacity > 1)
        {
            _many = new Dictionary<TMapKey, TtlEntry<TValue>>(capacity);
        }
    }

    /// <summary>The number of entries.</summary>
    public int Count => _many?.Count ?? (_hasSingle ? 1 : 0);

    /// <summary>The entries when they are in a dictionary; null while the map holds at most one (see <see cref="TryGetSingle"/>).</summary>
    public Dictionary<TMapKey, TtlEntry<TValue>>? Many => _many;

    /// <summary>The entry of <paramref name="key"/>, or a null reference (<see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    public ref TtlEntry<TValue> Find(TMapKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_many is not null)
        {
            return ref CollectionsMarshal.GetValueRefOrNullRef(_many, key);
        }
        if (_hasSingle && EqualityComparer<TMapKey>.Default.Equals(_key!, key))
        {
            return ref _entry;
        }
        return ref Unsafe.NullRef<TtlEntry<TValue>>();
    }

    /// <summary>Sets the entry of <paramref name="key"/> (keeping the key instance already stored for an equal key).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null (as a dictionary refuses it).</exception>
    public void Set(TMapKey key, TtlEntry<TValue> entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_many is not null)
        {
            _many[key] = entry;
        }
        else if (!_hasSingle)
        {
            _key = key;
            _entry = entry;
            _hasSingle = true;
        }
        else if (EqualityComparer<TMapKey>.Default.Equals(_key!, key))
        {
            _entry = entry;
        }
        else
        {
            _many = new Dictionary<TMapKey, TtlEntry<TValue>> { [_key!] = _entry, [key] = entry };
            _key = default;
            _entry = default;
            _hasSingle = false;
        }
    }

    /// <summary>Removes the entry of <paramref name="key"/>; false when there was none.</summary>
    public bool Remove(TMapKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_many is not null)
        {
            return _many.Remove(key);
        }
        if (_hasSingle && EqualityComparer<TMapKey>.Default.Equals(_key!, key))
        {
            _key = default;
            _entry = default;
            _hasSingle = false;
            return true;
        }
        return false;
    }

    /// <summary>Whether the map holds exactly one entry inline, and that entry's key and value.</summary>
    public bool TryGetSingle(out TMapKey key, out TtlEntry<TValue> entry)
    {
        key = _key!;
        entry = _entry;
        return _hasSingle;
    }

    /// <summary>The keys, in the order the entries enumerate.</summary>
    public IEnumerable<TMapKey> Keys => _many is not null ? _many.Keys : _hasSingle ? [_key!] : [];

    /// <summary>The entries as (key, entry) pairs, in insertion order while nothing was removed.</summary>
    public IEnumerable<KeyValuePair<TMapKey, TtlEntry<TValue>>> Pairs =>
        _many is not null ? _many : _hasSingle ? [new(_key!, _entry)] : [];
}
