using System.Text;
using Sluice.Security;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// Where and how to connect to a Kafka cluster (Apache Kafka, Confluent Cloud, MSK, Redpanda, Azure Event Hubs'
/// Kafka endpoint): the bootstrap servers plus any librdkafka property passed through unchanged
/// (<c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>sasl.password</c>,
/// <c>ssl.ca.location</c>, …; see librdkafka's CONFIGURATION.md). Immutable.
/// </summary>
/// <remarks>
/// Secrets: <see cref="ToString"/> and every message Sluice builds from these options print the values of secret
/// properties (<see cref="SecretOptions.IsSecret"/>) as <c>******</c>. The typed settings of the source and sink options win over
/// the same key in <see cref="Properties"/>, except where those options document otherwise.
/// </remarks>
public sealed record KafkaConnectionOptions
{
    /// <summary>Comma-separated <c>host:port</c> list of brokers to bootstrap from. Required.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The client id brokers log and quota by; null = <c>sluice</c>.</summary>
    public string? ClientId { get; init; }

    /// <summary>
    /// librdkafka properties applied to every client built from these options (consumer, producer, admin), e.g.
    /// SASL/SSL settings. Applied before the connector's own settings, which therefore win.
    /// </summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Reads a librdkafka/Java client properties file — the <c>client.properties</c> Confluent Cloud and MSK hand out,
    /// or a kcat <c>-F</c> file: one <c>key=value</c> per line, blank lines and lines starting with <c>#</c> or
    /// <c>!</c> ignored, whitespace around keys and values trimmed, the value being everything after the first
    /// <c>=</c>. <c>bootstrap.servers</c> becomes <see cref="BootstrapServers"/> (unless
    /// <paramref name="bootstrapServers"/> is given, which wins); every other line goes to <see cref="Properties"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="bootstrapServers">Bootstrap servers overriding the file's; null = take the file's.</param>
    /// <exception cref="FormatException">A line is not <c>key=value</c> (the message gives its number, never its text), or no bootstrap servers are known.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static KafkaConnectionOptions FromPropertiesFile(string path, string? bootstrapServers = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line[..equals].Trim().Length == 0)
            {
                // Never echo the line: it may hold a secret.
                throw new FormatException($"Kafka properties file '{path}', line {number}: expected key=value.");
            }
            properties[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }
        properties.Remove("bootstrap.servers", out var fromFile);
        var bootstrap = bootstrapServers ?? fromFile;
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new FormatException($"Kafka properties file '{path}' has no bootstrap.servers, and none were given.");
        }
        return new KafkaConnectionOptions { BootstrapServers = bootstrap, Properties = properties };
    }

    /// <summary>Throws when a setting is invalid.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it (never its secret value).</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(BootstrapServers, nameof(BootstrapServers));
        ArgumentNullException.ThrowIfNull(Properties, nameof(Properties));
        foreach (var (key, value) in Properties)
        {
            if (string.IsNullOrWhiteSpace(key) || value is null)
            {
                throw new ArgumentException($"Kafka property '{key}' has an empty name or a null value; remove it or give it a value.", nameof(Properties));
            }
        }
    }

    /// <summary>The options with secret property values replaced by <c>******</c>; safe to log.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("KafkaConnectionOptions { BootstrapServers = ").Append(BootstrapServers);
        if (ClientId is not null)
        {
            text.Append(", ClientId = ").Append(ClientId);
        }
        foreach (var (key, value) in Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(", ").Append(key).Append(" = ").Append(SecretOptions.Mask(key, value));
        }
        return text.Append(" }").ToString();
    }

    /// <summary>The base configuration of every client: pass-through properties, then bootstrap and client id.</summary>
    internal Dictionary<string, string> ToConfig()
    {
        Validate();
        var config = new Dictionary<string, string>(Properties, StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = BootstrapServers,
            ["client.id"] = ClientId ?? (Properties.TryGetValue("client.id", out var id) ? id : "sluice"),
        };
        return config;
    }
}
