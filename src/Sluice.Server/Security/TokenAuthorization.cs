using System.Net;
using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Security;

/// <summary>
/// The server's one access rule, applied to every request before routing: a mutating call (any method but GET, HEAD
/// and OPTIONS) needs <c>Authorization: Bearer &lt;token&gt;</c> (or HTTP basic auth with the token as password, any
/// user name: what Confluent's schema registry clients send for <c>basic.auth.user.info</c>); a read-only call needs
/// it too unless it comes from a loopback address. A request without a valid token is answered 401 with a <c>WWW-Authenticate: Bearer</c> header
/// and a problem document; the token is never echoed or logged.
/// </summary>
internal sealed class TokenAuthorization(RequestDelegate next, ServerToken token)
{
    /// <summary>Whether a request needs the token.</summary>
    public static bool NeedsToken(string method, IPAddress? remote) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) || remote is null || !IPAddress.IsLoopback(remote);

    /// <summary>Runs the rule, then the rest of the pipeline when it passes.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (!NeedsToken(context.Request.Method, context.Connection.RemoteIpAddress) || HasToken(context.Request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        if (context.Request.Path.StartsWithSegments("/registry"))
        {
            // The schema registry's clients read Confluent's error body, not a problem document.
            return SchemaRegistry.Api.RegistryResult.Error(StatusCodes.Status401Unauthorized, 40101,
                $"{context.Request.Method} {context.Request.Path} needs the server's API token: send 'Authorization: Bearer <token>', or basic auth with the token as password (basic.auth.user.info=sluice:<token>); the token is in {ServerToken.FileName} in the server's data directory.")
                .ExecuteAsync(context);
        }
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: $"{context.Request.Method} {context.Request.Path} needs the server's API token: send 'Authorization: Bearer <token>' (the token is in {ServerToken.FileName} in the server's data directory).")
            .ExecuteAsync(context);
    }

    private bool HasToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString().AsSpan().Trim();
        const string bearer = "Bearer ";
        const string basic = "Basic ";
        if (header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return token.Matches(header[bearer.Length..].Trim());
        }
        if (!header.StartsWith(basic, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[256];
        if (!Convert.TryFromBase64Chars(header[basic.Length..].Trim(), decoded, out int length))
        {
            return false;
        }
        var userAndPassword = decoded[..length];
        int colon = userAndPassword.IndexOf((byte)':');
        Span<char> password = stackalloc char[256];
        return colon >= 0
            && System.Text.Encoding.UTF8.TryGetChars(userAndPassword[(colon + 1)..], password, out int chars)
            && token.Matches(password[..chars]);
    }
}
