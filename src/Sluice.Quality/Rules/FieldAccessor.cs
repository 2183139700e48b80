using System.Runtime.CompilerServices;
using Sluice.Schemas;

namespace Sluice.Quality.Rules;

/// <summary>
/// Reads a rule's field from a record without allocating: false when the field is null. A field of a C# record is read
/// by its selector straight from <see cref="TryRead"/> (one delegate call per rule and record, no virtual hop); other
/// kinds of field (a <see cref="Row"/>'s column) override <see cref="TryReadOther"/>.
/// </summary>
internal abstract class FieldAccessor<T, TValue>
{
    private readonly Func<T, TValue>? _selector;

    /// <summary>An accessor whose reads go to <see cref="TryReadOther"/>.</summary>
    private protected FieldAccessor()
    {
    }

    /// <summary>An accessor that reads the field with <paramref name="selector"/>.</summary>
    private protected FieldAccessor(Func<T, TValue> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        _selector = selector;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(T record, out TValue value)
    {
        if (_selector is { } selector)
        {
            value = selector(record);
            return value is not null;
        }
        return TryReadOther(record, out value);
    }

    /// <summary>Reads a field that has no selector.</summary>
    protected virtual bool TryReadOther(T record, out TValue value) =>
        throw new InvalidOperationException("This field accessor has neither a selector nor a read of its own.");
}

/// <summary>A field of a C# record, read by the caller's selector.</summary>
internal sealed class SelectorAccessor<T, TValue>(Func<T, TValue> selector) : FieldAccessor<T, TValue>(selector);

/// <summary>A column of a <see cref="Row"/>, read by the typed getter of its kind.</summary>
internal sealed class ColumnAccessor<TValue>(int index, Func<Row, int, TValue> getter) : FieldAccessor<Row, TValue>
{
    protected override bool TryReadOther(Row record, out TValue value)
    {
        if (record.IsNull(index))
        {
            value = default!;
            return false;
        }
        value = getter(record, index);
        return true;
    }
}
