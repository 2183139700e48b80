using System.Globalization;

namespace Sluice.Formats;

/// <summary>
/// The options a user gave a <see cref="RowFormat"/>, checked against its <see cref="FormatOption"/> descriptions
/// (unknown keys and invalid values were rejected when it was made); absent options read as their defaults. Immutable.
/// </summary>
public sealed class FormatOptionValues
{
    private readonly Dictionary<string, FormatOption> _known;
    private readonly IReadOnlyDictionary<string, string> _given;

    internal FormatOptionValues(string format, IReadOnlyList<FormatOption> known, IReadOnlyDictionary<string, string>? given)
    {
        _known = new Dictionary<string, FormatOption>(StringComparer.Ordinal);
        foreach (var option in known)
        {
            _known.Add(option.Key, option);
        }
        _given = given ?? new Dictionary<string, string>();
        foreach (var (key, value) in _given)
        {
            if (!_known.TryGetValue(key, out var option))
            {
                throw new FormatOptionException(
                    $"Format '{format}' has no option '{key}'; its options are: {string.Join(", ", known.Select(o => o.Key))}.", key);
            }
            Check(option, value);
        }
    }

    /// <summary>A boolean option's value.</summary>
    /// <param name="key">The option's key.</param>
    public bool GetBoolean(string key) => ParseBoolean(Raw(key)!);

    /// <summary>A text option's value; null when absent without default.</summary>
    /// <param name="key">The option's key.</param>
    public string? GetString(string key) => Raw(key);

    /// <summary>A one-character option's value (escapes such as <c>\t</c> resolved); null when absent without default.</summary>
    /// <param name="key">The option's key.</param>
    public char? GetCharacter(string key) => Raw(key) is { } text ? ParseCharacter(text) : null;

    /// <summary>The value of an enumeration option, spelled as in its allowed values.</summary>
    /// <param name="key">The option's key.</param>
    public string GetChoice(string key)
    {
        var text = Raw(key)!;
        foreach (var allowed in _known[key].AllowedValues)
        {
            if (string.Equals(allowed, text, StringComparison.OrdinalIgnoreCase))
            {
                return allowed;
            }
        }
        return text;
    }

    /// <summary>Whether the user gave the option (rather than its default applying).</summary>
    /// <param name="key">The option's key.</param>
    public bool IsSet(string key) => _given.ContainsKey(key);

    private string? Raw(string key) => _given.TryGetValue(key, out var value) ? value : _known[key].Default;

    private static void Check(FormatOption option, string value)
    {
        switch (option.Type)
        {
            case FormatOptionType.Boolean when !bool.TryParse(value, out _):
                throw new FormatOptionException($"Option '{option.Key}' has value '{value}' but must be 'true' or 'false'.", option.Key);
            case FormatOptionType.Character when ParseCharacter(value) is null:
                throw new FormatOptionException($"Option '{option.Key}' has value '{value}' but must be exactly one character (or an escape such as '\\t').", option.Key);
            case FormatOptionType.Enumeration when !option.AllowedValues.Contains(value, StringComparer.OrdinalIgnoreCase):
                throw new FormatOptionException(
                    $"Option '{option.Key}' has value '{value}' but must be one of {string.Join(", ", option.AllowedValues.Select(v => "'" + v + "'"))}.", option.Key);
        }
    }

    private static bool ParseBoolean(string text) => bool.Parse(text);

    private static char? ParseCharacter(string text) => text switch
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
}
