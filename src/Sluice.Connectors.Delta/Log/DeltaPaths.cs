using System.Text;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// The two encodings a data file path goes through. A partition directory is named Hive-style
/// (<c>column=value</c>), with the characters a path cannot hold escaped as <c>%XX</c> and a null value written
/// <c>__HIVE_DEFAULT_PARTITION__</c>. The path in an <c>add</c> or <c>remove</c> action is then a URI path
/// (RFC 2396), so a <c>%</c> of the directory name appears as <c>%25</c>: the value <c>A/A</c> lives in directory
/// <c>x=A%2FA</c> and is named <c>x=A%252FA/…</c> in the log. Stateless, thread-safe.
/// </summary>
internal static class DeltaPaths
{
    /// <summary>The directory value of a null partition value.</summary>
    public const string NullPartitionDirectory = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>The relative (or absolute) file path a log path names: <c>%XX</c> sequences decoded; a <c>file:</c> URI made a local path.</summary>
    public static string Decode(string logPath)
    {
        if (logPath.StartsWith("file:", StringComparison.Ordinal))
        {
            return new Uri(logPath).LocalPath;
        }
        return logPath.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(logPath) : logPath;
    }

    /// <summary>
    /// The log form of a relative file path: every byte of its UTF-8 form outside <c>A–Z a–z 0–9 - _ . ~ / =</c> is
    /// percent-encoded with upper-case hex digits.
    /// </summary>
    public static string Encode(string relativePath)
    {
        var text = new StringBuilder(relativePath.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(relativePath))
        {
            if (IsUnreserved(b) || b is (byte)'/' or (byte)'=')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The Hive-style directory name of a partition value: characters that are control characters or one of
    /// <c>" # % ' * / : = ? \ { [ ] ^</c> (and DEL) become <c>%XX</c>; null becomes <see cref="NullPartitionDirectory"/>.
    /// </summary>
    public static string EscapePartitionValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return NullPartitionDirectory;
        }
        StringBuilder? text = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (NeedsEscape(c))
            {
                text ??= new StringBuilder(value, 0, i, value.Length + 8);
                text.Append('%').Append(HexUpper(c >> 4 & 0xF)).Append(HexUpper(c & 0xF));
            }
            else
            {
                text?.Append(c);
            }
        }
        return text?.ToString() ?? value;
    }

    private static bool NeedsEscape(char c) =>
        c < ' ' || c == 0x7F || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '{' or '[' or ']' or '^';

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
