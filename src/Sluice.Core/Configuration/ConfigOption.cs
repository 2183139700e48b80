using System.Globalization;

namespace Sluice.Configuration;

/// <summary>
/// One option a connector or a row format accepts in a <c>WITH (…)</c> clause or option dictionary: its key, value
/// type, whether it is required, its default, its description and, for choices and numbers, the values it admits.
/// The one option description of Sluice: connectors (<c>IConnectorFactory.Options</c>) and formats
/// (<c>RowFormat.Options</c>) both list these, and <see cref="ConfigOptions.Validate"/> checks values against them.
/// Immutable and thread-safe.
/// </summary>
/// <remarks>
/// A key containing <c>#</c> is a pattern: <c>#</c> stands for a non-empty name chosen by the user, usually a column
/// (<c>fields.#.kind</c> matches <c>fields.id.kind</c>). A required pattern key is never enforced (there may be no
/// column to name), so connectors check the names they need themselves.
/// </remarks>
public sealed record ConfigOption
{
    /// <summary>Creates an option.</summary>
    /// <param name="key">The key, Flink's spelling where Flink has the option (<c>rows-per-second</c>).</param>
    /// <param name="type">How the value is parsed.</param>
    /// <param name="description">One or two sentences for <c>sluice connectors describe</c> and the docs.</param>
    /// <exception cref="ArgumentException">The key or description is empty, or the key has more than one <c>#</c>.</exception>
    public ConfigOption(string key, ConfigOptionType type, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var hash = key.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0 && key.IndexOf('#', hash + 1) >= 0)
        {
            throw new ArgumentException($"Option key '{key}' has more than one '#'; a pattern key names one thing.", nameof(key));
        }
        Key = key;
        Type = type;
        Description = description;
    }

    /// <summary>The key (case-sensitive, as in Flink); with a <c>#</c> when it is a pattern.</summary>
    public string Key { get; }

    /// <summary>How the value is parsed and checked.</summary>
    public ConfigOptionType Type { get; }

    /// <summary>What the option does.</summary>
    public string Description { get; }

    /// <summary>Whether the option must be given (never enforced for pattern keys).</summary>
    public bool IsRequired { get; init; }

    /// <summary>The value used when the option is absent, as text (parsed like a given value); null when there is none.</summary>
    public string? DefaultValue { get; init; }

    /// <summary>For <see cref="ConfigOptionType.Enum"/>: the admitted values, spelled as documented (compared ignoring case).</summary>
    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    /// <summary>For numbers: the smallest admitted value, or null for the type's minimum.</summary>
    public double? Minimum { get; init; }

    /// <summary>For numbers: the largest admitted value, or null for the type's maximum.</summary>
    public double? Maximum { get; init; }

    /// <summary>Whether <see cref="Key"/> is a pattern (contains <c>#</c>).</summary>
    public bool IsPattern => Key.Contains('#', StringComparison.Ordinal);

    /// <summary>The SQL-ish name of the value type for listings: <c>int</c>, <c>duration</c>, <c>enum</c>…</summary>
    public string TypeName => Type switch
    {
        ConfigOptionType.String => "string",
        ConfigOptionType.Int => "int",
        ConfigOptionType.Long => "long",
        ConfigOptionType.Double => "double",
        ConfigOptionType.Boolean => "boolean",
        ConfigOptionType.Duration => "duration",
        ConfigOptionType.Character => "char",
        _ => "enum",
    };

    /// <summary>A required option.</summary>
    public static ConfigOption Required(string key, ConfigOptionType type, string description) =>
        new(key, type, description) { IsRequired = true };

    /// <summary>An optional option with a default (null: absent means "not set").</summary>
    public static ConfigOption Optional(string key, ConfigOptionType type, string description, string? defaultValue = null) =>
        new(key, type, description) { DefaultValue = defaultValue };

    /// <summary>An optional choice among <paramref name="allowedValues"/>.</summary>
    public static ConfigOption Choice(string key, string description, string? defaultValue, params string[] allowedValues) =>
        new(key, ConfigOptionType.Enum, description) { DefaultValue = defaultValue, AllowedValues = allowedValues };

    /// <summary>Whether <paramref name="key"/> is this option's key or, for a pattern, matches it; <paramref name="name"/> gets what <c>#</c> stands for.</summary>
    public bool Matches(string key, out string? name)
    {
        ArgumentNullException.ThrowIfNull(key);
        name = null;
        var hash = Key.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return string.Equals(key, Key, StringComparison.Ordinal);
        }
        var prefix = Key.AsSpan(0, hash);
        var suffix = Key.AsSpan(hash + 1);
        if (key.Length <= prefix.Length + suffix.Length || !key.AsSpan().StartsWith(prefix, StringComparison.Ordinal) || !key.AsSpan().EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }
        name = key.Substring(prefix.Length, key.Length - prefix.Length - suffix.Length);
        return true;
    }

    /// <summary>The range clause of an error ("between 1 and 100", "at least 0"), or null when unbounded.</summary>
    internal string? RangeText()
    {
        if (Minimum is { } min && Maximum is { } max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"between {min} and {max}");
        }
        if (Minimum is { } atLeast)
        {
            return string.Create(CultureInfo.InvariantCulture, $"at least {atLeast}");
        }
        return Maximum is { } atMost ? string.Create(CultureInfo.InvariantCulture, $"at most {atMost}") : null;
    }
}
