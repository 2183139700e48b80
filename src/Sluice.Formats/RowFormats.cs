using Sluice.Configuration;

namespace Sluice.Formats;

/// <summary>The built-in row formats, by Flink identifier. Thread-safe.</summary>
public static class RowFormats
{
    /// <summary>The <c>json</c> format.</summary>
    public static JsonFormat Json { get; } = new();

    /// <summary>The <c>csv</c> format.</summary>
    public static CsvFormat Csv { get; } = new();

    /// <summary>The <c>raw</c> format.</summary>
    public static RawFormat Raw { get; } = new();

    /// <summary>Every built-in format.</summary>
    public static IReadOnlyList<RowFormat> All { get; } = [Json, Csv, Raw];

    /// <summary>The format named <paramref name="identifier"/> (<c>json</c>, <c>csv</c>, <c>raw</c>; case-insensitive).</summary>
    /// <exception cref="ConfigOptionsException">No built-in format has that identifier; the message lists them.</exception>
    public static RowFormat Get(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        foreach (var format in All)
        {
            if (string.Equals(format.Identifier, identifier, StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }
        throw new ConfigOptionsException($"Option 'format' must be one of 'json', 'csv', 'raw' (got '{identifier}').", identifier, "format");
    }
}
