using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sluice.Schemas;

/// <summary>
/// A logical SQL type: its <see cref="Kind"/>, whether it admits null, and its parameters (precision and scale,
/// element, key and value types, nested fields). Immutable and thread-safe; equal types compare equal with
/// <see cref="Equals(DataType?)"/>. Types are nullable unless made <see cref="NotNull"/>, as in SQL.
/// </summary>
/// <remarks>
/// The CLR value a <see cref="Schemas.Row"/> holds for each kind is listed on <see cref="DataTypeKind"/>. Text such as
/// <c>DECIMAL(10, 2) NOT NULL</c> or <c>ARRAY&lt;ROW&lt;id BIGINT, tags MAP&lt;STRING, INT&gt;&gt;&gt;</c> is read by
/// <see cref="Parse"/> and written by <see cref="ToString"/>.
/// </remarks>
public sealed class DataType : IEquatable<DataType>
{
    /// <summary>The largest <c>DECIMAL</c> precision: the 28 significant digits a <see cref="decimal"/> holds exactly.</summary>
    public const int MaxDecimalPrecision = 28;

    /// <summary>The largest fractional-second precision of <c>TIME</c> and <c>TIMESTAMP</c> (nanoseconds).</summary>
    public const int MaxTimePrecision = 9;

    /// <summary>The precision of <c>TIMESTAMP</c> and <c>TIMESTAMP_LTZ</c> written without one (microseconds), as in Flink.</summary>
    public const int DefaultTimestampPrecision = 6;

    private static readonly decimal[] s_powersOfTen = CreatePowersOfTen();

    private DataType(DataTypeKind kind, bool isNullable, int precision = 0, int scale = 0, DataType? element = null, DataType? value = null, Schema? fields = null)
    {
        Kind = kind;
        IsNullable = isNullable;
        Precision = precision;
        Scale = scale;
        ElementType = element;
        ValueType = value;
        Fields = fields;
    }

    /// <summary>Nullable <c>BOOLEAN</c>.</summary>
    public static DataType Boolean { get; } = new(DataTypeKind.Boolean, true);

    /// <summary>Nullable <c>INT</c>.</summary>
    public static DataType Int { get; } = new(DataTypeKind.Int, true);

    /// <summary>Nullable <c>BIGINT</c>.</summary>
    public static DataType BigInt { get; } = new(DataTypeKind.BigInt, true);

    /// <summary>Nullable <c>FLOAT</c>.</summary>
    public static DataType Float { get; } = new(DataTypeKind.Float, true);

    /// <summary>Nullable <c>DOUBLE</c>.</summary>
    public static DataType Double { get; } = new(DataTypeKind.Double, true);

    /// <summary>Nullable <c>VARCHAR</c> (Flink's <c>STRING</c>).</summary>
    public static DataType Varchar { get; } = new(DataTypeKind.Varchar, true);

    /// <summary>Nullable <c>BYTES</c>.</summary>
    public static DataType Bytes { get; } = new(DataTypeKind.Bytes, true);

    /// <summary>Nullable <c>DATE</c>.</summary>
    public static DataType Date { get; } = new(DataTypeKind.Date, true);

    /// <summary>The kind of type.</summary>
    public DataTypeKind Kind { get; }

    /// <summary>Whether a value of this type may be null.</summary>
    public bool IsNullable { get; }

    /// <summary>DECIMAL: total digits (1–28); TIME, TIMESTAMP, TIMESTAMP_LTZ: fractional-second digits (0–9); otherwise 0.</summary>
    public int Precision { get; }

    /// <summary>DECIMAL: digits after the point (0 ≤ scale ≤ precision); otherwise 0.</summary>
    public int Scale { get; }

    /// <summary>ARRAY: the element type; MAP: the key type (never nullable); otherwise null.</summary>
    public DataType? ElementType { get; }

    /// <summary>MAP: the value type; otherwise null.</summary>
    public DataType? ValueType { get; }

    /// <summary>ROW: the nested fields; otherwise null.</summary>
    public Schema? Fields { get; }

    /// <summary>MAP: the key type (the same object as <see cref="ElementType"/>); otherwise null.</summary>
    public DataType? KeyType => Kind == DataTypeKind.Map ? ElementType : null;

    /// <summary>Nullable <c>DECIMAL(precision, scale)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Precision outside [1, 28] or scale outside [0, precision].</exception>
    public static DataType Decimal(int precision, int scale)
    {
        if (precision is < 1 or > MaxDecimalPrecision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"DECIMAL precision must be in [1, {MaxDecimalPrecision}]: Sluice holds decimals as System.Decimal.");
        }
        if (scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"DECIMAL scale must be in [0, precision={precision}].");
        }
        return new DataType(DataTypeKind.Decimal, true, precision, scale);
    }

    /// <summary>Nullable <c>TIME(precision)</c>; SQL's default precision is 0 (whole seconds).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Precision outside [0, 9].</exception>
    public static DataType Time(int precision = 0) => new(DataTypeKind.Time, true, CheckTimePrecision(precision));

    /// <summary>Nullable <c>TIMESTAMP(precision)</c>, a wall-clock date and time without time zone.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Precision outside [0, 9].</exception>
    public static DataType Timestamp(int precision = DefaultTimestampPrecision) => new(DataTypeKind.Timestamp, true, CheckTimePrecision(precision));

    /// <summary>Nullable <c>TIMESTAMP_LTZ(precision)</c>, an instant.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Precision outside [0, 9].</exception>
    public static DataType TimestampLtz(int precision = DefaultTimestampPrecision) => new(DataTypeKind.TimestampLtz, true, CheckTimePrecision(precision));

    /// <summary>Nullable <c>ARRAY&lt;element&gt;</c>.</summary>
    public static DataType Array(DataType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new DataType(DataTypeKind.Array, true, element: element);
    }

    /// <summary>Nullable <c>MAP&lt;key, value&gt;</c>; the key type is made NOT NULL (map keys are never null).</summary>
    public static DataType Map(DataType key, DataType value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return new DataType(DataTypeKind.Map, true, element: key.NotNull(), value: value);
    }

    /// <summary>Nullable <c>ROW&lt;…&gt;</c> of <paramref name="fields"/>.</summary>
    public static DataType Row(Schema fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new DataType(DataTypeKind.Row, true, fields: fields);
    }

    /// <summary>Nullable <c>ROW&lt;…&gt;</c> of <paramref name="fields"/>.</summary>
    public static DataType Row(params Field[] fields) => Row(new Schema(fields));

    /// <summary>Reads SQL type text: <c>BIGINT NOT NULL</c>, <c>DECIMAL(10, 2)</c>, <c>MAP&lt;STRING, ARRAY&lt;INT&gt;&gt;</c>…</summary>
    /// <exception cref="FormatException">The text is not a type; the message names the position and what was expected.</exception>
    public static DataType Parse(string text) => DataTypeParser.Parse(text);

    /// <summary>
    /// Reads one type that starts at <paramref name="offset"/> of <paramref name="text"/> and may be followed by other
    /// text — the entry for parsers of larger languages (SQL's DDL and CAST), so there is one type grammar. Spaces
    /// before the type are skipped; SQL comments inside a type are not. Never throws on bad text.
    /// </summary>
    /// <param name="text">The whole text; only the part from <paramref name="offset"/> is read.</param>
    /// <param name="offset">Where the type starts (spaces may come first).</param>
    /// <param name="type">The type, on success.</param>
    /// <param name="end">On success the offset just past the type's last character; on failure the offset of the text
    /// that is wrong.</param>
    /// <param name="error">On failure, what was expected at <paramref name="end"/> (a phrase such as <c>a number</c>)
    /// when <paramref name="isExpectation"/> is true, otherwise a sentence saying what is wrong with the type.</param>
    /// <param name="isExpectation">On failure, whether <paramref name="error"/> names what was expected.</param>
    /// <returns>Whether a type was read.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> lies outside the text.</exception>
    internal static bool TryParse(string text, int offset, [NotNullWhen(true)] out DataType? type, out int end, [NotNullWhen(false)] out string? error, out bool isExpectation) =>
        DataTypeParser.TryParsePrefix(text, offset, out type, out end, out error, out isExpectation);

    /// <summary>This type, admitting null.</summary>
    public DataType Nullable() => IsNullable ? this : WithNullability(true);

    /// <summary>This type, not admitting null (<c>… NOT NULL</c>).</summary>
    public DataType NotNull() => IsNullable ? WithNullability(false) : this;

    /// <summary>This type with the nullability given.</summary>
    public DataType WithNullability(bool isNullable) =>
        isNullable == IsNullable ? this : new DataType(Kind, isNullable, Precision, Scale, ElementType, ValueType, Fields);

    /// <summary>The CLR type a <see cref="Schemas.Row"/> holds for this type (boxed in <see cref="Schemas.Row.GetValue"/>).</summary>
    public Type ClrType => Kind switch
    {
        DataTypeKind.Boolean => typeof(bool),
        DataTypeKind.Int => typeof(int),
        DataTypeKind.BigInt => typeof(long),
        DataTypeKind.Float => typeof(float),
        DataTypeKind.Double => typeof(double),
        DataTypeKind.Decimal => typeof(decimal),
        DataTypeKind.Varchar => typeof(string),
        DataTypeKind.Bytes => typeof(byte[]),
        DataTypeKind.Date => typeof(DateOnly),
        DataTypeKind.Time => typeof(TimeOnly),
        DataTypeKind.Timestamp => typeof(DateTime),
        DataTypeKind.TimestampLtz => typeof(DateTimeOffset),
        DataTypeKind.Row => typeof(Row),
        DataTypeKind.Array => typeof(IReadOnlyList<object?>),
        DataTypeKind.Map => typeof(IReadOnlyList<KeyValuePair<object, object?>>),
        _ => throw new InvalidOperationException($"Unknown kind {Kind}."),
    };

    /// <inheritdoc />
    public bool Equals(DataType? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Kind == other.Kind && IsNullable == other.IsNullable && Precision == other.Precision && Scale == other.Scale
                && Equals(ElementType, other.ElementType) && Equals(ValueType, other.ValueType) && Equals(Fields, other.Fields)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DataType);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, IsNullable, Precision, Scale, ElementType, ValueType, Fields);

    /// <summary>The SQL text of the type, for example <c>DECIMAL(10, 2) NOT NULL</c>; <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text);
        return text.ToString();
    }

    internal void Append(StringBuilder text, bool descriptions = true)
    {
        switch (Kind)
        {
            case DataTypeKind.Boolean:
                text.Append("BOOLEAN");
                break;
            case DataTypeKind.Int:
                text.Append("INT");
                break;
            case DataTypeKind.BigInt:
                text.Append("BIGINT");
                break;
            case DataTypeKind.Float:
                text.Append("FLOAT");
                break;
            case DataTypeKind.Double:
                text.Append("DOUBLE");
                break;
            case DataTypeKind.Decimal:
                text.Append("DECIMAL(").Append(Precision).Append(", ").Append(Scale).Append(')');
                break;
            case DataTypeKind.Varchar:
                text.Append("VARCHAR");
                break;
            case DataTypeKind.Bytes:
                text.Append("BYTES");
                break;
            case DataTypeKind.Date:
                text.Append("DATE");
                break;
            case DataTypeKind.Time:
                text.Append("TIME(").Append(Precision).Append(')');
                break;
            case DataTypeKind.Timestamp:
                text.Append("TIMESTAMP(").Append(Precision).Append(')');
                break;
            case DataTypeKind.TimestampLtz:
                text.Append("TIMESTAMP_LTZ(").Append(Precision).Append(')');
                break;
            case DataTypeKind.Array:
                text.Append("ARRAY<");
                ElementType!.Append(text, descriptions);
                text.Append('>');
                break;
            case DataTypeKind.Map:
                text.Append("MAP<");
                ElementType!.Append(text, descriptions);
                text.Append(", ");
                ValueType!.Append(text, descriptions);
                text.Append('>');
                break;
            case DataTypeKind.Row:
                Fields!.AppendRow(text, descriptions);
                break;
            default:
                throw new InvalidOperationException($"Unknown kind {Kind}.");
        }
        if (!IsNullable)
        {
            text.Append(" NOT NULL");
        }
    }

    /// <summary>
    /// Rounds <paramref name="value"/> half away from zero to this DECIMAL's scale (SQL's rounding) and says whether the
    /// result fits its precision: true with the rounded value, or false when it has more than precision − scale
    /// integer digits.
    /// </summary>
    /// <exception cref="InvalidOperationException">This type is not a DECIMAL.</exception>
    public bool TryRoundDecimal(decimal value, out decimal rounded)
    {
        if (Kind != DataTypeKind.Decimal)
        {
            throw new InvalidOperationException($"{this} is not a DECIMAL type.");
        }
        rounded = decimal.Round(value, Scale, MidpointRounding.AwayFromZero);
        return Math.Abs(rounded) < s_powersOfTen[Precision - Scale];
    }

    private static decimal[] CreatePowersOfTen()
    {
        var powers = new decimal[MaxDecimalPrecision + 1];
        powers[0] = 1m;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10m;
        }
        return powers;
    }

    private static int CheckTimePrecision(int precision) =>
        precision is < 0 or > MaxTimePrecision
            ? throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Fractional-second precision must be in [0, {MaxTimePrecision}].")
            : precision;
}
