using System.Globalization;
using Sluice.Configuration;
using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Redis.RedisConnectorFactory))]

namespace Sluice.Connectors.Redis;

/// <summary>
/// The 'redis' connector: a feature-store sink writing one hash per entity (<see cref="RedisSink{T}"/>): the key from
/// 'key-pattern' (by default <c>&lt;table&gt;:{key1}:{key2}…</c> from the PRIMARY KEY), one hash field per other column,
/// upserts and deletes of a changelog applied, effectively once. Thread-safe and stateless.
/// </summary>
public sealed class RedisConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier.</summary>
    public const string Name = "redis";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Optional("host", ConfigOptionType.String, "The Redis server's host name or address.", "127.0.0.1"),
        ConfigOption.Optional("port", ConfigOptionType.Int, "The server's port.", "6379") with { Minimum = 1, Maximum = 65535 },
        ConfigOption.Optional("username", ConfigOptionType.String, "The ACL user (Redis 6+); leave out for the default user."),
        ConfigOption.Optional("password", ConfigOptionType.String, "The password (never logged or shown)."),
        ConfigOption.Optional("database", ConfigOptionType.Int, "The logical database number.", "0") with { Minimum = 0 },
        ConfigOption.Optional("key-pattern", ConfigOptionType.String, "The key of an entity's hash, with {column} placeholders (user:{user_id}). Default: '<table>:{k1}:{k2}…' from the PRIMARY KEY."),
        ConfigOption.Optional("fields", ConfigOptionType.String, "The columns written as hash fields, separated by ';'. Default: every column not in the key pattern."),
        ConfigOption.Optional("ttl", ConfigOptionType.Duration, "The time to live of each entity's hash, renewed by every write. Default: none."),
        ConfigOption.Optional("feature-ttl", ConfigOptionType.String, "Times to live of single fields: 'field=duration;…' (e.g. 'spend_10m=15 min'); needs Redis 7.4+."),
        ConfigOption.Optional("sink.batch-size", ConfigOptionType.Int, "Entities per round trip.", "64") with { Minimum = 1 },
        ConfigOption.Optional("sink.max-in-flight", ConfigOptionType.Int, "Round trips in flight per subtask.", "16") with { Minimum = 1 },
        .. LookupOptions.Definitions,
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Writes rows as Redis hashes, one per entity (a feature store): upserts and deletes, effectively once; reads them by key for lookup joins.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink | ConnectorCapabilities.Lookup;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <remarks>Upserts: inserts and updates set fields, deletes delete the hash.</remarks>
    /// <exception cref="ConfigOptionsException">No 'key-pattern' and no PRIMARY KEY.</exception>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context)
    {
        _ = KeyPattern(context);
        return ChangelogMode.Upsert;
    }

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">No 'key-pattern' and no PRIMARY KEY, a malformed 'feature-ttl', or a pattern or field naming no column.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var configuration = Configuration(options);
        var pattern = KeyPattern(context);
        var sinkOptions = new RedisSinkOptions
        {
            Configuration = configuration.ToString(includePassword: true),
            KeyPattern = pattern,
            Features = options.Contains("fields") ? [.. ConnectorFormats.ColumnsOf(context.Schema, options, "fields").Select(static f => f.Name)] : null,
            KeyTtl = options.GetDuration("ttl"),
            FeatureTtl = FeatureTtls(options),
            BatchSize = options.GetInt32("sink.batch-size") ?? 64,
            MaxBatchesInFlight = options.GetInt32("sink.max-in-flight") ?? 16,
        };
        try
        {
            return RedisSink.ForRows(sinkOptions, context.Schema);
        }
        catch (ArgumentException e)
        {
            throw new ConfigOptionsException($"Connector '{Name}' of table '{context.TableName}': {e.Message}", Name, options.Contains("key-pattern") ? "key-pattern" : "fields");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each lookup reads the hash of the key the pattern makes from the join key (<c>HGETALL</c>); its fields are the
    /// row's columns, parsed from the text the sink writes (a missing field is NULL), and a missing key finds no row.
    /// The join key must be exactly the key pattern's columns. Wrapped with the <c>lookup.*</c> options
    /// (<see cref="LookupOptions.Apply"/>); the <c>sink.*</c> options are ignored.
    /// </remarks>
    /// <exception cref="ConfigOptionsException">No key pattern, join key columns other than the pattern's, a nested column, or invalid <c>lookup.*</c> options.</exception>
    public ILookupSource CreateLookupSource(ConnectorContext context, IReadOnlyList<string> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(keyColumns);
        var lookup = LookupOptions.From(context.Options);
        var schema = context.Schema;
        RedisKeyPattern pattern;
        try
        {
            pattern = RedisKeyPattern.Parse(KeyPattern(context), schema);
        }
        catch (ArgumentException e)
        {
            throw new ConfigOptionsException($"Connector '{Name}' of table '{context.TableName}': {e.Message}", Name, "key-pattern");
        }
        var patternColumns = pattern.Fields.Select(i => schema[i].Name).ToHashSet(StringComparer.Ordinal);
        if (!patternColumns.SetEquals(keyColumns))
        {
            throw new ConfigOptionsException($"A lookup of Redis table '{context.TableName}' must join on exactly the key pattern's columns ({string.Join(", ", patternColumns)}), not on ({string.Join(", ", keyColumns)}): a hash is found by its whole key.", Name, "key-pattern");
        }
        foreach (var field in schema)
        {
            if (!RedisFeatureValues.IsSupported(field.Type.Kind))
            {
                throw new ConfigOptionsException($"Table '{context.TableName}' cannot be a Redis lookup table: its column '{field.Name}' is {field.Type}; declare only scalar columns.", Name);
            }
        }
        var source = new Lookup.RedisLookupSource(Configuration(context.Options).ToString(includePassword: true), 5, context.TableName, pattern, schema, [.. keyColumns.Select(schema.IndexOf)]);
        return lookup.Apply(source, context.TableName);
    }

    private static StackExchange.Redis.ConfigurationOptions Configuration(ConfigOptions options)
    {
        var configuration = new StackExchange.Redis.ConfigurationOptions
        {
            User = options.GetString("username"),
            Password = options.GetString("password"),
            DefaultDatabase = options.GetInt32("database") ?? 0,
        };
        configuration.EndPoints.Add(options.GetString("host") ?? "127.0.0.1", options.GetInt32("port") ?? 6379);
        return configuration;
    }

    private static string KeyPattern(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Options.GetString("key-pattern") is { } pattern)
        {
            return pattern;
        }
        if (context.PrimaryKey.Count == 0)
        {
            throw new ConfigOptionsException($"Connector '{Name}' of table '{context.TableName}' needs the entity's key: declare a PRIMARY KEY, or give option 'key-pattern' (e.g. 'user:{{user_id}}').", Name, "key-pattern");
        }
        return context.TableName + ":" + string.Join(":", context.PrimaryKey.Select(k => "{" + k + "}"));
    }

    private static Dictionary<string, TimeSpan> FeatureTtls(ConfigOptions options)
    {
        var ttls = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (options.GetString("feature-ttl") is not { } text)
        {
            return ttls;
        }
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !ConfigOptions.TryParseDuration(entry[(equals + 1)..].Trim(), out var ttl))
            {
                throw options.Invalid("feature-ttl", string.Create(CultureInfo.InvariantCulture, $"must be 'field=duration;…' (e.g. 'spend_10m=15 min'), and '{entry}' is not"));
            }
            ttls[entry[..equals].Trim()] = ttl;
        }
        return ttls;
    }
}
