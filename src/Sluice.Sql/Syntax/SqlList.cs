using System.Collections;

namespace Sluice.Sql.Syntax;

/// <summary>
/// An immutable list with structural equality (element by element), so syntax nodes holding lists compare by
/// content. Safe to share between threads.
/// </summary>
/// <typeparam name="T">The element type: nodes, or strings for names.</typeparam>
internal sealed class SqlList<T> : IReadOnlyList<T>, IEquatable<SqlList<T>>
{
    private readonly T[] _items;

    /// <summary>Creates a list holding a copy of <paramref name="items"/>.</summary>
    public SqlList(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = [.. items];
    }

    private SqlList(T[] items, bool _) => _items = items;

    /// <summary>The empty list.</summary>
    public static SqlList<T> Empty { get; } = new([], false);

    /// <summary>A list of the given items.</summary>
    public static SqlList<T> Of(params T[] items) => items.Length == 0 ? Empty : new SqlList<T>(items);

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <summary>Whether the list has no elements.</summary>
    public bool IsEmpty => _items.Length == 0;

    /// <summary>Whether both lists hold equal elements in the same order.</summary>
    public bool Equals(SqlList<T>? other)
    {
        if (other is null || other._items.Length != _items.Length)
        {
            return false;
        }
        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < _items.Length; i++)
        {
            if (!comparer.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SqlList<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    /// <summary>An enumerator over the elements, without allocation.</summary>
    public ReadOnlySpan<T>.Enumerator GetEnumerator() => new ReadOnlySpan<T>(_items).GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>The elements, comma-separated, for debugging.</summary>
    public override string ToString() => string.Join(", ", _items);
}
