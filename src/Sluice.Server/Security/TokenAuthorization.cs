using System.Net;
using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Security;

/// <summary>
/// The server's one access rule, applied to every request before routing: a mutating call (any method but GET, HEAD
/// and OPTIONS) needs <c>Authorization: Bearer &lt;token&gt;</c>; a read-only call needs it too unless it comes from a
/// loopback address. A request without a valid token is answered 401 with a <c>WWW-Authenticate: Bearer</c> header
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
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: $"{context.Request.Method} {context.Request.Path} needs the server's API token: send 'Authorization: Bearer <token>' (the token is in {ServerToken.FileName} in the server's data directory).")
            .ExecuteAsync(context);
    }

    private bool HasToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString().AsSpan().Trim();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header[scheme.Length..].Trim());
    }
}
