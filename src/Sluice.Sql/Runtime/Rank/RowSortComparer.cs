using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Orders rows of one schema by a list of <see cref="SortKey"/>s, reading fields with the typed accessors (no boxing,
/// no allocation). Strings compare by UTF-16 code unit, as SQL comparisons do (docs/sql.md); DOUBLE and FLOAT by
/// <c>CompareTo</c> (NaN first). Immutable and thread-safe.
/// </summary>
internal sealed class RowSortComparer : IComparer<Row>
{
    private readonly SortKey[] _keys;
    private readonly DataTypeKind[] _kinds;

    /// <summary>Creates the comparer of rows of <paramref name="schema"/> by <paramref name="keys"/>.</summary>
    /// <exception cref="ArgumentException">No key, a field out of range, or a ROW, ARRAY or MAP field (not orderable).</exception>
    public RowSortComparer(Schema schema, IReadOnlyList<SortKey> keys)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("A ranking needs at least one ORDER BY key.", nameof(keys));
        }
        _keys = [.. keys];
        _kinds = new DataTypeKind[_keys.Length];
        for (var i = 0; i < _keys.Length; i++)
        {
            if ((uint)_keys[i].Field >= (uint)schema.Count)
            {
                throw new ArgumentException($"ORDER BY key {i + 1} names field {_keys[i].Field}, but the input has {schema.Count} fields.", nameof(keys));
            }
            var field = schema[_keys[i].Field];
            if (field.Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map)
            {
                throw new ArgumentException($"ORDER BY field '{field.Name}' is of type {field.Type}, which has no order.", nameof(keys));
            }
            _kinds[i] = field.Type.Kind;
        }
    }

    /// <summary>Negative when <paramref name="x"/> sorts first, 0 when both tie on every key, positive otherwise.</summary>
    public int Compare(Row? x, Row? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (var i = 0; i < _keys.Length; i++)
        {
            var key = _keys[i];
            var xNull = x.IsNull(key.Field);
            var yNull = y.IsNull(key.Field);
            int result;
            if (xNull || yNull)
            {
                if (xNull && yNull)
                {
                    continue;
                }
                result = xNull == key.NullsFirst ? -1 : 1;
                return result;
            }
            result = CompareValues(x, y, key.Field, _kinds[i]);
            if (result != 0)
            {
                return key.Descending ? -result : result;
            }
        }
        return 0;
    }

    private static int CompareValues(Row x, Row y, int field, DataTypeKind kind) => kind switch
    {
        DataTypeKind.Boolean => x.GetBoolean(field).CompareTo(y.GetBoolean(field)),
        DataTypeKind.Int => x.GetInt32(field).CompareTo(y.GetInt32(field)),
        DataTypeKind.BigInt => x.GetInt64(field).CompareTo(y.GetInt64(field)),
        DataTypeKind.Float => x.GetSingle(field).CompareTo(y.GetSingle(field)),
        DataTypeKind.Double => x.GetDouble(field).CompareTo(y.GetDouble(field)),
        DataTypeKind.Decimal => x.GetDecimal(field).CompareTo(y.GetDecimal(field)),
        DataTypeKind.Varchar => string.CompareOrdinal(x.GetString(field), y.GetString(field)),
        DataTypeKind.Bytes => x.GetBytes(field).AsSpan().SequenceCompareTo(y.GetBytes(field)),
        DataTypeKind.Date => x.GetDate(field).CompareTo(y.GetDate(field)),
        DataTypeKind.Time => x.GetTime(field).CompareTo(y.GetTime(field)),
        DataTypeKind.Timestamp => x.GetTimestamp(field).CompareTo(y.GetTimestamp(field)),
        _ => x.GetTimestampLtz(field).CompareTo(y.GetTimestampLtz(field)),
    };
}
