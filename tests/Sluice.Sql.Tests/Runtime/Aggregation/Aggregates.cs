using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary>Builders shared by the aggregation operator tests.</summary>
internal static class Aggregates
{
    public static AggregateCall Call(AggregateKind kind, string name, DataType type, int argument = -1, bool distinct = false, int filter = -1, int separator = -1)
    {
        List<int> arguments = argument < 0 ? [] : separator < 0 ? [argument] : [argument, separator];
        return new AggregateCall(kind, arguments, distinct, filter, type, name);
    }

    public static Row Of(Schema schema, RowKind kind, params object?[] values)
    {
        var row = Row.Of(schema, values);
        row.Kind = kind;
        return row;
    }

    public static Row Insert(Schema schema, params object?[] values) => Of(schema, RowKind.Insert, values);

    public static Row Delete(Schema schema, params object?[] values) => Of(schema, RowKind.Delete, values);

    public static string[] Texts(IEnumerable<Row> rows) => [.. rows.Select(static r => r.ToString())];

    /// <summary>Applies a changelog to a table keyed by the first <paramref name="keyFields"/> fields; fails on a retraction of a row that is not there.</summary>
    public static SortedDictionary<string, string> Materialize(IEnumerable<Row> changelog, int keyFields)
    {
        var table = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in changelog)
        {
            var values = row.ToString()[2..];
            var key = string.Join("|", Enumerable.Range(0, keyFields).Select(i => row.GetValue(i)?.ToString() ?? "null"));
            if (row.Kind is RowKind.Insert or RowKind.UpdateAfter)
            {
                table.ContainsKey(key).ShouldBeFalse($"{row} adds a row for a key that has one");
                table[key] = values;
            }
            else
            {
                table.GetValueOrDefault(key).ShouldBe(values, $"{row} retracts the row the key has");
                table.Remove(key);
            }
        }
        return table;
    }
}
