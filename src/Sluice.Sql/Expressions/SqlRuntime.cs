using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Operations compiled expressions call where SQL and C# differ: integer division (Java's: MIN / −1 wraps, division by
/// zero is an error naming the operator), DECIMAL results fitted to their type, ordering of strings and bytes,
/// equality of nested values and element lookup. Thread-safe, allocation-free.
/// </summary>
internal static class SqlRuntime
{
    public static int Divide(int a, int b) => b == 0 ? throw DivisionByZero("/") : b == -1 ? unchecked(-a) : a / b;

    public static long Divide(long a, long b) => b == 0 ? throw DivisionByZero("/") : b == -1 ? unchecked(-a) : a / b;

    public static int Modulo(int a, int b) => b == 0 ? throw DivisionByZero("%") : b == -1 ? 0 : a % b;

    public static long Modulo(long a, long b) => b == 0 ? throw DivisionByZero("%") : b == -1 ? 0 : a % b;

    /// <summary>10^(precision − scale): the smallest magnitude a DECIMAL type cannot hold.</summary>
    public static decimal Limit(DataType type)
    {
        var limit = 1m;
        for (var i = 0; i < type.Precision - type.Scale; i++)
        {
            limit *= 10m;
        }
        return limit;
    }

    public static decimal AddExact(decimal a, decimal b, decimal limit, DataType type)
    {
        try
        {
            return CheckLimit(a + b, limit, "+", type);
        }
        catch (OverflowException)
        {
            throw Overflow("+", type);
        }
    }

    public static decimal SubtractExact(decimal a, decimal b, decimal limit, DataType type)
    {
        try
        {
            return CheckLimit(a - b, limit, "-", type);
        }
        catch (OverflowException)
        {
            throw Overflow("-", type);
        }
    }

    public static decimal MultiplyExact(decimal a, decimal b, decimal limit, DataType type)
    {
        try
        {
            return CheckLimit(a * b, limit, "*", type);
        }
        catch (OverflowException)
        {
            throw Overflow("*", type);
        }
    }

    public static decimal Add(decimal a, decimal b, DataType type)
    {
        try
        {
            return Fit(a + b, type, "+");
        }
        catch (OverflowException)
        {
            throw Overflow("+", type);
        }
    }

    public static decimal Subtract(decimal a, decimal b, DataType type)
    {
        try
        {
            return Fit(a - b, type, "-");
        }
        catch (OverflowException)
        {
            throw Overflow("-", type);
        }
    }

    public static decimal Multiply(decimal a, decimal b, DataType type)
    {
        try
        {
            return Fit(a * b, type, "*");
        }
        catch (OverflowException)
        {
            throw Overflow("*", type);
        }
    }

    public static decimal Divide(decimal a, decimal b, DataType type)
    {
        if (b == 0m)
        {
            throw DivisionByZero("/");
        }
        try
        {
            return Fit(a / b, type, "/");
        }
        catch (OverflowException)
        {
            throw Overflow("/", type);
        }
    }

    public static decimal Modulo(decimal a, decimal b, DataType type) => b == 0m ? throw DivisionByZero("%") : Fit(a % b, type, "%");

    public static int CompareStrings(string a, string b) => string.CompareOrdinal(a, b);

    public static int CompareBytes(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    public static int CompareBooleans(bool a, bool b) => a.CompareTo(b);

    public static bool BytesEqual(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    public static bool NestedEqual(object a, object b) => Row.ValueEquals(a, b);

    /// <summary>The 1-based element of an array, or null (out of range or a NULL element).</summary>
    public static object? ArrayElement(IReadOnlyList<object?> array, int index) =>
        index >= 1 && index <= array.Count ? array[index - 1] : null;

    /// <summary>The value of the first entry with an equal key, or null.</summary>
    public static object? MapValue(IReadOnlyList<KeyValuePair<object, object?>> map, object key)
    {
        for (var i = 0; i < map.Count; i++)
        {
            if (Row.ValueEquals(map[i].Key, key))
            {
                return map[i].Value;
            }
        }
        return null;
    }

    /// <summary>
    /// The MAP of <c>MAP[k1, v1, …]</c> from its keys and values in turn: a repeated key keeps its last value (at the
    /// position of its first); a NULL key fails the row.
    /// </summary>
    /// <exception cref="SqlEvaluationException">A key is NULL.</exception>
    public static IReadOnlyList<KeyValuePair<object, object?>> NewMap(object?[] keysAndValues)
    {
        var entries = new List<KeyValuePair<object, object?>>(keysAndValues.Length / 2);
        for (var i = 0; i < keysAndValues.Length; i += 2)
        {
            var key = keysAndValues[i] ?? throw new SqlEvaluationException($"MAP[…] key {(i / 2) + 1} is NULL; map keys cannot be NULL.");
            var replaced = false;
            for (var j = 0; j < entries.Count && !replaced; j++)
            {
                if (Row.ValueEquals(entries[j].Key, key))
                {
                    entries[j] = new(entries[j].Key, keysAndValues[i + 1]);
                    replaced = true;
                }
            }
            if (!replaced)
            {
                entries.Add(new(key, keysAndValues[i + 1]));
            }
        }
        return entries;
    }

    public static DateTime AddInterval(DateTime value, long amount, bool months) =>
        months ? value.AddMonths(checked((int)amount)) : value.AddTicks(amount * TimeSpan.TicksPerMillisecond);

    public static DateTimeOffset AddInterval(DateTimeOffset value, long amount, bool months) =>
        months ? value.AddMonths(checked((int)amount)) : value.AddTicks(amount * TimeSpan.TicksPerMillisecond);

    /// <summary>DATE ± a day-time interval moves by whole days (the interval's milliseconds divided by a day, truncated).</summary>
    public static DateOnly AddInterval(DateOnly value, long amount, bool months) =>
        months ? value.AddMonths(checked((int)amount)) : value.AddDays(checked((int)(amount / 86_400_000L)));

    public static TimeOnly AddInterval(TimeOnly value, long amount, bool months) =>
        months ? value : value.Add(TimeSpan.FromMilliseconds(amount));

    private static decimal CheckLimit(decimal value, decimal limit, string op, DataType type) =>
        value < limit && value > -limit ? value : throw Overflow(op, type);

    private static decimal Fit(decimal value, DataType type, string op) =>
        type.TryRoundDecimal(value, out var rounded) ? rounded : throw Overflow(op, type);

    private static SqlEvaluationException DivisionByZero(string op) => new($"Division by zero in '{op}'.");

    private static SqlEvaluationException Overflow(string op, DataType type) =>
        new($"The result of '{op}' does not fit {type.Nullable()}; CAST an operand to a DECIMAL with more integer digits or to DOUBLE.");
}
