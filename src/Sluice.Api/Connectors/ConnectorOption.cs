using System.Globalization;

namespace Sluice.Connectors;

/// <summary>
/// One option a connector accepts in its <c>WITH (…)</c> clause or option dictionary: its key, value type, whether it
/// is required, its default, its description and, for choices and numbers, the values it admits. Immutable.
/// </summary>
/// <remarks>
/// A key containing <c>#</c> is a pattern: <c>#</c> stands for a non-empty name chosen by the user, usually a column
/// (<c>fields.#.kind</c> matches <c>fields.id.kind</c>). A required pattern key is never enforced (there may be no
/// column to name), so connectors check the names they need themselves.
/// </remarks>
public sealed record ConnectorOption
{
    /// <summary>Creates an option.</summary>
    /// <param name="key">The key, Flink's spelling where Flink has the option (<c>rows-per-second</c>).</param>
    /// <param name="type">How the value is parsed.</param>
    /// <param name="description">One or two sentences for <c>sluice connectors describe</c> and the docs.</param>
    /// <exception cref="ArgumentException">The key or description is empty, or the key has more than one <c>#</c>.</exception>
    public ConnectorOption(string key, ConnectorOptionType type, string description)
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
    public ConnectorOptionType Type { get; }

    /// <summary>What the option does.</summary>
    public string Description { get; }

    /// <summary>Whether the option must be given (never enforced for pattern keys).</summary>
    public bool IsRequired { get; init; }

    /// <summary>The value used when the option is absent, as text (parsed like a given value); null when there is none.</summary>
    public string? DefaultValue { get; init; }

    /// <summary>For <see cref="ConnectorOptionType.Enum"/>: the admitted values, in lower case as documented.</summary>
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
        ConnectorOptionType.String => "string",
        ConnectorOptionType.Int => "int",
        ConnectorOptionType.Long => "long",
        ConnectorOptionType.Double => "double",
        ConnectorOptionType.Boolean => "boolean",
        ConnectorOptionType.Duration => "duration",
        _ => "enum",
    };

    /// <summary>A required option.</summary>
    public static ConnectorOption Required(string key, ConnectorOptionType type, string description) =>
        new(key, type, description) { IsRequired = true };

    /// <summary>An optional option with a default (null: absent means "not set").</summary>
    public static ConnectorOption Optional(string key, ConnectorOptionType type, string description, string? defaultValue = null) =>
        new(key, type, description) { DefaultValue = defaultValue };

    /// <summary>An optional choice among <paramref name="allowedValues"/>.</summary>
    public static ConnectorOption Choice(string key, string description, string? defaultValue, params string[] allowedValues) =>
        new(key, ConnectorOptionType.Enum, description) { DefaultValue = defaultValue, AllowedValues = allowedValues };

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
