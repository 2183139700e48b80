using System.Globalization;

namespace Sluice.Schemas;

/// <summary>
/// Conversions that <see cref="RowConverter{T}"/>'s compiled delegates call per value. Public only so expression trees
/// bind to them; not part of the API.
/// </summary>
internal static class RecordValues
{
    /// <summary>A TIMESTAMP value: a Local time converted to UTC, then wall-clock (kind Unspecified).</summary>
    public static DateTime TimestampOf(DateTime value) =>
        DateTime.SpecifyKind(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value, DateTimeKind.Unspecified);

    /// <summary>A TIMESTAMP_LTZ value: the instant at offset zero.</summary>
    public static DateTimeOffset InstantOf(DateTimeOffset value) => new(value.UtcTicks, TimeSpan.Zero);

    /// <summary>A Guid in its <c>D</c> format.</summary>
    public static string GuidText(Guid value) => value.ToString("D", CultureInfo.InvariantCulture);

    /// <summary>A Guid from its text.</summary>
    /// <exception cref="FormatException">The text is not a Guid.</exception>
    public static Guid ParseGuid(string? text) =>
        Guid.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{text}' is not a Guid.");

    /// <summary>A DECIMAL(20, 0) back to <see cref="ulong"/>.</summary>
    /// <exception cref="OverflowException">The value is negative or too large.</exception>
    public static ulong ToUInt64(decimal value) => decimal.ToUInt64(value);

    /// <summary>Throws for a null field read into a non-nullable value type.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public static T NullField<T>(string field, string property) =>
        throw new InvalidOperationException($"Field '{field}' is null, but property {property} of type {typeof(T).Name} cannot hold null.");

    /// <summary>A boxed element of a value type.</summary>
    /// <exception cref="InvalidCastException">The element is null or of another type.</exception>
    public static T ElementAs<T>(object? value) where T : struct =>
        value is T typed ? typed : throw new InvalidCastException($"An array or map element is {Describe(value)} where a {typeof(T).Name} was expected.");

    /// <summary>An element of a reference type, or null.</summary>
    /// <exception cref="InvalidCastException">The element is of another type.</exception>
    public static T? ElementOrNull<T>(object? value) where T : class =>
        value is null or T ? (T?)value : throw new InvalidCastException($"An array or map element is {Describe(value)} where a {typeof(T).Name} was expected.");

    /// <summary>A nested record as a new row, or null.</summary>
    public static Row? ToNestedRow<T>(T? value, Schema schema, Action<T, Row> toRow)
    {
        if (value is null)
        {
            return null;
        }
        var row = new Row(schema);
        toRow(value, row);
        return row;
    }

    /// <summary>A nested row as a new record, or the default for null.</summary>
    public static T? FromNestedRow<T>(Row? row, RecordMapping mapping) =>
        row is null ? default : ((Func<Row, T>)mapping.FromRow)(row);

    /// <summary>A list's elements as the boxed values of an ARRAY, or null.</summary>
    public static object?[]? ToValues<T>(IReadOnlyList<T>? list, Func<T, object?> element)
    {
        if (list is null)
        {
            return null;
        }
        var values = list.Count == 0 ? [] : new object?[list.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = element(list[i]);
        }
        return values;
    }

    /// <summary>An ARRAY as an array, or null.</summary>
    public static T[]? ToArray<T>(IReadOnlyList<object?>? values, Func<object?, T> element)
    {
        if (values is null)
        {
            return null;
        }
        var array = values.Count == 0 ? [] : new T[values.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = element(values[i]);
        }
        return array;
    }

    /// <summary>An ARRAY as a list, or null.</summary>
    public static List<T>? ToList<T>(IReadOnlyList<object?>? values, Func<object?, T> element)
    {
        if (values is null)
        {
            return null;
        }
        var list = new List<T>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            list.Add(element(values[i]));
        }
        return list;
    }

    /// <summary>A dictionary's entries, in its enumeration order, as the entries of a MAP; or null.</summary>
    public static KeyValuePair<object, object?>[]? DictionaryEntries<TKey, TValue>(Dictionary<TKey, TValue>? map, Func<TKey, object?> key, Func<TValue, object?> value)
        where TKey : notnull
    {
        if (map is null)
        {
            return null;
        }
        var entries = map.Count == 0 ? [] : new KeyValuePair<object, object?>[map.Count];
        var i = 0;
        foreach (var entry in map)
        {
            entries[i++] = new KeyValuePair<object, object?>(key(entry.Key)!, value(entry.Value));
        }
        return entries;
    }

    /// <summary>A read-only dictionary's entries as the entries of a MAP; or null.</summary>
    public static KeyValuePair<object, object?>[]? ReadOnlyDictionaryEntries<TKey, TValue>(IReadOnlyDictionary<TKey, TValue>? map, Func<TKey, object?> key, Func<TValue, object?> value)
    {
        if (map is null)
        {
            return null;
        }
        var entries = new List<KeyValuePair<object, object?>>(map.Count);
        foreach (var entry in map)
        {
            entries.Add(new KeyValuePair<object, object?>(key(entry.Key)!, value(entry.Value)));
        }
        return [.. entries];
    }

    /// <summary>A MAP as a dictionary, or null.</summary>
    /// <exception cref="ArgumentException">Two entries have equal keys.</exception>
    public static Dictionary<TKey, TValue>? ToDictionary<TKey, TValue>(IReadOnlyList<KeyValuePair<object, object?>>? entries, Func<object?, TKey> key, Func<object?, TValue> value)
        where TKey : notnull
    {
        if (entries is null)
        {
            return null;
        }
        var map = new Dictionary<TKey, TValue>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            map.Add(key(entries[i].Key), value(entries[i].Value));
        }
        return map;
    }

    private static string Describe(object? value) => value is null ? "null" : "a " + value.GetType().Name;
}

/// <summary>Enum names without allocation: cached per value.</summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
internal static class EnumText<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> s_names = BuildNames();
    private static readonly Dictionary<string, TEnum> s_values = s_names.ToDictionary(e => e.Value, e => e.Key, StringComparer.Ordinal);

    /// <summary>The value's name (cached for declared values; <c>ToString()</c> for combinations and undeclared values).</summary>
    public static string Name(TEnum value) => s_names.TryGetValue(value, out var name) ? name : value.ToString();

    /// <summary>The value named <paramref name="text"/> (or a combination or number <see cref="Enum.Parse{TEnum}(string)"/> accepts).</summary>
    /// <exception cref="FormatException">The text names no value of the enum.</exception>
    public static TEnum Parse(string? text)
    {
        if (text is not null && s_values.TryGetValue(text, out var value))
        {
            return value;
        }
        return Enum.TryParse<TEnum>(text, ignoreCase: false, out value)
            ? value
            : throw new FormatException($"'{text}' is not a value of enum {typeof(TEnum).Name}.");
    }

    private static Dictionary<TEnum, string> BuildNames()
    {
        var names = new Dictionary<TEnum, string>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            names.TryAdd(value, value.ToString());
        }
        return names;
    }
}
