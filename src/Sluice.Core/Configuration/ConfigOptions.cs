using System.Globalization;

namespace Sluice.Configuration;

/// <summary>
/// The options of a connector or a row format after validation against its <see cref="ConfigOption"/> list: every key
/// is known, every required key is present, and every value parsed and lies in its range. Typed getters then read a
/// value (or its default) without further checks. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Every error is a <see cref="ConfigOptionsException"/> whose message is one sentence: an unknown key lists the
/// valid keys, a missing key is named with its description, a bad value is named with the value and the valid choices
/// or range. Keys are case-sensitive, as in Flink.
/// </remarks>
public sealed partial class ConfigOptions
{
    private readonly Dictionary<string, ConfigOption> _specs;
    private readonly Dictionary<string, object> _given;
    private readonly Dictionary<string, string> _raw;
    private readonly IReadOnlyList<ConfigOption> _options;

    private readonly OptionOwnerKind _kind;

    private ConfigOptions(OptionOwnerKind kind, string owner, IReadOnlyList<ConfigOption> options, Dictionary<string, string> raw, Dictionary<string, object> given, Dictionary<string, ConfigOption> specs)
    {
        _kind = kind;
        Owner = owner;
        _options = options;
        _raw = raw;
        _given = given;
        _specs = specs;
    }

    /// <summary>The identifier of the connector or format the options belong to (used in error messages).</summary>
    public string Owner { get; }

    /// <summary>The options as given (key → text), without defaults.</summary>
    public IReadOnlyDictionary<string, string> Given => _raw;

    /// <summary>
    /// Checks <paramref name="values"/> against <paramref name="options"/>: rejects unknown keys (listing the valid
    /// ones), missing required keys, and values that do not parse or lie outside their range or choices.
    /// </summary>
    /// <param name="kind">Whether a connector or a format owns the options, for messages.</param>
    /// <param name="owner">The connector or format identifier, for messages.</param>
    /// <param name="options">The owner's option descriptions.</param>
    /// <param name="values">The options as given (key → text).</param>
    /// <exception cref="ConfigOptionsException">An option is unknown, missing or invalid; the message names it.</exception>
    public static ConfigOptions Validate(OptionOwnerKind kind, string owner, IReadOnlyList<ConfigOption> options, IReadOnlyDictionary<string, string> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(values);
        var raw = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        var given = new Dictionary<string, object>(values.Count, StringComparer.Ordinal);
        var specs = new Dictionary<string, ConfigOption>(values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in values.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            var spec = Find(options, key) ?? throw UnknownKey(kind, owner, options, key);
            raw[key] = value;
            specs[key] = spec;
            given[key] = Parse(kind, owner, spec, key, value ?? throw new ConfigOptionsException($"Option '{key}' of {Lower(kind)} '{owner}' has no value.", owner, key));
        }
        foreach (var spec in options)
        {
            if (spec.IsRequired && !spec.IsPattern && !given.ContainsKey(spec.Key))
            {
                throw new ConfigOptionsException($"{Upper(kind)} '{owner}' needs option '{spec.Key}' ({spec.Description.TrimEnd('.')}).", owner, spec.Key);
            }
        }
        return new ConfigOptions(kind, owner, options, raw, given, specs);
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

    /// <summary>A <see cref="ConfigOptionType.String"/> option's value or default; null when neither.</summary>
    public string? GetString(string key) => TryGet(key, out var value) ? (string)value : null;

    /// <summary>An <see cref="ConfigOptionType.Int"/> option's value or default; null when neither.</summary>
    public int? GetInt32(string key) => TryGet(key, out var value) ? (int)value : null;

    /// <summary>A <see cref="ConfigOptionType.Long"/> option's value or default; null when neither.</summary>
    public long? GetInt64(string key) => TryGet(key, out var value) ? (long)value : null;

    /// <summary>A <see cref="ConfigOptionType.Double"/> option's value or default; null when neither.</summary>
    public double? GetDouble(string key) => TryGet(key, out var value) ? (double)value : null;

    /// <summary>A <see cref="ConfigOptionType.Boolean"/> option's value or default; null when neither.</summary>
    public bool? GetBoolean(string key) => TryGet(key, out var value) ? (bool)value : null;

    /// <summary>A <see cref="ConfigOptionType.Duration"/> option's value or default; null when neither.</summary>
    public TimeSpan? GetDuration(string key) => TryGet(key, out var value) ? (TimeSpan)value : null;

    /// <summary>A <see cref="ConfigOptionType.Character"/> option's value (escapes resolved) or default; null when neither.</summary>
    public char? GetCharacter(string key) => TryGet(key, out var value) ? (char)value : null;

    /// <summary>An <see cref="ConfigOptionType.Enum"/> option's value (as spelled in <see cref="ConfigOption.AllowedValues"/>) or default; null when neither.</summary>
    public string? GetChoice(string key) => TryGet(key, out var value) ? (string)value : null;

    /// <summary>The value of <paramref name="key"/> as given, or null (for messages).</summary>
    public string? GetText(string key) => _raw.GetValueOrDefault(key);

    /// <summary>
    /// An error for a value the option's type admits but the owner does not (a check across options, a column
    /// that does not exist): "Option 'k' of connector 'c' <paramref name="requirement"/> (got 'v')."
    /// </summary>
    /// <param name="key">The option key.</param>
    /// <param name="requirement">What the value must be, starting with a verb: "must name a column of the table (id, name)".</param>
    public ConfigOptionsException Invalid(string key, string requirement) =>
        new($"Option '{key}' of {Lower(_kind)} '{Owner}' {requirement} (got '{GetText(key) ?? Spec(key).DefaultValue}').", Owner, key);

    /// <summary>The option descriptions the values were validated against.</summary>
    public IReadOnlyList<ConfigOption> Options => _options;

    private bool TryGet(string key, out object value)
    {
        var spec = Spec(key);
        if (_given.TryGetValue(key, out value!))
        {
            return true;
        }
        if (spec.DefaultValue is { } text)
        {
            value = Parse(_kind, Owner, spec, key, text);
            return true;
        }
        return false;
    }

    private ConfigOption Spec(string key) =>
        _specs.GetValueOrDefault(key) ?? Find(_options, key)
        ?? throw new InvalidOperationException($"{Upper(_kind)} '{Owner}' reads option '{key}', which its option list does not describe.");

    private static ConfigOption? Find(IReadOnlyList<ConfigOption> options, string key)
    {
        ConfigOption? pattern = null;
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

    private static string Upper(OptionOwnerKind kind) => kind == OptionOwnerKind.Format ? "Format" : "Connector";

    private static string Lower(OptionOwnerKind kind) => kind == OptionOwnerKind.Format ? "format" : "connector";

    private static ConfigOptionsException UnknownKey(OptionOwnerKind kind, string owner, IReadOnlyList<ConfigOption> options, string key) =>
        options.Count == 0
            ? new ConfigOptionsException($"{Upper(kind)} '{owner}' takes no options (got '{key}').", owner, key)
            : new ConfigOptionsException(
                $"{Upper(kind)} '{owner}' has no option '{key}'; its options are: {string.Join(", ", options.Select(static o => o.Key).Order(StringComparer.Ordinal))}.", owner, key);

    private static object Parse(OptionOwnerKind kind, string owner, ConfigOption spec, string key, string text)
    {
        var trimmed = text.Trim();
        switch (spec.Type)
        {
            case ConfigOptionType.String:
                return text;
            case ConfigOptionType.Int:
                return int.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && InRange(spec, i)
                    ? i
                    : throw BadValue(kind, owner, spec, key, text, "a whole number");
            case ConfigOptionType.Long:
                return long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && InRange(spec, l)
                    ? l
                    : throw BadValue(kind, owner, spec, key, text, "a whole number");
            case ConfigOptionType.Double:
                return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && InRange(spec, d)
                    ? d
                    : throw BadValue(kind, owner, spec, key, text, "a number");
            case ConfigOptionType.Boolean:
                return bool.TryParse(trimmed, out var b) ? b : throw BadValue(kind, owner, spec, key, text, "'true' or 'false'");
            case ConfigOptionType.Duration:
                return TryParseDuration(trimmed, out var duration)
                    ? duration
                    : throw BadValue(kind, owner, spec, key, text, "a duration such as '500ms', '10 s' or '5 min'");
            case ConfigOptionType.Character:
                return TryParseCharacter(text, out var c)
                    ? c
                    : throw BadValue(kind, owner, spec, key, text, "exactly one character or an escape such as '\\t'");
            default:
                foreach (var allowed in spec.AllowedValues)
                {
                    if (string.Equals(allowed, trimmed, StringComparison.OrdinalIgnoreCase))
                    {
                        return allowed;
                    }
                }
                throw new ConfigOptionsException(
                    $"Option '{key}' of {Lower(kind)} '{owner}' must be one of {string.Join(", ", spec.AllowedValues.Select(static v => $"'{v}'"))} (got '{text}').", owner, key);
        }
    }

    private static bool InRange(ConfigOption spec, double value) =>
        (spec.Minimum is not { } min || value >= min) && (spec.Maximum is not { } max || value <= max);

    private static ConfigOptionsException BadValue(OptionOwnerKind kind, string owner, ConfigOption spec, string key, string text, string expected) =>
        new(spec.RangeText() is { } range && spec.Type is ConfigOptionType.Int or ConfigOptionType.Long or ConfigOptionType.Double
                ? $"Option '{key}' of {Lower(kind)} '{owner}' must be {expected} {range} (got '{text}')."
                : $"Option '{key}' of {Lower(kind)} '{owner}' must be {expected} (got '{text}').",
            owner, key);

    /// <summary>Reads one character, or a Java-style escape for one (<c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\\</c>, <c>\'</c>, <c>\uXXXX</c>).</summary>
    private static bool TryParseCharacter(string text, out char character)
    {
        char? parsed = text switch
        {
            { Length: 1 } => text[0],
            "\\t" => '\t',
            "\\n" => '\n',
            "\\r" => '\r',
            "\\\\" => '\\',
            "\\'" => '\'',
            _ when text.StartsWith("\\u", StringComparison.Ordinal) && text.Length == 6
                && int.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code) => (char)code,
            _ => null,
        };
        character = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
