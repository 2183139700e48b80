using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using DuckDB.NET.Data;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>One column of a <see cref="TableSchema{T}"/>.</summary>
/// <param name="Name">The snake_case column name.</param>
/// <param name="SqlType">The DuckDB type (<c>BIGINT</c>, <c>VARCHAR</c>, <c>DECIMAL(18,4)</c>…).</param>
/// <param name="IsNullable">Whether the property can hold null (reference type or <see cref="Nullable{T}"/>).</param>
/// <param name="Property">The .NET property name.</param>
internal sealed record TableColumn(string Name, string SqlType, bool IsNullable, string Property);

/// <summary>Builds and caches <see cref="TableSchema{T}"/>.</summary>
internal static class TableSchema
{
    /// <summary>The schema of <typeparamref name="T"/>, built once per type.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no usable public properties.</exception>
    public static TableSchema<T> For<T>() => TableSchema<T>.Instance;

    /// <summary><c>EventId</c> → <c>event_id</c>, <c>HTTPStatus</c> → <c>http_status</c>, <c>Url2</c> → <c>url2</c>, <c>Spend10m</c> → <c>spend_10m</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var acronymEnds = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if ((previousIsLowerOrDigit || acronymEnds) && builder.Length > 0 && builder[^1] != '_')
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsDigit(c) && i > 0 && char.IsLower(name[i - 1]) && UnitSuffixFollows(name, i) && builder[^1] != '_')
            {
                // A number with a unit after a word ("Spend10m", "Last24h") reads as its own word: spend_10m.
                builder.Append('_').Append(c);
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static bool UnitSuffixFollows(string name, int digitStart)
    {
        var i = digitStart;
        while (i < name.Length && char.IsDigit(name[i]))
        {
            i++;
        }
        return i < name.Length && char.IsLower(name[i]);
    }

    /// <summary>A SQL identifier in double quotes (embedded quotes doubled).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A SQL string literal in single quotes (embedded quotes doubled).</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>
/// The table shape of a record type: one column per public instance property (for a positional record, its
/// positional properties in declaration order), named in snake_case, plus a compiled row appender — no reflection per
/// row. Type mapping: string → VARCHAR; int, short, byte, sbyte, ushort → INTEGER; long, uint → BIGINT; double, float →
/// DOUBLE; decimal → DECIMAL(18,4) (rounded half away from zero to 4 decimals; a value of 10^14 or more fails the write
/// with <see cref="OverflowException"/>); bool → BOOLEAN;
/// DateTime, DateTimeOffset → TIMESTAMP (UTC; a local DateTime is converted); <see cref="Nullable{T}"/> of these → the
/// same type, nullable; anything else (enums, Guid, ulong, nested objects…) → VARCHAR holding <c>ToString()</c>.
/// Each property is appended with DuckDB.NET's overload for exactly its column's type: DuckDB.NET writes values into the
/// column vector as they are, so a value of another width would corrupt the row. Immutable and thread-safe; the
/// appender delegate is single-threaded per appender like the appender itself.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class TableSchema<T>
{
    // Lazy, not a static initializer: a type without columns must surface as ArgumentException, not TypeInitializationException.
    private static readonly Lazy<TableSchema<T>> s_instance = new(() => new TableSchema<T>());
    private const decimal DecimalLimit = 100_000_000_000_000m; // 10^14: DECIMAL(18,4) holds 14 digits before the point
    private static readonly MethodInfo s_appendNull = typeof(IDuckDBAppenderRow).GetMethod(nameof(IDuckDBAppenderRow.AppendNullValue))!;
    private static readonly MethodInfo s_appendText = typeof(TableSchema<T>).GetMethod(nameof(AppendText), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_toDecimal184 = typeof(TableSchema<T>).GetMethod(nameof(ToDecimal184), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_toUtc = typeof(TableSchema<T>).GetMethod(nameof(ToUtc), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Action<IDuckDBAppenderRow, T> _appendRow;

    /// <summary>The schema of <typeparamref name="T"/>, built on first use.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no usable public properties.</exception>
    internal static TableSchema<T> Instance => s_instance.Value;

    private TableSchema()
    {
        var properties = SelectProperties();
        if (properties.Count == 0)
        {
            throw new ArgumentException($"Type {typeof(T).Name} has no public instance properties to map to columns; wrap the value in a record (e.g. record Row(long Value)).", nameof(T));
        }
        var appender = Expression.Parameter(typeof(IDuckDBAppenderRow), "row");
        var value = Expression.Parameter(typeof(T), "value");
        var columns = new List<TableColumn>(properties.Count);
        var appends = new List<Expression>(properties.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            var name = TableSchema.ToSnakeCase(property.Name);
            if (!names.Add(name))
            {
                throw new ArgumentException($"Type {typeof(T).Name} maps two properties to the column '{name}'.", nameof(T));
            }
            var underlying = Nullable.GetUnderlyingType(property.PropertyType);
            var access = Expression.Property(value, property);
            Expression append;
            string sqlType;
            if (underlying is not null)
            {
                sqlType = SqlTypeOf(underlying);
                append = Expression.Condition(
                    Expression.Property(access, "HasValue"),
                    AppendValue(appender, Expression.Property(access, "Value"), underlying, name),
                    Expression.Call(appender, s_appendNull),
                    typeof(IDuckDBAppenderRow));
            }
            else
            {
                sqlType = SqlTypeOf(property.PropertyType);
                append = AppendValue(appender, access, property.PropertyType, name);
            }
            columns.Add(new TableColumn(name, sqlType, underlying is not null || !property.PropertyType.IsValueType, property.Name));
            appends.Add(append);
        }
        Columns = columns;
        _appendRow = Expression.Lambda<Action<IDuckDBAppenderRow, T>>(Expression.Block(typeof(void), appends), appender, value).Compile();
    }

    /// <summary>The columns, in property order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The quoted column names joined with ", " — for column lists in SQL.</summary>
    public string ColumnList => string.Join(", ", Columns.Select(c => TableSchema.Quote(c.Name)));

    /// <summary>Column definitions (<c>"name" TYPE, …</c>) for <c>CREATE TABLE</c>.</summary>
    public string ColumnDefinitions => string.Join(", ", Columns.Select(c => $"{TableSchema.Quote(c.Name)} {c.SqlType}"));

    /// <summary>Whether a column of this name exists.</summary>
    public bool HasColumn(string name) => Columns.Any(c => c.Name == name);

    /// <summary>
    /// Appends the values of <paramref name="value"/>'s columns to <paramref name="row"/>, which must belong to an
    /// appender on a table whose first columns are <see cref="Columns"/> (the caller appends any further columns and
    /// ends the row).
    /// </summary>
    /// <exception cref="NullReferenceException"><paramref name="value"/> is a null reference.</exception>
    /// <exception cref="OverflowException">A decimal is 10^14 or more in magnitude.</exception>
    public void AppendColumns(IDuckDBAppenderRow row, T value) => _appendRow(row, value);

    private static List<PropertyInfo> SelectProperties()
    {
        var type = typeof(T);
        var all = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .ToList();
        var isRecord = type.GetMethod("<Clone>$") is not null || type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
        if (isRecord)
        {
            // A positional record: its primary constructor's parameters name the positional properties, in order.
            var byName = all.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var primary = type.GetConstructors()
                .Where(c => c.GetParameters() is { Length: > 0 } ps && ps.All(p => p.Name is not null && byName.TryGetValue(p.Name, out var prop) && prop.PropertyType == p.ParameterType))
                .MaxBy(c => c.GetParameters().Length);
            if (primary is not null)
            {
                return [.. primary.GetParameters().Select(p => byName[p.Name!])];
            }
        }
        return all;
    }

    private static string SqlTypeOf(Type type) => type switch
    {
        _ when type == typeof(string) => "VARCHAR",
        _ when type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort) => "INTEGER",
        _ when type == typeof(long) || type == typeof(uint) => "BIGINT",
        _ when type == typeof(double) || type == typeof(float) => "DOUBLE",
        _ when type == typeof(decimal) => "DECIMAL(18,4)",
        _ when type == typeof(bool) => "BOOLEAN",
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static MethodCallExpression AppendValue(ParameterExpression row, Expression value, Type type, string column)
    {
        // DuckDB.NET's AppendValue overloads take Nullable<TValue>: lift the (non-null) value into one.
        static MethodCallExpression Append(ParameterExpression row, Expression value, Type parameter)
        {
            var nullable = parameter.IsValueType ? typeof(Nullable<>).MakeGenericType(parameter) : parameter;
            var method = typeof(IDuckDBAppenderRow).GetMethod(nameof(IDuckDBAppenderRow.AppendValue), [nullable])!;
            return Expression.Call(row, method, Expression.Convert(value, nullable));
        }

        if (type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(bool))
        {
            return Append(row, value, type);
        }
        if (type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort))
        {
            return Append(row, Expression.Convert(value, typeof(int)), typeof(int));
        }
        if (type == typeof(uint))
        {
            return Append(row, Expression.Convert(value, typeof(long)), typeof(long));
        }
        if (type == typeof(float))
        {
            return Append(row, Expression.Convert(value, typeof(double)), typeof(double));
        }
        if (type == typeof(decimal))
        {
            return Append(row, Expression.Call(s_toDecimal184, value, Expression.Constant(column)), typeof(decimal));
        }
        if (type == typeof(DateTime))
        {
            return Append(row, Expression.Call(s_toUtc, value), typeof(DateTime));
        }
        if (type == typeof(DateTimeOffset))
        {
            return Append(row, Expression.Property(value, nameof(DateTimeOffset.UtcDateTime)), typeof(DateTime));
        }
        return Expression.Call(s_appendText.MakeGenericMethod(type), row, value);
    }

    // DuckDB.NET truncates extra decimals and does not check the width: round like a SQL cast, refuse what cannot fit.
    private static decimal ToDecimal184(decimal value, string column)
    {
        var rounded = Math.Round(value, 4, MidpointRounding.AwayFromZero);
        return rounded is < DecimalLimit and > -DecimalLimit
            ? rounded
            : throw new OverflowException(string.Create(CultureInfo.InvariantCulture,
                $"The value {value} of column '{column}' does not fit DECIMAL(18,4) (at most 14 digits before the point); use double for larger values."));
    }

    // TIMESTAMP columns hold UTC: a local time is converted, UTC and unspecified times are taken as they are.
    private static DateTime ToUtc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;

    // Generic so value types are formatted without boxing.
    private static IDuckDBAppenderRow AppendText<TValue>(IDuckDBAppenderRow row, TValue value) =>
        value is null ? row.AppendNullValue() : row.AppendValue(value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString());
}
