using System.Globalization;
using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Datagen;

/// <summary>
/// The 'datagen' connector: a source of random or sequence rows for any schema, with Flink's options
/// (<c>rows-per-second</c>, <c>number-of-rows</c>, <c>fields.#.kind</c>, <c>fields.#.min</c>, …). Every column type
/// is generated, nested ROW, ARRAY and MAP included. Rows are a pure function of a seed and their index (plus the
/// clock, for temporal columns), and the seed is kept in checkpoints: a restored job replays the same rows.
/// Thread-safe and stateless.
/// </summary>
public sealed class DatagenConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "datagen";

    private static readonly ConfigOption[] s_options =
    [
        new("rows-per-second", ConfigOptionType.Long, "Rows generated per second over all subtasks, paced by the job's clock.") { DefaultValue = "10000", Minimum = 1 },
        new("number-of-rows", ConfigOptionType.Long, "Total rows to generate; the source then ends. Absent: unbounded (unless a sequence column ends first).") { Minimum = 0 },
        new("seed", ConfigOptionType.Long, "Seed of the random values (Sluice): the same seed gives the same rows. Absent: a random seed, kept in checkpoints so a restore replays the same rows."),
        ConfigOption.Choice("fields.#.kind", "How column # is generated: 'random' values or a 'sequence' from fields.#.start to fields.#.end.", "random", "random", "sequence"),
        new("fields.#.min", ConfigOptionType.String, "Smallest random value of numeric column # (default: the type's minimum)."),
        new("fields.#.max", ConfigOptionType.String, "Largest random value of numeric column # (default: the type's maximum)."),
        new("fields.#.max-past", ConfigOptionType.Duration, "Temporal column #: values are the current time minus a random duration up to this.") { DefaultValue = "0" },
        new("fields.#.length", ConfigOptionType.Int, "Characters of a VARCHAR, bytes of a BYTES, elements of an ARRAY or entries of a MAP column # (default 100 for text and bytes, 3 for collections).") { Minimum = 0, Maximum = 1 << 20 },
        new("fields.#.start", ConfigOptionType.Long, "First value of sequence column # (required for a sequence)."),
        new("fields.#.end", ConfigOptionType.Long, "Last value of sequence column # (required for a sequence); the source ends after it."),
        new("fields.#.null-rate", ConfigOptionType.Double, "Fraction of rows in which nullable column # is null.") { DefaultValue = "0", Minimum = 0, Maximum = 1 },
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Generates random or sequence rows for any schema, at a fixed rate, for tests and demos.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    /// <inheritdoc />
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var schema = context.Schema;
        var options = context.Options;
        CheckColumnNames(context);
        var fields = new DatagenFieldGenerator[schema.Count];
        var nullRates = new double[schema.Count];
        var rowCount = options.GetInt64("number-of-rows") ?? long.MaxValue;
        for (var i = 0; i < schema.Count; i++)
        {
            var field = schema[i];
            var prefix = "fields." + field.Name + ".";
            nullRates[i] = options.GetDouble(prefix + "null-rate")!.Value;
            if (nullRates[i] > 0 && !field.Type.IsNullable)
            {
                throw options.Invalid(prefix + "null-rate", $"must be 0 for column '{field.Name}', which is {field.Type}");
            }
            if (options.GetChoice(prefix + "kind") == "sequence")
            {
                fields[i] = CreateSequence(options, field, prefix, out var count);
                rowCount = Math.Min(rowCount, count);
            }
            else
            {
                fields[i] = CreateRandom(options, field, prefix);
            }
        }
        var rate = (double)options.GetInt64("rows-per-second")!.Value;
        var seed = options.GetInt64("seed") is { } given ? (ulong)given : (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        return new DatagenSource(schema, fields, nullRates, rate, rowCount, seed);
    }

    private static void CheckColumnNames(ConnectorContext context)
    {
        foreach (var option in s_options)
        {
            if (!option.IsPattern)
            {
                continue;
            }
            foreach (var name in context.Options.NamesOf(option.Key))
            {
                if (context.Schema.IndexOf(name) < 0)
                {
                    var key = option.Key.Replace("#", name, StringComparison.Ordinal);
                    throw new ConfigOptionsException(
                        $"Option '{key}' of connector '{Name}' names no column of table '{context.TableName}'; its columns are: {string.Join(", ", context.Schema.Select(static f => f.Name))}.",
                        Name, key);
                }
            }
        }
    }

    private static DatagenFieldGenerator CreateSequence(ConfigOptions options, Field field, string prefix, out long count)
    {
        foreach (var randomOnly in (string[])["min", "max", "max-past", "length"])
        {
            if (options.Contains(prefix + randomOnly))
            {
                throw options.Invalid(prefix + randomOnly, $"applies to random columns only, and column '{field.Name}' is a sequence");
            }
        }
        if (field.Type.Kind is not (DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Float or DataTypeKind.Double or DataTypeKind.Decimal or DataTypeKind.Varchar))
        {
            throw options.Invalid(prefix + "kind", $"can be 'sequence' only for INT, BIGINT, FLOAT, DOUBLE, DECIMAL or VARCHAR columns, and column '{field.Name}' is {field.Type}");
        }
        var start = options.GetInt64(prefix + "start")
            ?? throw new ConfigOptionsException($"Connector '{Name}' needs option '{prefix}start' for sequence column '{field.Name}'.", Name, prefix + "start");
        var end = options.GetInt64(prefix + "end")
            ?? throw new ConfigOptionsException($"Connector '{Name}' needs option '{prefix}end' for sequence column '{field.Name}'.", Name, prefix + "end");
        if (end < start)
        {
            throw options.Invalid(prefix + "end", string.Create(CultureInfo.InvariantCulture, $"must be at least fields.{field.Name}.start ({start})"));
        }
        if (field.Type.Kind == DataTypeKind.Int && (start < int.MinValue || end > int.MaxValue))
        {
            throw options.Invalid(end > int.MaxValue ? prefix + "end" : prefix + "start", $"must fit column '{field.Name}', which is INT (between {int.MinValue} and {int.MaxValue})");
        }
        if (field.Type.Kind == DataTypeKind.Decimal && (Math.Abs((decimal)start) > DatagenFieldGenerator.LargestDecimal(field.Type) || Math.Abs((decimal)end) > DatagenFieldGenerator.LargestDecimal(field.Type)))
        {
            throw options.Invalid(prefix + "end", $"must fit column '{field.Name}', which is {field.Type}");
        }
        // end − start + 1 overflows only for the full long range, which is unbounded in practice.
        count = end - start >= 0 && end - start < long.MaxValue ? end - start + 1 : long.MaxValue - 1;
        return DatagenFieldGenerator.SequenceFor(field.Type, start);
    }

    private static DatagenFieldGenerator CreateRandom(ConfigOptions options, Field field, string prefix)
    {
        var kind = field.Type.Kind;
        foreach (var sequenceOnly in (string[])["start", "end"])
        {
            if (options.Contains(prefix + sequenceOnly))
            {
                throw options.Invalid(prefix + sequenceOnly, $"applies to sequence columns only, and column '{field.Name}' is random (set {prefix}kind to 'sequence')");
            }
        }
        var numeric = kind is DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Float or DataTypeKind.Double or DataTypeKind.Decimal;
        var min = ParseBound(options, field, prefix + "min", numeric);
        var max = ParseBound(options, field, prefix + "max", numeric);
        if (min is not null && max is not null && ((IComparable)min).CompareTo(max) > 0)
        {
            throw options.Invalid(prefix + "max", $"must be at least {prefix}min ({options.GetText(prefix + "min")})");
        }
        if (options.Contains(prefix + "length") && kind is not (DataTypeKind.Varchar or DataTypeKind.Bytes or DataTypeKind.Array or DataTypeKind.Map))
        {
            throw options.Invalid(prefix + "length", $"applies to VARCHAR, BYTES, ARRAY and MAP columns only, and column '{field.Name}' is {field.Type}");
        }
        if (options.Contains(prefix + "max-past") && kind is not (DataTypeKind.Date or DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
        {
            throw options.Invalid(prefix + "max-past", $"applies to DATE, TIME, TIMESTAMP and TIMESTAMP_LTZ columns only, and column '{field.Name}' is {field.Type}");
        }
        var settings = new DatagenFieldSettings(min, max, options.GetInt32(prefix + "length"), options.GetDuration(prefix + "max-past")!.Value);
        return DatagenFieldGenerator.RandomFor(field.Type, settings);
    }

    /// <summary>fields.#.min or max as the column's number type: long for INT/BIGINT, double for FLOAT/DOUBLE, decimal for DECIMAL.</summary>
    private static object? ParseBound(ConfigOptions options, Field field, string key, bool numeric)
    {
        if (options.GetText(key) is not { } text)
        {
            return null;
        }
        if (!numeric)
        {
            throw options.Invalid(key, $"applies to numeric columns only, and column '{field.Name}' is {field.Type}");
        }
        text = text.Trim();
        var type = field.Type;
        switch (type.Kind)
        {
            case DataTypeKind.Int:
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
                    ? (long)i
                    : throw options.Invalid(key, $"must be a whole number between {int.MinValue} and {int.MaxValue}, as column '{field.Name}' is INT");
            case DataTypeKind.BigInt:
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
                    ? l
                    : throw options.Invalid(key, $"must be a whole number between {long.MinValue} and {long.MaxValue}, as column '{field.Name}' is BIGINT");
            case DataTypeKind.Float or DataTypeKind.Double:
                var limit = type.Kind == DataTypeKind.Float ? float.MaxValue : double.MaxValue;
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Abs(d) <= limit
                    ? d
                    : throw options.Invalid(key, $"must be a number that fits column '{field.Name}', which is {type}");
            default:
                var largest = DatagenFieldGenerator.LargestDecimal(type);
                return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && Math.Abs(m) <= largest
                    ? m
                    : throw options.Invalid(key, string.Create(CultureInfo.InvariantCulture, $"must be a number between {-largest} and {largest}, as column '{field.Name}' is {type}"));
        }
    }
}
