using Sluice.Schemas;

namespace Sluice.Connectors.Datagen;

/// <summary>
/// Makes the values of one column (or of a nested element) of a datagen row. Random generators draw from the row's
/// <see cref="SplitMix64"/>, seeded by (seed, row index), so a row is a pure function of its index and the clock:
/// the same index gives the same row after a restore. Immutable and thread-safe; <see cref="Write"/> allocates only
/// the value itself (strings, byte arrays, nested rows and collections).
/// </summary>
internal abstract class DatagenFieldGenerator
{
    /// <summary>Writes the value for row <paramref name="rowIndex"/> into field <paramref name="field"/> of <paramref name="row"/>, unboxed where the type allows.</summary>
    public abstract void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs);

    /// <summary>The value as a boxed CLR value (for ARRAY and MAP elements).</summary>
    public abstract object Generate(ref SplitMix64 random, long rowIndex, long nowMs);

    /// <summary>A random generator for <paramref name="type"/> with the defaults (full range, length 100 for text, 3 elements for collections, max-past 0).</summary>
    public static DatagenFieldGenerator RandomFor(DataType type) => RandomFor(type, DatagenFieldSettings.Defaults);

    /// <summary>A random generator for <paramref name="type"/> with <paramref name="settings"/> (already checked against the type).</summary>
    public static DatagenFieldGenerator RandomFor(DataType type, DatagenFieldSettings settings) => type.Kind switch
    {
        DataTypeKind.Boolean => new RandomBoolean(),
        DataTypeKind.Int => new RandomInteger(settings.Min is long min ? min : int.MinValue, settings.Max is long max ? max : int.MaxValue, isInt: true),
        DataTypeKind.BigInt => new RandomInteger(settings.Min is long min ? min : long.MinValue, settings.Max is long max ? max : long.MaxValue, isInt: false),
        DataTypeKind.Float => new RandomFloating(settings.Min is double min ? min : float.MinValue, settings.Max is double max ? max : float.MaxValue, isFloat: true),
        DataTypeKind.Double => new RandomFloating(settings.Min is double min ? min : double.MinValue, settings.Max is double max ? max : double.MaxValue, isFloat: false),
        DataTypeKind.Decimal => new RandomDecimal(type, settings.Min is decimal min ? min : -LargestDecimal(type), settings.Max is decimal max ? max : LargestDecimal(type)),
        DataTypeKind.Varchar => new RandomText(settings.Length ?? DatagenFieldSettings.DefaultTextLength),
        DataTypeKind.Bytes => new RandomBytes(settings.Length ?? DatagenFieldSettings.DefaultTextLength),
        DataTypeKind.Date or DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz => new RandomTemporal(type.Kind, settings.MaxPast),
        DataTypeKind.Row => new RandomRow(type.Fields!),
        DataTypeKind.Array => new RandomArray(RandomFor(type.ElementType!), settings.Length ?? DatagenFieldSettings.DefaultCollectionSize),
        DataTypeKind.Map => new RandomMap(RandomFor(type.KeyType!), RandomFor(type.ValueType!), settings.Length ?? DatagenFieldSettings.DefaultCollectionSize),
        _ => throw new NotSupportedException($"Datagen cannot generate {type}."),
    };

    /// <summary>
    /// A sequence generator: row <c>n</c> gets <c>start + n</c> (INT, BIGINT, FLOAT, DOUBLE, DECIMAL, or its digits
    /// for VARCHAR). The factory checks that the types fit and bounds the rows by the sequence's end.
    /// </summary>
    public static DatagenFieldGenerator SequenceFor(DataType type, long start) => new Sequence(type.Kind, start);

    /// <summary>The largest value of a DECIMAL(p, s): p − s nines before the point and s after.</summary>
    public static decimal LargestDecimal(DataType type)
    {
        var value = 1m;
        for (var i = 0; i < type.Precision - type.Scale; i++)
        {
            value *= 10m;
        }
        var step = 1m;
        for (var i = 0; i < type.Scale; i++)
        {
            step /= 10m;
        }
        return value - step;
    }

    private sealed class Sequence(DataTypeKind kind, long start) : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var value = start + rowIndex;
            switch (kind)
            {
                case DataTypeKind.Int:
                    row.SetInt32(field, (int)value);
                    break;
                case DataTypeKind.BigInt:
                    row.SetInt64(field, value);
                    break;
                case DataTypeKind.Float:
                    row.SetSingle(field, value);
                    break;
                case DataTypeKind.Double:
                    row.SetDouble(field, value);
                    break;
                case DataTypeKind.Decimal:
                    row.SetDecimal(field, value);
                    break;
                default:
                    row.SetString(field, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => throw new NotSupportedException("Sequences are top-level columns only.");
    }

    private sealed class RandomBoolean : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetBoolean(field, (random.NextUInt64() & 1) != 0);

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => (random.NextUInt64() & 1) != 0;
    }

    private sealed class RandomInteger(long min, long max, bool isInt) : DatagenFieldGenerator
    {
        private readonly ulong _span = (ulong)(max - min) + 1; // 0 when the range is all 2^64 values

        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var value = Next(ref random);
            if (isInt)
            {
                row.SetInt32(field, (int)value);
            }
            else
            {
                row.SetInt64(field, value);
            }
        }

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => isInt ? (int)Next(ref random) : (object)Next(ref random);

        private long Next(ref SplitMix64 random) => _span == 0 ? (long)random.NextUInt64() : min + (long)(random.NextUInt64() % _span);
    }

    private sealed class RandomFloating(double min, double max, bool isFloat) : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var value = Next(ref random);
            if (isFloat)
            {
                row.SetSingle(field, (float)value);
            }
            else
            {
                row.SetDouble(field, value);
            }
        }

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => isFloat ? (float)Next(ref random) : (object)Next(ref random);

        // Interpolated so that the full range (±MaxValue) does not overflow to infinity.
        private double Next(ref SplitMix64 random)
        {
            var u = random.NextDouble();
            return Math.Clamp((min * (1 - u)) + (max * u), min, max);
        }
    }

    private sealed class RandomDecimal(DataType type, decimal min, decimal max) : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetDecimal(field, Next(ref random));

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => Next(ref random);

        private decimal Next(ref SplitMix64 random)
        {
            var u = (decimal)random.NextDouble();
            var value = Math.Round((min * (1 - u)) + (max * u), type.Scale, MidpointRounding.ToZero);
            return Math.Clamp(value, min, max);
        }
    }

    private sealed class RandomText(int length) : DatagenFieldGenerator
    {
        private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetString(field, Next(ref random));

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => Next(ref random);

        private string Next(ref SplitMix64 random)
        {
            // string.Create's callback cannot take the ref struct state, so draw into a span first.
            Span<char> chars = length <= 512 ? stackalloc char[length] : new char[length];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[random.NextInt(Alphabet.Length)];
            }
            return new string(chars);
        }
    }

    private sealed class RandomBytes(int length) : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetBytes(field, Next(ref random));

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => Next(ref random);

        private byte[] Next(ref SplitMix64 random)
        {
            var bytes = new byte[length];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.NextUInt64();
            }
            return bytes;
        }
    }

    /// <summary>Flink's temporal datagen: the current time minus a random duration in [0, max-past].</summary>
    private sealed class RandomTemporal(DataTypeKind kind, TimeSpan maxPast) : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var instant = Next(ref random, nowMs);
            switch (kind)
            {
                case DataTypeKind.Date:
                    row.SetDate(field, DateOnly.FromDateTime(instant));
                    break;
                case DataTypeKind.Time:
                    row.SetTime(field, TimeOnly.FromDateTime(instant));
                    break;
                case DataTypeKind.Timestamp:
                    row.SetTimestamp(field, instant);
                    break;
                default:
                    row.SetTimestampLtz(field, new DateTimeOffset(instant.Ticks, TimeSpan.Zero));
                    break;
            }
        }

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var instant = Next(ref random, nowMs);
            return kind switch
            {
                DataTypeKind.Date => DateOnly.FromDateTime(instant),
                DataTypeKind.Time => TimeOnly.FromDateTime(instant),
                DataTypeKind.Timestamp => instant,
                _ => new DateTimeOffset(instant.Ticks, TimeSpan.Zero),
            };
        }

        private DateTime Next(ref SplitMix64 random, long nowMs)
        {
            var past = maxPast.Ticks <= 0 ? 0 : random.NextLong(maxPast.Ticks + 1);
            return new DateTime(DateTime.UnixEpoch.Ticks + (nowMs * TimeSpan.TicksPerMillisecond) - past, DateTimeKind.Unspecified);
        }
    }

    private sealed class RandomRow : DatagenFieldGenerator
    {
        private readonly Schema _schema;
        private readonly DatagenFieldGenerator[] _fields;

        public RandomRow(Schema schema)
        {
            _schema = schema;
            _fields = new DatagenFieldGenerator[schema.Count];
            for (var i = 0; i < _fields.Length; i++)
            {
                _fields[i] = RandomFor(schema[i].Type);
            }
        }

        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetRow(field, Next(ref random, rowIndex, nowMs));

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => Next(ref random, rowIndex, nowMs);

        private Row Next(ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var nested = new Row(_schema);
            for (var i = 0; i < _fields.Length; i++)
            {
                _fields[i].Write(nested, i, ref random, rowIndex, nowMs);
            }
            return nested;
        }
    }

    /// <summary>Elements are never null: fields.#.null-rate applies to the column only.</summary>
    private sealed class RandomArray(DatagenFieldGenerator element, int length) : DatagenFieldGenerator
    {
        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetArray(field, Next(ref random, rowIndex, nowMs));

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => Next(ref random, rowIndex, nowMs);

        private object?[] Next(ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var items = new object?[length];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = element.Generate(ref random, rowIndex, nowMs);
            }
            return items;
        }
    }

    /// <summary>Up to <c>length</c> entries with distinct keys (a key drawn twice is redrawn a few times, then the entry is left out).</summary>
    private sealed class RandomMap(DatagenFieldGenerator key, DatagenFieldGenerator value, int length) : DatagenFieldGenerator
    {
        private const int Redraws = 8;

        public override void Write(Row row, int field, ref SplitMix64 random, long rowIndex, long nowMs) => row.SetMap(field, Next(ref random, rowIndex, nowMs));

        public override object Generate(ref SplitMix64 random, long rowIndex, long nowMs) => Next(ref random, rowIndex, nowMs);

        private List<KeyValuePair<object, object?>> Next(ref SplitMix64 random, long rowIndex, long nowMs)
        {
            var entries = new List<KeyValuePair<object, object?>>(length);
            for (var i = 0; i < length; i++)
            {
                for (var attempt = 0; attempt < Redraws; attempt++)
                {
                    var k = key.Generate(ref random, rowIndex, nowMs);
                    if (!ContainsKey(entries, k))
                    {
                        entries.Add(new KeyValuePair<object, object?>(k, value.Generate(ref random, rowIndex, nowMs)));
                        break;
                    }
                }
            }
            return entries;
        }

        private static bool ContainsKey(List<KeyValuePair<object, object?>> entries, object candidate)
        {
            foreach (var entry in entries)
            {
                if (entry.Key is byte[] a && candidate is byte[] b ? a.AsSpan().SequenceEqual(b) : entry.Key.Equals(candidate))
                {
                    return true;
                }
            }
            return false;
        }
    }
}

/// <summary>A column's <c>fields.#.*</c> settings for a random column, parsed and checked against its type by the factory.</summary>
/// <param name="Min">fields.#.min: a <see cref="long"/> for INT and BIGINT, a <see cref="double"/> for FLOAT and DOUBLE, a <see cref="decimal"/> for DECIMAL; null for the type's minimum.</param>
/// <param name="Max">fields.#.max, typed as <paramref name="Min"/>; null for the type's maximum.</param>
/// <param name="Length">fields.#.length (text, bytes, arrays, maps); null for the default.</param>
/// <param name="MaxPast">fields.#.max-past (temporal columns).</param>
internal sealed record DatagenFieldSettings(object? Min, object? Max, int? Length, TimeSpan MaxPast)
{
    /// <summary>Characters of a VARCHAR or bytes of a BYTES value when <c>fields.#.length</c> is absent (Flink's default).</summary>
    public const int DefaultTextLength = 100;

    /// <summary>Elements of an ARRAY or entries of a MAP when <c>fields.#.length</c> is absent.</summary>
    public const int DefaultCollectionSize = 3;

    /// <summary>No settings: full ranges, default lengths, max-past 0.</summary>
    public static DatagenFieldSettings Defaults { get; } = new(null, null, null, TimeSpan.Zero);
}
