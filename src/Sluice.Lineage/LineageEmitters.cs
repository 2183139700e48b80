using Microsoft.Extensions.Logging;

namespace Sluice.Lineage;

/// <summary>
/// Makes emitters from configuration, as OpenLineage clients read it: an explicit target (Sluice's
/// <c>--lineage &lt;file-path|http-url&gt;</c> option) wins; else the environment variable <c>OPENLINEAGE_URL</c>
/// (with <c>OPENLINEAGE_API_KEY</c> and <c>OPENLINEAGE_ENDPOINT</c>); else lineage is off
/// (<see cref="NoLineageEmitter"/>). <c>OPENLINEAGE_DISABLED=true</c> turns it off whatever else is set.
/// </summary>
public static class LineageEmitters
{
    /// <summary>The log category of the transports' warnings.</summary>
    public const string LogCategory = "Sluice.Lineage";

    /// <summary>
    /// The emitter for <paramref name="target"/>: an <c>http://</c> or <c>https://</c> URL posts to it (the API key from
    /// <c>OPENLINEAGE_API_KEY</c>), anything else is a file path (JSON lines). Null or empty falls back to
    /// <see cref="FromEnvironment"/>.
    /// </summary>
    /// <param name="target">The <c>--lineage</c> value, or null.</param>
    /// <param name="loggerFactory">Where the transports log their failures.</param>
    /// <param name="environment">Reads an environment variable (default: the process's); tests pass their own.</param>
    public static ILineageEmitter Create(string? target, ILoggerFactory? loggerFactory = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (IsTrue(environment("OPENLINEAGE_DISABLED")))
        {
            if (!string.IsNullOrWhiteSpace(target))
            {
                // An explicit target that silently does nothing would look like a bug: say why.
                (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(LogCategory)
                    .LogWarning("Lineage is off: OPENLINEAGE_DISABLED is set, so the explicit lineage target is ignored; unset it to emit lineage.");
            }
            return NoLineageEmitter.Instance;
        }
        if (string.IsNullOrWhiteSpace(target))
        {
            return FromEnvironment(loggerFactory, environment);
        }
        return IsHttpUrl(target, out var url)
            ? new HttpLineageEmitter(HttpOptions(url, environment), loggerFactory)
            : new FileLineageEmitter(target, loggerFactory);
    }

    /// <summary>An HTTP emitter when <c>OPENLINEAGE_URL</c> is set (and <c>OPENLINEAGE_DISABLED</c> is not true), else <see cref="NoLineageEmitter"/>.</summary>
    /// <exception cref="ArgumentException"><c>OPENLINEAGE_URL</c> is not an http(s) URL.</exception>
    public static ILineageEmitter FromEnvironment(ILoggerFactory? loggerFactory = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var value = environment("OPENLINEAGE_URL");
        if (IsTrue(environment("OPENLINEAGE_DISABLED")) || string.IsNullOrWhiteSpace(value))
        {
            return NoLineageEmitter.Instance;
        }
        return IsHttpUrl(value, out var url)
            ? new HttpLineageEmitter(HttpOptions(url, environment), loggerFactory)
            : throw new ArgumentException("OPENLINEAGE_URL is not an http:// or https:// URL; set it to the lineage server's base URL (e.g. http://127.0.0.1:5000) or unset it.");
    }

    /// <summary>A description of <paramref name="emitter"/> without secrets, for a startup log line: <c>off</c>, <c>file /x/lineage.jsonl</c>, <c>http http://host:5000/api/v1/lineage</c>.</summary>
    public static string Describe(ILineageEmitter emitter) => emitter switch
    {
        NoLineageEmitter => "off",
        FileLineageEmitter file => "file " + file.Path,
        HttpLineageEmitter http => "http " + http.Endpoint,
        CompositeLineageEmitter composite => string.Join(" + ", composite.Emitters.Select(Describe)),
        _ => emitter.GetType().Name,
    };

    private static HttpLineageOptions HttpOptions(Uri url, Func<string, string?> environment)
    {
        var options = new HttpLineageOptions { Url = url, ApiKey = environment("OPENLINEAGE_API_KEY") };
        return environment("OPENLINEAGE_ENDPOINT") is { Length: > 0 } endpoint ? options with { EndpointPath = endpoint } : options;
    }

    private static bool IsHttpUrl(string value, out Uri url) =>
        Uri.TryCreate(value, UriKind.Absolute, out url!) && url.Scheme is "http" or "https";

    private static bool IsTrue(string? value) => value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
}
