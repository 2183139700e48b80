using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.Security;

/// <summary>
/// The server's API bearer token: 32 random bytes as base64url, kept in <c>server.token</c> in the data directory
/// (owner-readable only). Created at the first start; the same token is read at every later start. The token is never
/// logged; <see cref="ToString"/> does not show it.
/// </summary>
internal sealed class ServerToken
{
    /// <summary>The token file's name in the data directory.</summary>
    public const string FileName = "server.token";

    private readonly byte[] _utf8;

    private ServerToken(string value, string path, bool created)
    {
        Value = value;
        FilePath = path;
        Created = created;
        _utf8 = Encoding.UTF8.GetBytes(value);
    }

    /// <summary>The token, as clients send it after <c>Bearer </c>.</summary>
    public string Value { get; }

    /// <summary>The file holding it.</summary>
    public string FilePath { get; }

    /// <summary>Whether this start created the token (the CLI prints it once, then).</summary>
    public bool Created { get; }

    /// <summary>Reads the token of <paramref name="dataDirectory"/>, creating it when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The token file exists but is empty or not one line of base64url.</exception>
    public static ServerToken LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (text.Length < 16 || !IsBase64Url(text))
            {
                throw new InvalidDataException($"The API token file '{path}' does not hold a token: delete it to have the server create a new one.");
            }
            return new ServerToken(text, path, created: false);
        }

        var value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(value + "\n"));
        }
        File.Move(temp, path, overwrite: false);
        return new ServerToken(value, path, created: true);
    }

    /// <summary>Whether <paramref name="candidate"/> is the token, compared in constant time.</summary>
    public bool Matches(ReadOnlySpan<char> candidate)
    {
        Span<byte> buffer = stackalloc byte[128];
        if (candidate.Length > buffer.Length || Encoding.UTF8.GetByteCount(candidate) != _utf8.Length)
        {
            return false;
        }
        int written = Encoding.UTF8.GetBytes(candidate, buffer);
        return CryptographicOperations.FixedTimeEquals(buffer[..written], _utf8);
    }

    /// <inheritdoc />
    public override string ToString() => $"API token in {FilePath}";

    private static bool IsBase64Url(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }
        return true;
    }
}
