using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Reading;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// The source rows of a MERGE, by key: each key at most once (a duplicate is an error naming the key), never null.
/// <c>-U</c> rows are skipped (the <c>+U</c> of the same change carries the new row); <c>-D</c> rows are delete markers.
/// Also decides which data files may hold a source key — by the partition values of key columns that partition the
/// table, and by the min/max statistics of the first other key column — for pruning and for conflict detection. Not
/// thread-safe; read-only once loaded.
/// </summary>
internal sealed class MergeSource
{
    private readonly Dictionary<object, Entry> _byKey = [];
    private readonly Schema _schema;
    private readonly int[] _keys;
    private readonly string _tablePath;
    private readonly List<(int Index, HashSet<object> Values)> _partitionKeys = [];
    private int _rangeIndex = -1;
    private IComparable[] _rangeValues = [];

    /// <summary>Reads <paramref name="rows"/> (copied) of <paramref name="schema"/>, keyed by the columns <paramref name="keys"/>.</summary>
    /// <exception cref="DeltaException">A row of another schema, a null key column, or a key twice, naming the row.</exception>
    public MergeSource(string tablePath, Schema schema, int[] keys, IEnumerable<Row> rows)
    {
        _tablePath = tablePath;
        _schema = schema;
        _keys = keys;
        var number = 0L;
        foreach (var row in rows)
        {
            number++;
            if (row.Kind == RowKind.UpdateBefore)
            {
                continue;
            }
            if (!ReferenceEquals(row.Schema, schema) && !row.Schema.Equals(schema))
            {
                throw new DeltaException($"MERGE into table '{tablePath}': source row {number} has the schema {row.Schema}, but the table's is {schema}; give the source rows the table's schema.");
            }
            var key = KeyOf(row) ?? throw new DeltaException(
                $"MERGE into table '{tablePath}': source row {number} ({row}) has a null key column '{NullKeyColumn(row)}'; a null key matches nothing, so it is refused — filter such rows out or give them a key.");
            if (_byKey.TryGetValue(key, out var first))
            {
                throw new DeltaException(
                    $"MERGE into table '{tablePath}': the source has key {FormatKey(row)} twice (rows {first.Number} and {number}); a key may appear once per merge — keep the last change of each key first.");
            }
            _byKey[key] = new Entry(row.Copy(), row.Kind == RowKind.Delete, number);
            HasDeletes |= row.Kind == RowKind.Delete;
        }
    }

    /// <summary>The source rows kept (after skipping <c>-U</c> rows).</summary>
    public int Count => _byKey.Count;

    /// <summary>Whether a source row is a delete marker.</summary>
    public bool HasDeletes { get; }

    /// <summary>The entries, in no particular order.</summary>
    public IEnumerable<Entry> Entries => _byKey.Values;

    /// <summary>Prepares pruning for <paramref name="snapshot"/>'s partitioning (call once per plan).</summary>
    public void Prepare(DeltaSnapshot snapshot)
    {
        _partitionKeys.Clear();
        _rangeIndex = -1;
        foreach (var index in _keys)
        {
            var name = _schema[index].Name;
            if (snapshot.PartitionColumns.Contains(name))
            {
                var values = new HashSet<object>();
                foreach (var entry in _byKey.Values)
                {
                    var value = entry.Row.GetValue(index)!;
                    if (value is string { Length: 0 })
                    {
                        // Delta stores an empty partition value as null: the row would read back with a null key and
                        // never match again (every later merge would insert it anew).
                        throw new DeltaException($"MERGE into table '{_tablePath}': source row {entry.Number} ({entry.Row}) has an empty string in key column '{name}', which partitions the table; Delta stores an empty partition value as null, which matches nothing, so it is refused — give such rows a non-empty key.", snapshot.Version);
                    }
                    values.Add(value);
                }
                _partitionKeys.Add((index, values));
            }
            else if (_rangeIndex < 0 && IsOrderable(_schema[index].Type.Kind))
            {
                _rangeIndex = index;
            }
        }
        if (_rangeIndex >= 0)
        {
            var values = new IComparable[_byKey.Count];
            var i = 0;
            foreach (var entry in _byKey.Values)
            {
                values[i++] = DeltaPredicate.ValueOf(entry.Row, _rangeIndex)!;
            }
            Array.Sort(values, Compare);
            _rangeValues = values;
        }
    }

    /// <summary>Whether <paramref name="file"/> may hold a row whose key is a source key.</summary>
    public bool MayContain(AddFile file)
    {
        if (_byKey.Count == 0)
        {
            return false;
        }
        foreach (var (index, values) in _partitionKeys)
        {
            var probe = new Row(new Schema(_schema[index]));
            file.PartitionValues.TryGetValue(_schema[index].Name, out var text);
            PartitionValues.Set(probe, 0, text, _schema[index].Name, file.Path);
            if (probe.GetValue(0) is not { } value || !values.Contains(value))
            {
                return false;
            }
        }
        if (_rangeIndex < 0)
        {
            return true;
        }
        if (FileStatistics.NumRecords(file) == 0)
        {
            return false;
        }
        var (min, max) = FileStatistics.Bounds(file, _schema[_rangeIndex].Name, _schema[_rangeIndex].Type);
        if (min is null && max is null)
        {
            return true;
        }
        // The first source key at or above the file's minimum must not be above its maximum.
        int lo = 0, hi = _rangeValues.Length;
        while (min is not null && lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Compare(_rangeValues[mid], min) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo < _rangeValues.Length && (max is null || Compare(_rangeValues[lo], max) <= 0);
    }

    /// <summary>The source entry of <paramref name="row"/>'s key, or null (also when a key column of the row is null).</summary>
    public Entry? Find(Row row) => KeyOf(row) is { } key && _byKey.TryGetValue(key, out var entry) ? entry : null;

    private object? KeyOf(Row row) => RowKey.Of(row, _keys);

    private string NullKeyColumn(Row row) => RowKey.NullColumn(row, _keys);

    private string FormatKey(Row row) => RowKey.Format(row, _keys);

    private static bool IsOrderable(DataTypeKind kind) => kind is DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Float or DataTypeKind.Double
        or DataTypeKind.Decimal or DataTypeKind.Varchar or DataTypeKind.Date or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz;

    private static int Compare(IComparable? a, IComparable? b) =>
        a is string sa && b is string sb ? Utf8Order.Compare(sa, sb) : a!.CompareTo(b);

    /// <summary>A source row, whether it is a delete marker, its position in the source (1-based), and the plan that last matched it.</summary>
    internal sealed class Entry(Row row, bool delete, long number)
    {
        public Row Row { get; } = row;

        public bool Delete { get; } = delete;

        public long Number { get; } = number;

        /// <summary>The plan attempt that matched this key to a table row (0: none yet).</summary>
        public int MatchedInPlan { get; set; }
    }
}
