using System.Globalization;
using Sluice.Quality.Rules;
using Sluice.Schemas;

namespace Sluice.Quality;

/// <summary>
/// The rules of an expectation over a stream of <see cref="Row"/>s of a known <see cref="Schema"/>, declared with
/// <see cref="QualityStreamExtensions.Expect(DataStream{Row}, Schema, Func{RowExpectations, RowExpectations}, string?)"/>.
/// Rules name columns; each is checked against the schema as it is declared, so a rule that names a missing column, or
/// whose values do not fit the column's type, fails the job's construction with an <see cref="ArgumentException"/>
/// naming the rule and the column. Every method returns this builder.
/// </summary>
public sealed class RowExpectations
{
    internal RowExpectations(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
    }

    /// <summary>The schema the rows have.</summary>
    public Schema Schema { get; }

    internal List<Rule<Row>> Rules { get; } = [];

    internal Func<Row, RecordOrigin?>? Origin { get; private set; }

    /// <summary>not_null: <paramref name="column"/> is not null.</summary>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a column.</exception>
    public RowExpectations NotNull(string rule, string column, RuleAction action = RuleAction.DeadLetter)
    {
        var index = Column(rule, column);
        return Add(new NotNullRule<Row, bool>(rule, column, new ColumnAccessor<bool>(index, static (_, _) => true), action));
    }

    /// <summary>
    /// range: <paramref name="min"/> ≤ value ≤ <paramref name="max"/>; a null passes. Numeric bounds are converted to the
    /// column's numeric type (exactly; a bound it cannot hold is an error).
    /// </summary>
    /// <exception cref="ArgumentException">Not a column, a column that has no order (BYTES, ROW, ARRAY, MAP, BOOLEAN), or bounds of another type.</exception>
    public RowExpectations Range<TValue>(string rule, string column, TValue min, TValue max, RuleAction action = RuleAction.DeadLetter)
        where TValue : IComparable<TValue>
    {
        var index = Column(rule, column);
        var type = Schema[index].Type;
        return Add(type.Kind switch
        {
            DataTypeKind.Int => RangeOf(rule, column, index, static (r, i) => r.GetInt32(i), min, max, action),
            DataTypeKind.BigInt => RangeOf(rule, column, index, static (r, i) => r.GetInt64(i), min, max, action),
            DataTypeKind.Float => RangeOf(rule, column, index, static (r, i) => r.GetSingle(i), min, max, action),
            DataTypeKind.Double => RangeOf(rule, column, index, static (r, i) => r.GetDouble(i), min, max, action),
            DataTypeKind.Decimal => RangeOf(rule, column, index, static (r, i) => r.GetDecimal(i), min, max, action),
            DataTypeKind.Varchar => RangeOf(rule, column, index, static (r, i) => new OrdinalString(r.GetString(i)!), min, max, action),
            DataTypeKind.Date => RangeOf(rule, column, index, static (r, i) => r.GetDate(i), min, max, action),
            DataTypeKind.Time => RangeOf(rule, column, index, static (r, i) => r.GetTime(i), min, max, action),
            DataTypeKind.Timestamp => RangeOf(rule, column, index, static (r, i) => r.GetTimestamp(i), min, max, action),
            DataTypeKind.TimestampLtz => RangeOf(rule, column, index, static (r, i) => r.GetTimestampLtz(i), min, max, action),
            _ => throw new ArgumentException($"Rule '{rule}' is a range on column '{column}' of type {type}, which has no order; a range needs a number, text, date or time column.", nameof(column)),
        });
    }

    /// <summary>regex: the text of VARCHAR <paramref name="column"/> matches <paramref name="pattern"/>; see <see cref="Expectations{T}.Matches"/>.</summary>
    /// <exception cref="ArgumentException">Not a column, not a VARCHAR column, or not a valid pattern.</exception>
    public RowExpectations Matches(string rule, string column, string pattern, TimeSpan? timeout = null, RuleAction action = RuleAction.DeadLetter)
    {
        var index = Column(rule, column, DataTypeKind.Varchar);
        return Add(new RegexRule<Row>(rule, column, new ColumnAccessor<string>(index, static (r, i) => r.GetString(i)!), pattern, timeout, action));
    }

    /// <summary>accepted_values: the value is one of <paramref name="values"/> (converted to the column's type as for <see cref="Range{TValue}"/>); a null passes.</summary>
    /// <exception cref="ArgumentException">Not a column, or values that do not fit its type.</exception>
    public RowExpectations AcceptedValues<TValue>(string rule, string column, IEnumerable<TValue> values, RuleAction action = RuleAction.DeadLetter)
        where TValue : notnull
    {
        ArgumentNullException.ThrowIfNull(values);
        var index = Column(rule, column);
        var type = Schema[index].Type;
        var list = values.Cast<object>().ToList();
        return Add(type.Kind switch
        {
            DataTypeKind.Int => AcceptedOf(rule, column, index, static (r, i) => r.GetInt32(i), list, action),
            DataTypeKind.BigInt => AcceptedOf(rule, column, index, static (r, i) => r.GetInt64(i), list, action),
            DataTypeKind.Decimal => AcceptedOf(rule, column, index, static (r, i) => r.GetDecimal(i), list, action),
            DataTypeKind.Varchar => AcceptedOf(rule, column, index, static (r, i) => r.GetString(i)!, list, action),
            DataTypeKind.Boolean => AcceptedOf(rule, column, index, static (r, i) => r.GetBoolean(i), list, action),
            DataTypeKind.Date => AcceptedOf(rule, column, index, static (r, i) => r.GetDate(i), list, action),
            _ => throw new ArgumentException($"Rule '{rule}' lists accepted values of column '{column}' of type {type}; accepted values need an INT, BIGINT, DECIMAL, VARCHAR, BOOLEAN or DATE column.", nameof(column)),
        });
    }

    /// <summary>unique: no two rows have the same value of <paramref name="column"/> (INT, BIGINT or VARCHAR) within <paramref name="horizon"/>; see <see cref="Expectations{T}.Unique"/>.</summary>
    /// <exception cref="ArgumentException">Not a column, or a column of another type.</exception>
    public RowExpectations Unique(string rule, string column, TimeSpan horizon, RuleAction action = RuleAction.DeadLetter)
    {
        var index = Column(rule, column);
        var type = Schema[index].Type;
        return Add(type.Kind switch
        {
            DataTypeKind.Int or DataTypeKind.BigInt => new UniqueRule<Row, long?>(rule, column,
                row => row.IsNull(index) ? null : type.Kind == DataTypeKind.Int ? row.GetInt32(index) : row.GetInt64(index), 0L, NullableHasher.Instance, horizon, action),
            DataTypeKind.Varchar => new UniqueRule<Row, string>(rule, column, row => row.GetString(index)!, "", KeyHasher.For<string>(), horizon, action),
            _ => throw new ArgumentException($"Rule '{rule}' is a unique rule on column '{column}' of type {type}; a unique key must be an INT, BIGINT or VARCHAR column.", nameof(column)),
        });
    }

    /// <summary>referential: the value of <paramref name="column"/> is one of the keys <paramref name="loadKeys"/> returns for <paramref name="table"/> when the operator opens; a null passes.</summary>
    /// <exception cref="ArgumentException">Not a column, or a column whose type is not <typeparamref name="TKey"/>.</exception>
    public RowExpectations References<TKey>(string rule, string column, string table, Func<IEnumerable<TKey>> loadKeys, RuleAction action = RuleAction.DeadLetter)
        where TKey : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(loadKeys);
        var index = Column(rule, column);
        var type = Schema[index].Type;
        if (type.ClrType != typeof(TKey))
        {
            throw new ArgumentException($"Rule '{rule}' looks up column '{column}' of type {type} among keys of type {typeof(TKey).Name}; load keys of type {type.ClrType.Name}.", nameof(column));
        }
        return Add(new ReferenceRule<Row, TKey>(rule, column, new ColumnAccessor<TKey>(index, static (r, i) => (TKey)r.GetValue(i)!), table, loadKeys, action));
    }

    /// <summary>schema: each row has <see cref="Schema"/> (same fields and types) and no null in a NOT NULL column.</summary>
    public RowExpectations ConformsToSchema(string rule, RuleAction action = RuleAction.DeadLetter) => Add(new SchemaRule(rule, Schema, action));

    /// <summary>custom: <paramref name="predicate"/> holds; <paramref name="column"/> names the column at fault (or null for the whole row).</summary>
    /// <exception cref="ArgumentException"><paramref name="column"/> is given and is not a column.</exception>
    public RowExpectations Satisfies(string rule, string? column, Func<Row, bool> predicate, string? description = null, RuleAction action = RuleAction.DeadLetter)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (column is not null)
        {
            Column(rule, column);
        }
        return Add(new PredicateRule<Row>(rule, column, predicate, description ?? "the predicate", action));
    }

    /// <summary>freshness; see <see cref="Expectations{T}.Freshness"/>.</summary>
    public RowExpectations Freshness(string rule, TimeSpan maxLag, TimeSpan? checkEvery = null, RuleAction action = RuleAction.Warn) =>
        Add(new FreshnessRule<Row>(rule, maxLag, checkEvery, action));

    /// <summary>volume; see <see cref="Expectations{T}.Volume"/>.</summary>
    public RowExpectations Volume(string rule, TimeSpan window, long min = 0, long max = long.MaxValue, int trailingWindows = 0, double sigmas = 3, RuleAction action = RuleAction.Warn) =>
        Add(new VolumeRule<Row>(rule, window, min, max, trailingWindows, sigmas, action));

    /// <summary>Where a row came from (its topic, partition and offset), when it carries it: copied into its dead letter.</summary>
    public RowExpectations DeadLetterOrigin(Func<Row, RecordOrigin?> origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        Origin = origin;
        return this;
    }

    internal RowExpectations Add(Rule<Row> rule)
    {
        Rules.Add(rule);
        return this;
    }

    private int Column(string rule, string column, DataTypeKind? kind = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rule);
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        var index = Schema.IndexOf(column);
        if (index < 0)
        {
            throw new ArgumentException($"Rule '{rule}' names column '{column}', which is not a column of {Schema}; name one of its columns.", nameof(column));
        }
        if (kind is { } expected && Schema[index].Type.Kind != expected)
        {
            throw new ArgumentException($"Rule '{rule}' needs column '{column}' to be {expected.ToString().ToUpperInvariant()}, but it is {Schema[index].Type}.", nameof(column));
        }
        return index;
    }

    private static RangeRule<Row, TColumn> RangeOf<TColumn, TValue>(string rule, string column, int index, Func<Row, int, TColumn> getter, TValue min, TValue max, RuleAction action)
        where TColumn : IComparable<TColumn> =>
        new(rule, column, new ColumnAccessor<TColumn>(index, getter), Fit<TColumn>(rule, column, min), Fit<TColumn>(rule, column, max), action);

    private static AcceptedValuesRule<Row, TColumn> AcceptedOf<TColumn>(string rule, string column, int index, Func<Row, int, TColumn> getter, List<object> values, RuleAction action)
        where TColumn : notnull =>
        new(rule, column, new ColumnAccessor<TColumn>(index, getter), values.Select(v => Fit<TColumn>(rule, column, v)), action);

    /// <summary>A bound or value as the column's type: itself when it has that type, or an exact numeric conversion.</summary>
    private static TColumn Fit<TColumn>(string rule, string column, object? value)
    {
        switch (value)
        {
            case TColumn same:
                return same;
            case string text when typeof(TColumn) == typeof(OrdinalString):
                return (TColumn)(object)new OrdinalString(text);
            case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal when IsNumeric(typeof(TColumn)):
                try
                {
                    var converted = (TColumn)Convert.ChangeType(value, typeof(TColumn), CultureInfo.InvariantCulture);
                    if (Convert.ToDecimal(converted, CultureInfo.InvariantCulture) == Convert.ToDecimal(value, CultureInfo.InvariantCulture))
                    {
                        return converted;
                    }
                }
                catch (OverflowException)
                {
                }
                throw new ArgumentException($"Rule '{rule}': the value {Rule<Row>.Show(value)} does not fit column '{column}' of type {typeof(TColumn).Name} exactly.", nameof(value));
            default:
                throw new ArgumentException(
                    $"Rule '{rule}' compares column '{column}' (values of type {Display(typeof(TColumn))}) with {Rule<Row>.Show(value)} of type {value?.GetType().Name ?? "null"}; give values of the column's type.",
                    nameof(value));
        }
    }

    private static bool IsNumeric(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double) || type == typeof(decimal);

    private static string Display(Type type) => type == typeof(OrdinalString) ? "String" : type.Name;

    /// <summary>Hashes a nullable integer key as a <see cref="long"/>; null hashes to 0 (a null key passes the rule).</summary>
    private sealed class NullableHasher : IKeyHasher<long?>
    {
        public static readonly NullableHasher Instance = new();
        private static readonly IKeyHasher<long> s_inner = KeyHasher.For<long>();

        public int Hash(long? key) => key is { } k ? s_inner.Hash(k) : 0;
    }
}

/// <summary>Text compared ordinally (culture-free), for ranges over VARCHAR columns.</summary>
internal readonly record struct OrdinalString(string Value) : IComparable<OrdinalString>
{
    public int CompareTo(OrdinalString other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
