using System.Globalization;

namespace Sluice.Connectors;

/// <summary>
/// A connector's options after validation against its <see cref="IConnectorFactory.Options"/>: every key is known,
/// every required key is present, and every value parsed and lies in its range. Typed getters then read a value (or
/// its default) without further checks. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Every error is a <see cref="ConnectorOptionsException"/> whose message is one sentence: an unknown key lists the
/// valid keys, a missing key is named with its description, a bad value is named with the value and the valid choices
/// or range. Keys are case-sensitive, as in Flink.
/// </remarks>
public sealed partial class ConnectorOptions
{
    private readonly Dictionary<string, ConnectorOption> _specs;
    private readonly Dictionary<string, object> _given;
    private readonly Dictionary<string, string> _raw;
    private readonly IReadOnlyList<ConnectorOption> _options;

    private ConnectorOptions(string connector, IReadOnlyList<ConnectorOption> options, Dictionary<string, string> raw, Dictionary<string, object> given, Dictionary<string, ConnectorOption> specs)
    {
        Connector = connector;
        _options = options;
        _raw = raw;
        _given = given;
        _specs = specs;
    }

    /// <summary>The connector the options belong to (used in error messages).</summary>
    public string Connector { get; }

    /// <summary>The options as given (key → text), without defaults.</summary>
    public IReadOnlyDictionary<string, string> Given => _raw;

    /// <summary>
    /// Checks <paramref name="values"/> against <paramref name="options"/>: rejects unknown keys (listing the valid
    /// ones), missing required keys, and values that do not parse or lie outside their range or choices.
    /// </summary>
    /// <param name="connector">The connector identifier, for messages.</param>
    /// <param name="options">The connector's option descriptions.</param>
    /// <param name="values">The options as given (key → text).</param>
    /// <exception cref="ConnectorOptionsException">An option is unknown, missing or invalid; the message names it.</exception>
    public static ConnectorOptions Validate(string connector, IReadOnlyList<ConnectorOption> options, IReadOnlyDictionary<string, string> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connector);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(values);
        var raw = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        var given = new Dictionary<string, object>(values.Count, StringComparer.Ordinal);
        var specs = new Dictionary<string, ConnectorOption>(values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in values.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            var spec = Find(options, key) ?? throw UnknownKey(connector, options, key);
            raw[key] = value;
            specs[key] = spec;
            given[key] = Parse(connector, spec, key, value ?? throw new ConnectorOptionsException($"Option '{key}' of connector '{connector}' has no value.", connector, key));
        }
        foreach (var spec in options)
        {
            if (spec.IsRequired && !spec.IsPattern && !given.ContainsKey(spec.Key))
            {
                throw new ConnectorOptionsException($"Connector '{connector}' needs option '{spec.Key}' ({spec.Description.TrimEnd('.')}).", connector, spec.Key);
            }
        }
        return new ConnectorOptions(connector, options, raw, given, specs);
    }

    /// <summary>Whether <paramref name="key"/> was given (defaults do not count).</summary>
    public bool Contains(string key) => _given.ContainsKey(key);

    /// <summary>
    /// The names a pattern key was given for, in ordinal order: for <c>fields.#.kind</c> and the options
    /// <c>fields.id.kind</c>, <c>fields.name.kind</c>, the names <c>id</c> and <c>name</c>.
    /// </summary>
    public IReadOnlyList<string> NamesOf(string patternKey)
    {
        var spec = Spec(patternKey);
        var names = new List<string>();
        foreach (var key in _raw.Keys)
        {
            if (ReferenceEquals(_specs[key], spec) && spec.Matches(key, out var name))
            {
                names.Add(name!);
            }
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>A <see cref="ConnectorOptionType.String"/> option's value or default; null when neither.</summary>
    public string? GetString(string key) => TryGet(key, out var value) ? (string)value : null;

    /// <summary>An <see cref="ConnectorOptionType.Int"/> option's value or default; null when neither.</summary>
    public int? GetInt32(string key) => TryGet(key, out var value) ? (int)value : null;

    /// <summary>A <see cref="ConnectorOptionType.Long"/> option's value or default; null when neither.</summary>
    public long? GetInt64(string key) => TryGet(key, out var value) ? (long)value : null;

    /// <summary>A <see cref="ConnectorOptionType.Double"/> option's value or default; null when neither.</summary>
    public double? GetDouble(string key) => TryGet(key, out var value) ? (double)value : null;

    /// <summary>A <see cref="ConnectorOptionType.Boolean"/> option's value or default; null when neither.</summary>
    public bool? GetBoolean(string key) => TryGet(key, out var value) ? (bool)value : null;

    /// <summary>A <see cref="ConnectorOptionType.Duration"/> option's value or default; null when neither.</summary>
    public TimeSpan? GetDuration(string key) => TryGet(key, out var value) ? (TimeSpan)value : null;

    /// <summary>An <see cref="ConnectorOptionType.Enum"/> option's value (as spelled in <see cref="ConnectorOption.AllowedValues"/>) or default; null when neither.</summary>
    public string? GetChoice(string key) => TryGet(key, out var value) ? (string)value : null;

    /// <summary>The value of <paramref name="key"/> as given, or null (for messages).</summary>
    public string? GetText(string key) => _raw.GetValueOrDefault(key);

    /// <summary>
    /// An error for a value the option's type admits but the connector does not (a check across options, a column
    /// that does not exist): "Option 'k' of connector 'c' <paramref name="requirement"/> (got 'v')."
    /// </summary>
    /// <param name="key">The option key.</param>
    /// <param name="requirement">What the value must be, starting with a verb: "must name a column of the table (id, name)".</param>
    public ConnectorOptionsException Invalid(string key, string requirement) =>
        new($"Option '{key}' of connector '{Connector}' {requirement} (got '{GetText(key) ?? Spec(key).DefaultValue}').", Connector, key);

    /// <summary>The option descriptions the values were validated against.</summary>
    public IReadOnlyList<ConnectorOption> Options => _options;

    private bool TryGet(string key, out object value)
    {
        var spec = Spec(key);
        if (_given.TryGetValue(key, out value!))
        {
            return true;
        }
        if (spec.DefaultValue is { } text)
        {
            value = Parse(Connector, spec, key, text);
            return true;
        }
        return false;
    }

    private ConnectorOption Spec(string key) =>
        _specs.GetValueOrDefault(key) ?? Find(_options, key)
        ?? throw new InvalidOperationException($"Connector '{Connector}' reads option '{key}', which its option list does not describe.");

    private static ConnectorOption? Find(IReadOnlyList<ConnectorOption> options, string key)
    {
        ConnectorOption? pattern = null;
        foreach (var option in options)
        {
            if (option.Matches(key, out _))
            {
                if (!option.IsPattern)
                {
                    return option;
                }
                pattern ??= option;
            }
        }
        return pattern;
    }

    private static ConnectorOptionsException UnknownKey(string connector, IReadOnlyList<ConnectorOption> options, string key) =>
        options.Count == 0
            ? new ConnectorOptionsException($"Connector '{connector}' takes no options (got '{key}').", connector, key)
            : new ConnectorOptionsException(
                $"Connector '{connector}' has no option '{key}'; its options are: {string.Join(", ", options.Select(static o => o.Key).Order(StringComparer.Ordinal))}.", connector, key);

    private static object Parse(string connector, ConnectorOption spec, string key, string text)
    {
        var trimmed = text.Trim();
        switch (spec.Type)
        {
            case ConnectorOptionType.String:
                return text;
            case ConnectorOptionType.Int:
                return int.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && InRange(spec, i)
                    ? i
                    : throw BadValue(connector, spec, key, text, "a whole number");
            case ConnectorOptionType.Long:
                return long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && InRange(spec, l)
                    ? l
                    : throw BadValue(connector, spec, key, text, "a whole number");
            case ConnectorOptionType.Double:
                return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && InRange(spec, d)
                    ? d
                    : throw BadValue(connector, spec, key, text, "a number");
            case ConnectorOptionType.Boolean:
                return bool.TryParse(trimmed, out var b) ? b : throw BadValue(connector, spec, key, text, "'true' or 'false'");
            case ConnectorOptionType.Duration:
                return TryParseDuration(trimmed, out var duration)
                    ? duration
                    : throw BadValue(connector, spec, key, text, "a duration such as '500ms', '10 s' or '5 min'");
            default:
                foreach (var allowed in spec.AllowedValues)
                {
                    if (string.Equals(allowed, trimmed, StringComparison.OrdinalIgnoreCase))
                    {
                        return allowed;
                    }
                }
                throw new ConnectorOptionsException(
                    $"Option '{key}' of connector '{connector}' must be one of {string.Join(", ", spec.AllowedValues.Select(static v => $"'{v}'"))} (got '{text}').", connector, key);
        }
    }

    private static bool InRange(ConnectorOption spec, double value) =>
        (spec.Minimum is not { } min || value >= min) && (spec.Maximum is not { } max || value <= max);

    private static ConnectorOptionsException BadValue(string connector, ConnectorOption spec, string key, string text, string expected) =>
        new(spec.RangeText() is { } range && spec.Type is ConnectorOptionType.Int or ConnectorOptionType.Long or ConnectorOptionType.Double
                ? $"Option '{key}' of connector '{connector}' must be {expected} {range} (got '{text}')."
                : $"Option '{key}' of connector '{connector}' must be {expected} (got '{text}').",
            connector, key);
}
