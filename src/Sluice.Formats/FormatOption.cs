namespace Sluice.Formats;

/// <summary>The kind of value a <see cref="FormatOption"/> takes.</summary>
public enum FormatOptionType
{
    /// <summary><c>true</c> or <c>false</c> (case-insensitive).</summary>
    Boolean,

    /// <summary>Free text.</summary>
    String,

    /// <summary>Exactly one character (Java-style escapes such as <c>\t</c> are accepted).</summary>
    Character,

    /// <summary>One of <see cref="FormatOption.AllowedValues"/> (case-insensitive).</summary>
    Enumeration,
}

/// <summary>
/// The description of one option of a <see cref="RowFormat"/>, with Flink's key: what a user may write in
/// <c>WITH (…)</c> or pass in an options dictionary. Immutable.
/// </summary>
/// <param name="Key">The full key, for example <c>json.ignore-parse-errors</c>.</param>
/// <param name="Type">The kind of value.</param>
/// <param name="Default">The value used when the option is absent, as text; null when absent means "none".</param>
/// <param name="Description">One or two sentences on what the option does.</param>
/// <param name="AllowedValues">For <see cref="FormatOptionType.Enumeration"/>: the values accepted; otherwise empty.</param>
public sealed record FormatOption(string Key, FormatOptionType Type, string? Default, string Description, IReadOnlyList<string> AllowedValues)
{
    /// <summary>Creates a boolean option.</summary>
    internal static FormatOption Boolean(string key, bool defaultValue, string description) =>
        new(key, FormatOptionType.Boolean, defaultValue ? "true" : "false", description, []);

    /// <summary>Creates a one-character option.</summary>
    internal static FormatOption Character(string key, char? defaultValue, string description) =>
        new(key, FormatOptionType.Character, defaultValue?.ToString(), description, []);

    /// <summary>Creates a text option.</summary>
    internal static FormatOption Text(string key, string? defaultValue, string description) =>
        new(key, FormatOptionType.String, defaultValue, description, []);

    /// <summary>Creates an enumeration option.</summary>
    internal static FormatOption Choice(string key, string defaultValue, string description, params string[] allowed) =>
        new(key, FormatOptionType.Enumeration, defaultValue, description, allowed);
}
