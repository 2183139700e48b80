using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Sluice.Server.Dashboard;

/// <summary>
/// The dashboard's static files (<c>Dashboard/wwwroot/</c>), embedded in the server assembly under the logical name
/// <c>dashboard/&lt;file&gt;</c> and loaded once, so the server needs no files on disk and no network. Immutable after
/// construction; thread-safe.
/// </summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private readonly FrozenDictionary<string, DashboardAsset> _files;

    private DashboardAssets(FrozenDictionary<string, DashboardAsset> files) => _files = files;

    /// <summary>The file names (<c>app.js</c>), sorted.</summary>
    public IEnumerable<string> Names => _files.Keys.Order(StringComparer.Ordinal);

    /// <summary>Loads every embedded file of <paramref name="assembly"/> whose logical name starts with <c>dashboard/</c>.</summary>
    /// <exception cref="InvalidOperationException">The assembly holds no <c>index.html</c> (a build that lost the resources).</exception>
    public static DashboardAssets Load(Assembly assembly)
    {
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            var name = resource[Prefix.Length..];
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
            files[name] = new DashboardAsset(bytes, ContentType(name), etag);
        }
        if (!files.ContainsKey("index.html"))
        {
            throw new InvalidOperationException($"The dashboard's index.html is not embedded in {assembly.GetName().Name}: rebuild the server (its csproj embeds Dashboard/wwwroot/**).");
        }
        return new DashboardAssets(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Looks up a file by name (<c>app.js</c>).</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DashboardAsset? asset) => _files.TryGetValue(name, out asset);

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}

/// <summary>One embedded dashboard file.</summary>
/// <param name="Content">Its bytes (shared; do not modify).</param>
/// <param name="ContentType">The Content-Type it is served with.</param>
/// <param name="ETag">A strong entity tag over its content.</param>
internal sealed record DashboardAsset(byte[] Content, string ContentType, string ETag);
