using System.Globalization;
using System.Text.Json;
using Sluice.Connectors.Delta.Log;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

/// <summary>
/// A simple filter for reading a Delta table: one column compared with one literal (<c>amount &gt;= 100</c>). A scan
/// uses it twice: to skip whole files — a partition column by the file's partition value, a data column by the file's
/// min/max statistics — and then to keep only the matching rows of the files it reads. A null column value never
/// matches (SQL semantics). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The literal is compared in the column's type: an integer column takes an <see cref="int"/> or <see cref="long"/>,
/// a floating column any number, DECIMAL a <see cref="decimal"/> (or an integer), VARCHAR a <see cref="string"/>
/// (ordinal comparison), DATE a <see cref="DateOnly"/>, TIMESTAMP a <see cref="DateTime"/>, TIMESTAMP_LTZ a
/// <see cref="DateTimeOffset"/>, BOOLEAN a <see cref="bool"/> (equality only skips by partition).
/// </remarks>
public sealed class DeltaPredicate
{
    private DeltaPredicate(string column, DeltaComparison comparison, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(value);
        Column = column;
        Comparison = comparison;
        Value = value;
    }

    /// <summary>The column compared.</summary>
    public string Column { get; }

    /// <summary>The comparison.</summary>
    public DeltaComparison Comparison { get; }

    /// <summary>The literal (never null).</summary>
    public object Value { get; }

    /// <summary><c>column = value</c>.</summary>
    public static DeltaPredicate Equal(string column, object value) => new(column, DeltaComparison.Equal, value);

    /// <summary><c>column &lt; value</c>.</summary>
    public static DeltaPredicate LessThan(string column, object value) => new(column, DeltaComparison.LessThan, value);

    /// <summary><c>column &lt;= value</c>.</summary>
    public static DeltaPredicate LessThanOrEqual(string column, object value) => new(column, DeltaComparison.LessThanOrEqual, value);

    /// <summary><c>column &gt; value</c>.</summary>
    public static DeltaPredicate GreaterThan(string column, object value) => new(column, DeltaComparison.GreaterThan, value);

    /// <summary><c>column &gt;= value</c>.</summary>
    public static DeltaPredicate GreaterThanOrEqual(string column, object value) => new(column, DeltaComparison.GreaterThanOrEqual, value);

    /// <summary><c>column op value</c>.</summary>
    public override string ToString() => $"{Column} {Comparison} {Value}";

    /// <summary>The predicate as SQL text for a commit's <c>operationParameters</c>: <c>(amount &gt;= 100)</c>, strings quoted.</summary>
    internal string ToSql()
    {
        var op = Comparison switch
        {
            DeltaComparison.Equal => "=",
            DeltaComparison.LessThan => "<",
            DeltaComparison.LessThanOrEqual => "<=",
            DeltaComparison.GreaterThan => ">",
            _ => ">=",
        };
        var literal = Value switch
        {
            string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => Value.ToString(),
        };
        return $"({Column} {op} {literal})";
    }

    /// <summary>The literal converted to the CLR type a row holds for <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The literal does not convert to the column's type.</exception>
    internal IComparable Literal(DataType type)
    {
        try
        {
            return type.Kind switch
            {
                DataTypeKind.Int => Convert.ToInt32(Value, CultureInfo.InvariantCulture),
                DataTypeKind.BigInt => Convert.ToInt64(Value, CultureInfo.InvariantCulture),
                DataTypeKind.Float or DataTypeKind.Double => Convert.ToDouble(Value, CultureInfo.InvariantCulture),
                DataTypeKind.Decimal => Convert.ToDecimal(Value, CultureInfo.InvariantCulture),
                DataTypeKind.Varchar => (string)Value,
                DataTypeKind.Boolean => (bool)Value,
                DataTypeKind.Date => (DateOnly)Value,
                DataTypeKind.Timestamp => (DateTime)Value,
                DataTypeKind.TimestampLtz => Value is DateTimeOffset o ? o.ToUniversalTime() : new DateTimeOffset(DateTime.SpecifyKind((DateTime)Value, DateTimeKind.Utc)),
                _ => throw new InvalidCastException(),
            };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new ArgumentException($"The predicate on column '{Column}' compares it with {Value} ({Value.GetType().Name}), which is not a {type}.", nameof(type), e);
        }
    }

    /// <summary>Whether a value <paramref name="value"/> of the column satisfies the comparison with <paramref name="literal"/>.</summary>
    internal bool Matches(IComparable? value, IComparable literal)
    {
        if (value is null)
        {
            return false;
        }
        var order = Compare(value, literal);
        return Comparison switch
        {
            DeltaComparison.Equal => order == 0,
            DeltaComparison.LessThan => order < 0,
            DeltaComparison.LessThanOrEqual => order <= 0,
            DeltaComparison.GreaterThan => order > 0,
            _ => order >= 0,
        };
    }

    /// <summary>
    /// Whether some value in [<paramref name="min"/>, <paramref name="max"/>] can satisfy the comparison; a missing bound
    /// is unbounded. False means the file holds no matching row and is skipped.
    /// </summary>
    internal bool MayMatch(IComparable? min, IComparable? max, IComparable literal) => Comparison switch
    {
        DeltaComparison.Equal => (min is null || Compare(min, literal) <= 0) && (max is null || Compare(max, literal) >= 0),
        DeltaComparison.LessThan => min is null || Compare(min, literal) < 0,
        DeltaComparison.LessThanOrEqual => min is null || Compare(min, literal) <= 0,
        DeltaComparison.GreaterThan => max is null || Compare(max, literal) > 0,
        _ => max is null || Compare(max, literal) >= 0,
    };

    private static int Compare(IComparable a, IComparable b) =>
        a is string sa && b is string sb ? Writing.Utf8Order.Compare(sa, sb) : a.CompareTo(b);

    /// <summary>A row value of the column as the comparable <see cref="Literal"/> produces.</summary>
    internal static IComparable? ValueOf(Row row, int index)
    {
        if (row.IsNull(index))
        {
            return null;
        }
        return row.Schema[index].Type.Kind switch
        {
            DataTypeKind.Int => row.GetInt32(index),
            DataTypeKind.BigInt => row.GetInt64(index),
            DataTypeKind.Float => (double)row.GetSingle(index),
            DataTypeKind.Double => row.GetDouble(index),
            DataTypeKind.Decimal => row.GetDecimal(index),
            DataTypeKind.Varchar => row.GetString(index),
            DataTypeKind.Boolean => row.GetBoolean(index),
            DataTypeKind.Date => row.GetDate(index),
            DataTypeKind.Timestamp => row.GetTimestamp(index),
            DataTypeKind.TimestampLtz => row.GetTimestampLtz(index),
            _ => null,
        };
    }

    /// <summary>
    /// A statistics value (JSON) of a column of <paramref name="type"/> as a comparable, or null when absent or not
    /// understood. A timestamp maximum is widened by 1 ms because writers truncate statistics to milliseconds.
    /// </summary>
    internal static IComparable? StatValue(JsonElement element, DataType type, bool isMax)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.Number => type.Kind switch
                {
                    DataTypeKind.Int => element.GetInt32(),
                    DataTypeKind.BigInt => element.GetInt64(),
                    DataTypeKind.Float or DataTypeKind.Double => element.GetDouble(),
                    DataTypeKind.Decimal => element.GetDecimal(),
                    _ => null,
                },
                JsonValueKind.String => type.Kind switch
                {
                    DataTypeKind.Varchar => element.GetString(),
                    DataTypeKind.Date => DateOnly.ParseExact(element.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    DataTypeKind.Timestamp => Widen(DateTime.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), isMax),
                    DataTypeKind.TimestampLtz => new DateTimeOffset(Widen(DateTime.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), isMax), TimeSpan.Zero),
                    _ => null,
                },
                _ => null,
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            return null; // statistics are an optimisation: an unreadable one only means the file is read
        }
    }

    private static DateTime Widen(DateTime value, bool isMax) =>
        DateTime.SpecifyKind(isMax ? value.AddMilliseconds(1) : value, DateTimeKind.Unspecified);

    /// <summary>Whether the file may hold a matching row, from its partition value or its statistics.</summary>
    internal bool MayMatch(AddFile file, Schema schema, int columnIndex, bool isPartitionColumn, IComparable literal)
    {
        var type = schema[columnIndex].Type;
        if (isPartitionColumn)
        {
            var probe = new Row(new Schema(schema[columnIndex]));
            file.PartitionValues.TryGetValue(Column, out var text);
            PartitionValues.Set(probe, 0, text, Column, file.Path);
            return Matches(ValueOf(probe, 0), literal);
        }
        if (file.Stats is null)
        {
            return true;
        }
        try
        {
            using var stats = JsonDocument.Parse(file.Stats);
            var root = stats.RootElement;
            if (root.TryGetProperty("numRecords", out var records) && records.ValueKind == JsonValueKind.Number && records.GetInt64() == 0)
            {
                return false;
            }
            if (root.TryGetProperty("nullCount", out var nulls) && nulls.ValueKind == JsonValueKind.Object
                && nulls.TryGetProperty(Column, out var nullCount) && nullCount.ValueKind == JsonValueKind.Number
                && records.ValueKind == JsonValueKind.Number && nullCount.GetInt64() == records.GetInt64())
            {
                return false; // every row is null in the column: none matches
            }
            IComparable? min = null, max = null;
            if (root.TryGetProperty("minValues", out var mins) && mins.ValueKind == JsonValueKind.Object && mins.TryGetProperty(Column, out var m))
            {
                min = StatValue(m, type, isMax: false);
            }
            if (root.TryGetProperty("maxValues", out var maxes) && maxes.ValueKind == JsonValueKind.Object && maxes.TryGetProperty(Column, out var x))
            {
                max = StatValue(x, type, isMax: true);
            }
            (min, max) = Writing.Utf8Order.TrustedBounds(min, max);
            return MayMatch(min, max, literal);
        }
        catch (JsonException)
        {
            return true;
        }
    }
}
