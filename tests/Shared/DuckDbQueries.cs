using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace Sluice.Tests.Shared;

/// <summary>Test-side DuckDB access through DuckDB.NET: open a database, run SQL, read a whole result.</summary>
internal static class DuckDbQueries
{
    /// <summary>
    /// Opens <paramref name="path"/> (a file, or <c>:memory:</c>). DuckDB.NET shares one database per path while any
    /// connection to it is open, so this sees what an in-process sink committed; options apply only to the first open.
    /// </summary>
    public static DuckDBConnection Open(string path, bool readOnly = false)
    {
        var connection = new DuckDBConnection(readOnly ? $"Data Source={path};access_mode=READ_ONLY" : $"Data Source={path}");
        connection.Open();
        return connection;
    }

    /// <summary>Runs statements whose results are not needed.</summary>
    public static void Run(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a query and reads all its rows.</summary>
    public static QueryResult Query(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return new QueryResult([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)], rows);
    }
}

/// <summary>A materialized query result with typed getters that convert between numeric widths.</summary>
internal sealed class QueryResult(IReadOnlyList<string> columns, List<object?[]> rows)
{
    public int RowCount => rows.Count;

    public int ColumnCount => columns.Count;

    public string GetColumnName(int column) => columns[column];

    public bool IsNull(int row, int column) => rows[row][column] is null;

    public object? GetValue(int row, int column) => rows[row][column];

    public string GetString(int row, int column) => Convert.ToString(Value(row, column), CultureInfo.InvariantCulture)!;

    public bool GetBoolean(int row, int column) => (bool)Value(row, column);

    public long GetInt64(int row, int column) => Value(row, column) switch
    {
        BigInteger big => (long)big,
        var value => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    public int GetInt32(int row, int column) => checked((int)GetInt64(row, column));

    public double GetDouble(int row, int column) => Value(row, column) switch
    {
        BigInteger big => (double)big,
        var value => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    public decimal GetDecimal(int row, int column) => Value(row, column) switch
    {
        BigInteger big => (decimal)big,
        var value => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
    };

    public DateTime GetDateTime(int row, int column) => Value(row, column) switch
    {
        DateOnly date => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        DateTimeOffset offset => offset.UtcDateTime,
        var value => DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc),
    };

    private object Value(int row, int column) =>
        rows[row][column] ?? throw new InvalidOperationException($"Column '{columns[column]}' of row {row} is NULL.");
}
