using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Sluice.SchemaRegistry.Api;

/// <summary>
/// The standalone registry's access rule when it has a token: a mutating request (any method but GET, HEAD and
/// OPTIONS), or any request from a non-loopback address, needs the token, sent as <c>Authorization: Bearer &lt;token&gt;</c>
/// or as HTTP basic auth with the token as password (what Confluent's clients send for
/// <c>basic.auth.user.info=&lt;any user&gt;:&lt;token&gt;</c>). Compared in constant time; never logged.
/// </summary>
internal sealed class RegistryToken(string token)
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(token);

    /// <summary>Whether <paramref name="context"/> may proceed.</summary>
    public bool Authorize(HttpContext context)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress;
        bool readOnly = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        if (readOnly && remote is not null && IPAddress.IsLoopback(remote))
        {
            return true;
        }
        return Carries(request.Headers.Authorization.ToString());
    }

    /// <summary>Whether an Authorization header value carries the token (Bearer, or Basic with it as password).</summary>
    public bool Carries(string header)
    {
        var value = header.AsSpan().Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Matches(Encoding.UTF8.GetBytes(value[7..].Trim().ToString()));
        }
        if (value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(value[6..].Trim().ToString());
            }
            catch (FormatException)
            {
                return false;
            }
            int colon = Array.IndexOf(decoded, (byte)':');
            return colon >= 0 && Matches(decoded.AsSpan(colon + 1));
        }
        return false;
    }

    private bool Matches(ReadOnlySpan<byte> candidate) =>
        candidate.Length == _utf8.Length && CryptographicOperations.FixedTimeEquals(candidate, _utf8);
}
