using Sluice.Schemas;

namespace Sluice.Quality.Rules;

/// <summary>Reads a rule's field from a record without allocating: false when the field is null.</summary>
internal abstract class FieldAccessor<T, TValue>
{
    public abstract bool TryRead(T record, out TValue value);
}

/// <summary>A field of a C# record, read by the caller's selector.</summary>
internal sealed class SelectorAccessor<T, TValue>(Func<T, TValue> selector) : FieldAccessor<T, TValue>
{
    public override bool TryRead(T record, out TValue value)
    {
        value = selector(record);
        return value is not null;
    }
}

/// <summary>A column of a <see cref="Row"/>, read by the typed getter of its kind.</summary>
internal sealed class ColumnAccessor<TValue>(int index, Func<Row, int, TValue> getter) : FieldAccessor<Row, TValue>
{
    public override bool TryRead(Row record, out TValue value)
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
