using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using Confluent.SchemaRegistry;

namespace Sluice.Formats.Registry.Internal;

/// <summary>
/// Sluice's side of the schema registry: Confluent's <see cref="CachedSchemaRegistryClient"/> behind the few calls
/// the formats make, with per-id caching of what the formats compile from a writer schema. Thread-safe.
/// </summary>
/// <remarks>
/// The deserializers are synchronous, so a writer schema is fetched synchronously, and only on the first sighting of
/// its id: after that the compiled entry comes from a dictionary lookup, with no request and no allocation. A registry
/// answer "not found" (40403) is a bad record (it goes to the dead letters); a registry that cannot be reached, or
/// answers anything else, throws, failing the job so it restarts instead of dead-lettering every record.
/// </remarks>
internal sealed class RegistryClient : IDisposable
{
    private readonly ISchemaRegistryClient _client;
    private readonly bool _ownsClient;
    private readonly string _format;

    /// <summary>Connects to the registry of <paramref name="settings"/>; no request is made yet.</summary>
    public RegistryClient(RegistrySettings settings, string format)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new SchemaRegistryConfig
        {
            Url = settings.Url,
            RequestTimeoutMs = (int)Math.Clamp(settings.RequestTimeout.TotalMilliseconds, 1, int.MaxValue),
        };
        if (settings.BasicAuthUserInfo is { } userInfo)
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = userInfo;
        }
        _client = settings.BearerToken is { } token
            ? new CachedSchemaRegistryClient(config, new StaticBearerToken(token))
            : new CachedSchemaRegistryClient(config);
        _ownsClient = true;
        _format = format;
        Url = settings.Url;
    }

    /// <summary>Uses <paramref name="client"/> (not disposed by this instance).</summary>
    public RegistryClient(ISchemaRegistryClient client, string format, string url)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _format = format;
        Url = url;
    }

    /// <summary>The registry's URL, for messages.</summary>
    public string Url { get; }

    /// <summary>The writer schema registered as <paramref name="id"/>, or null with the reason when the registry has no such id.</summary>
    /// <exception cref="InvalidOperationException">The registry cannot be reached or fails; the message names it and the id.</exception>
    public Schema? GetSchema(int id, out string? missing)
    {
        try
        {
            missing = null;
            return _client.GetSchemaAsync(id).GetAwaiter().GetResult();
        }
        catch (SchemaRegistryException e) when (e.ErrorCode is 40403 || e.Status == System.Net.HttpStatusCode.NotFound)
        {
            missing = string.Create(CultureInfo.InvariantCulture, $"the schema registry at {Url} has no schema with id {id} (error {e.ErrorCode})");
            return null;
        }
        catch (Exception e) when (e is SchemaRegistryException or HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"Format '{_format}' could not fetch writer schema id {id} from the schema registry at {Url}: {e.Message}"), e);
        }
    }

    /// <summary>The version of <paramref name="schema"/> under <paramref name="subject"/>, or null when it is not registered there or the registry does not say.</summary>
    public int? FindVersion(string subject, Schema schema)
    {
        try
        {
            return _client.LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: false, normalize: false).GetAwaiter().GetResult()?.Version;
        }
        catch (Exception e) when (e is SchemaRegistryException or HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The id of <paramref name="schema"/> under <paramref name="subject"/>: registered when <paramref name="register"/>, else looked up.</summary>
    /// <exception cref="InvalidOperationException">The registry rejects the schema (incompatible, invalid), does not have it (lookup), or cannot be reached; the message names the subject.</exception>
    public int GetOrRegister(string subject, Schema schema, bool register)
    {
        try
        {
            return register
                ? _client.RegisterSchemaAsync(subject, schema).GetAwaiter().GetResult()
                : _client.GetSchemaIdAsync(subject, schema).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SchemaRegistryException or HttpRequestException or TaskCanceledException)
        {
            var what = register ? "register its schema under" : "find its schema (auto-register is off) under";
            throw new InvalidOperationException($"Format '{_format}' could not {what} subject '{subject}' at the schema registry {Url}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>Sends one fixed bearer token (the format's <c>bearer-auth.token</c>); never shown in messages.</summary>
    private sealed class StaticBearerToken(string token) : IAuthenticationHeaderValueProvider
    {
        public AuthenticationHeaderValue GetAuthenticationHeader() => new("Bearer", token);
    }
}

/// <summary>
/// What a deserializer compiled from each writer schema id it met: created on the first sighting of an id (one
/// registry request), then read lock-free. Thread-safe.
/// </summary>
/// <typeparam name="TEntry">The compiled entry (a plan, or the reason the id is unusable).</typeparam>
internal sealed class WriterSchemaCache<TEntry>(Func<int, TEntry> compile)
    where TEntry : class
{
    private readonly ConcurrentDictionary<int, TEntry> _entries = new();
    private readonly Func<int, TEntry> _compile = compile;

    /// <summary>The entry of <paramref name="id"/>, compiled on first use.</summary>
    public TEntry Get(int id) => _entries.TryGetValue(id, out var entry) ? entry : _entries.GetOrAdd(id, _compile);
}
