using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// The key of a row by some of its columns, as a dictionary key compared by value: the column's value for one column,
/// else a composite of the values. Shared by MERGE's source and the upsert sink's per-key collapse, so both agree on
/// what "the same key" is. Thread-safe (stateless).
/// </summary>
internal static class RowKey
{
    /// <summary>The key of <paramref name="row"/> by the columns <paramref name="keys"/>, or null when a key column is null.</summary>
    public static object? Of(Row row, int[] keys)
    {
        if (keys.Length == 1)
        {
            return row.GetValue(keys[0]);
        }
        var values = new object[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            if (row.GetValue(keys[i]) is not { } value)
            {
                return null;
            }
            values[i] = value;
        }
        return new Composite(values);
    }

    /// <summary>The first key column of <paramref name="row"/> that is null (call when <see cref="Of"/> returned null).</summary>
    public static string NullColumn(Row row, int[] keys) => row.Schema[keys.First(row.IsNull)].Name;

    /// <summary>The key of <paramref name="row"/> as text: <c>(id = 5, region = 'eu')</c>.</summary>
    public static string Format(Row row, int[] keys) => "(" + string.Join(", ", keys.Select(k => $"{row.Schema[k].Name} = {Row.FormatValue(row.GetValue(k))}")) + ")";

    /// <summary>A key of several columns, compared by value.</summary>
    private sealed class Composite(object[] values) : IEquatable<Composite>
    {
        private readonly object[] _values = values;

        public bool Equals(Composite? other)
        {
            if (other is null)
            {
                return false;
            }
            for (var i = 0; i < _values.Length; i++)
            {
                if (!_values[i].Equals(other._values[i]))
                {
                    return false;
                }
            }
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as Composite);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var value in _values)
            {
                hash.Add(value);
            }
            return hash.ToHashCode();
        }
    }
}
