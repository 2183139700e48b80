using System.Globalization;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// The statistics of one column of one data file as rows are written (PROTOCOL.md, "Per-file Statistics"): the null
/// count, and the minimum and maximum of numbers, decimals, strings, dates and timestamps. Strings are compared
/// in UTF-8 byte order (<see cref="Utf8Order"/>, as Delta and Parquet define it); a minimum longer than 32 characters is cut to its 32-character prefix (still a lower bound) and
/// a maximum longer than that is left out. Timestamps are written truncated to milliseconds, as the protocol allows.
/// A column that held NaN or an infinity gets no min/max. Not thread-safe; no allocation per value.
/// </summary>
internal sealed class ColumnStatistics(string name, DataType type)
{
    private const int MaxStringLength = 32;

    private long _nulls;
    private bool _any;
    private bool _unordered;
    private long _minLong = long.MaxValue, _maxLong = long.MinValue;
    private double _minDouble = double.MaxValue, _maxDouble = double.MinValue;
    private decimal _minDecimal = decimal.MaxValue, _maxDecimal = decimal.MinValue;
    private string? _minString, _maxString;

    /// <summary>The column's name.</summary>
    public string Name { get; } = name;

    /// <summary>Adds the value of field <paramref name="index"/> of <paramref name="row"/>.</summary>
    public void Add(Row row, int index)
    {
        if (row.IsNull(index))
        {
            _nulls++;
            return;
        }
        _any = true;
        switch (type.Kind)
        {
            case DataTypeKind.Int:
                Long(row.GetInt32(index));
                break;
            case DataTypeKind.BigInt:
                Long(row.GetInt64(index));
                break;
            case DataTypeKind.Date:
                Long(row.GetDate(index).DayNumber);
                break;
            case DataTypeKind.Timestamp:
                Long(row.GetTimestamp(index).Ticks);
                break;
            case DataTypeKind.TimestampLtz:
                Long(row.GetTimestampLtz(index).UtcTicks);
                break;
            case DataTypeKind.Float:
                Double(row.GetSingle(index));
                break;
            case DataTypeKind.Double:
                Double(row.GetDouble(index));
                break;
            case DataTypeKind.Decimal:
                var m = row.GetDecimal(index);
                _minDecimal = Math.Min(_minDecimal, m);
                _maxDecimal = Math.Max(_maxDecimal, m);
                break;
            case DataTypeKind.Varchar:
                var s = row.GetString(index)!;
                if (_minString is null || Utf8Order.Compare(s, _minString) < 0)
                {
                    _minString = s;
                }
                if (_maxString is null || Utf8Order.Compare(s, _maxString) > 0)
                {
                    _maxString = s;
                }
                break;
        }
    }

    private void Long(long value)
    {
        _minLong = Math.Min(_minLong, value);
        _maxLong = Math.Max(_maxLong, value);
    }

    private void Double(double value)
    {
        if (!double.IsFinite(value))
        {
            _unordered = true;
            return;
        }
        _minDouble = Math.Min(_minDouble, value);
        _maxDouble = Math.Max(_maxDouble, value);
    }

    /// <summary>Whether the column has min/max statistics.</summary>
    public bool HasBounds => _any && !_unordered && type.Kind is DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Date or DataTypeKind.Timestamp
        or DataTypeKind.TimestampLtz or DataTypeKind.Float or DataTypeKind.Double or DataTypeKind.Decimal or DataTypeKind.Varchar;

    /// <summary>Writes the minimum (<paramref name="max"/> false) or maximum as a property named after the column.</summary>
    public void WriteBound(Utf8JsonWriter writer, bool max)
    {
        var value = max ? _maxLong : _minLong;
        switch (type.Kind)
        {
            case DataTypeKind.Int or DataTypeKind.BigInt:
                writer.WriteNumber(Name, value);
                break;
            case DataTypeKind.Date:
                writer.WriteString(Name, DateOnly.FromDayNumber((int)value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case DataTypeKind.Timestamp:
                writer.WriteString(Name, new DateTime(value - value % TimeSpan.TicksPerMillisecond).ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture));
                break;
            case DataTypeKind.TimestampLtz:
                writer.WriteString(Name, new DateTime(value - value % TimeSpan.TicksPerMillisecond).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                break;
            case DataTypeKind.Float or DataTypeKind.Double:
                writer.WriteNumber(Name, max ? _maxDouble : _minDouble);
                break;
            case DataTypeKind.Decimal:
                writer.WriteNumber(Name, max ? _maxDecimal : _minDecimal);
                break;
            case DataTypeKind.Varchar:
                var s = max ? _maxString! : _minString!;
                if (s.Length <= MaxStringLength)
                {
                    writer.WriteString(Name, s);
                }
                else if (!max)
                {
                    writer.WriteString(Name, s[..Utf8Order.PrefixLength(s, MaxStringLength)]);
                }
                break;
        }
    }

    /// <summary>The number of nulls added.</summary>
    public long NullCount => _nulls;

    /// <summary>Whether <see cref="WriteBound"/> writes a maximum (a string maximum too long to cut is left out).</summary>
    public bool HasMax => HasBounds && (type.Kind != DataTypeKind.Varchar || _maxString!.Length <= MaxStringLength);

    /// <summary>Whether the column's type has statistics at all (nested types have none).</summary>
    public static bool Tracks(DataType type) => type.Kind is not (DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map);
}
