using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Sluice.Connectors.DuckDb.Interop;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// A fully materialized query result: column names and types, and typed access by (row, column), both 0-based.
/// The native result is already released when this object exists, so it needs no disposal and is immutable —
/// safe to read from several threads. Typed getters throw <see cref="InvalidOperationException"/> on a NULL value
/// (check <see cref="IsNull"/> first) and <see cref="InvalidCastException"/> when the column's type does not convert.
/// Dates and timestamps are returned as <see cref="DateTimeKind.Utc"/> <see cref="DateTime"/>s (microsecond precision).
/// </summary>
public sealed class DuckDbResult
{
    private readonly ResultColumn[] _columns;

    internal DuckDbResult(ResultColumn[] columns, int rowCount)
    {
        _columns = columns;
        RowCount = rowCount;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => _columns.Length;

    /// <summary>Name of column <paramref name="column"/> as DuckDB reports it.</summary>
    public string GetColumnName(int column) => Column(column).Name;

    /// <summary>DuckDB type of column <paramref name="column"/>.</summary>
    public DuckDbType GetColumnType(int column) => Column(column).Type;

    /// <summary>Index of the first column named <paramref name="name"/> (ordinal, case-insensitive match as fallback).</summary>
    /// <exception cref="ArgumentException">No column has that name.</exception>
    public int GetOrdinal(string name)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (string.Equals(_columns[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (var i = 0; i < _columns.Length; i++)
        {
            if (string.Equals(_columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new ArgumentException($"The result has no column named '{name}'.", nameof(name));
    }

    /// <summary>True when the value at (<paramref name="row"/>, <paramref name="column"/>) is SQL NULL.</summary>
    public bool IsNull(int row, int column) => Column(column).Nulls[CheckRow(row)];

    /// <summary>Reads a BOOLEAN value (integer columns convert: non-zero is true).</summary>
    public bool GetBoolean(int row, int column) => GetInt64Core(row, column, "Boolean") != 0;

    /// <summary>Reads an integer value; throws <see cref="OverflowException"/> when it does not fit in 32 bits.</summary>
    public int GetInt32(int row, int column)
    {
        var col = Column(column);
        return col.Storage == ColumnStorage.Decimal ? decimal.ToInt32(NonNullDecimal(col, row)) : checked((int)GetInt64Core(row, column, "Int32"));
    }

    /// <summary>Reads an integer value (BOOLEAN, TINYINT … BIGINT, UBIGINT/HUGEINT when in range, integral DECIMAL).</summary>
    public long GetInt64(int row, int column)
    {
        var col = Column(column);
        return col.Storage == ColumnStorage.Decimal ? decimal.ToInt64(NonNullDecimal(col, row)) : GetInt64Core(row, column, "Int64");
    }

    /// <summary>Reads a numeric value as <see cref="double"/> (FLOAT, DOUBLE, DECIMAL, integers).</summary>
    public double GetDouble(int row, int column)
    {
        var col = Column(column);
        CheckNotNull(col, row);
        return col.Storage switch
        {
            ColumnStorage.Double => col.Doubles[row],
            ColumnStorage.Decimal => (double)col.Decimals[row],
            ColumnStorage.Int64 when !col.IsTemporal => col.Int64s[row],
            _ => throw CannotConvert(col, "Double"),
        };
    }

    /// <summary>Reads a numeric value as <see cref="decimal"/> (DECIMAL exactly; integers; FLOAT/DOUBLE converted).</summary>
    public decimal GetDecimal(int row, int column)
    {
        var col = Column(column);
        CheckNotNull(col, row);
        return col.Storage switch
        {
            ColumnStorage.Decimal => col.Decimals[row],
            ColumnStorage.Double => (decimal)col.Doubles[row],
            ColumnStorage.Int64 when !col.IsTemporal => col.Int64s[row],
            _ => throw CannotConvert(col, "Decimal"),
        };
    }

    /// <summary>Reads a VARCHAR value.</summary>
    public string GetString(int row, int column)
    {
        var col = Column(column);
        CheckNotNull(col, row);
        return col.Storage == ColumnStorage.String ? col.Strings[row]! : throw CannotConvert(col, "String");
    }

    /// <summary>Reads a DATE or TIMESTAMP (any precision, with or without time zone) as a UTC <see cref="DateTime"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value (e.g. 'infinity') is outside <see cref="DateTime"/>'s range.</exception>
    public DateTime GetDateTime(int row, int column)
    {
        var col = Column(column);
        CheckNotNull(col, row);
        if (!col.IsTemporal)
        {
            throw CannotConvert(col, "DateTime");
        }

        var micros = col.Int64s[row];
        const long MaxMicros = (long)((ulong)long.MaxValue / TimeSpan.TicksPerMicrosecond);
        return micros is > MaxMicros or < -MaxMicros
            ? throw new ArgumentOutOfRangeException(nameof(row), micros, $"The value of column '{col.Name}' in row {row} is outside the DateTime range.")
            : DateTime.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>
    /// Reads any supported value boxed (<see cref="bool"/>, <see cref="long"/>, <see cref="double"/>,
    /// <see cref="decimal"/>, <see cref="string"/>, <see cref="DateTime"/>), or null for SQL NULL. Allocates:
    /// for diagnostics and tests, not hot paths.
    /// </summary>
    public object? GetValue(int row, int column)
    {
        var col = Column(column);
        if (col.Nulls[CheckRow(row)])
        {
            return null;
        }

        return col.Storage switch
        {
            ColumnStorage.Int64 when col.Type == DuckDbType.Boolean => col.Int64s[row] != 0,
            ColumnStorage.Int64 when col.IsTemporal => GetDateTime(row, column),
            ColumnStorage.Int64 => col.Int64s[row],
            ColumnStorage.Double => col.Doubles[row],
            ColumnStorage.Decimal => col.Decimals[row],
            _ => col.Strings[row],
        };
    }

    private long GetInt64Core(int row, int column, string target)
    {
        var col = Column(column);
        CheckNotNull(col, row);
        return col.Storage == ColumnStorage.Int64 && !col.IsTemporal ? col.Int64s[row] : throw CannotConvert(col, target);
    }

    private decimal NonNullDecimal(ResultColumn col, int row)
    {
        CheckNotNull(col, row);
        return col.Decimals[row];
    }

    private ResultColumn Column(int column) =>
        (uint)column < (uint)_columns.Length
            ? _columns[column]
            : throw new ArgumentOutOfRangeException(nameof(column), column, $"The result has {_columns.Length} column(s).");

    private int CheckRow(int row) =>
        (uint)row < (uint)RowCount ? row : throw new ArgumentOutOfRangeException(nameof(row), row, $"The result has {RowCount} row(s).");

    private void CheckNotNull(ResultColumn col, int row)
    {
        if (col.Nulls[CheckRow(row)])
        {
            ThrowNull(col, row);
        }
    }

    [DoesNotReturn]
    private static void ThrowNull(ResultColumn col, int row) =>
        throw new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture, $"The value of column '{col.Name}' in row {row} is NULL; check IsNull first."));

    private static InvalidCastException CannotConvert(ResultColumn col, string target) =>
        new($"Column '{col.Name}' has type {col.Type}, which does not convert to {target}.");
}
