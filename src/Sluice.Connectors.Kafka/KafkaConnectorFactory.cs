using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Kafka.KafkaConnectorFactory))]

namespace Sluice.Connectors.Kafka;

/// <summary>
/// The 'kafka' connector with Flink's option keys: rows of a topic decoded by a row format (<see cref="KafkaSource{T}"/>,
/// bad records to the dead letters with their offset and field path), and rows written to a topic, keyed by
/// <c>key.fields</c> in <c>key.format</c> (<see cref="KafkaSink{T}"/>, at-least-once or exactly-once). Thread-safe and
/// stateless.
/// </summary>
/// <remarks>
/// Every <c>properties.*</c> key but <c>properties.bootstrap.servers</c> and <c>properties.group.id</c> is passed to
/// librdkafka without its prefix. The source reads the value only (Flink's <c>value.fields-include = ALL</c>): the key
/// fields are in the value too.
/// </remarks>
public sealed class KafkaConnectorFactory : IConnectorFactory, IDeadLetterQueueFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "kafka";

    private const string Properties = "properties.";

    private static readonly string[] s_startupModes = ["earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"];

    private static readonly FormatAwareOptions s_options = new(static () =>
    [
        new("topic", ConfigOptionType.String, "The topic to read or write; a source may name several, separated by ';' (give this or topic-pattern)."),
        new("topic-pattern", ConfigOptionType.String, "A source's topics as a regular expression matched against whole topic names, resolved when the job starts (instead of topic)."),
        ConfigOption.Required("properties.bootstrap.servers", ConfigOptionType.String, "The Kafka brokers, host:port separated by commas."),
        new("properties.group.id", ConfigOptionType.String, "The consumer group of a source (required to read)."),
        new("properties.#", ConfigOptionType.String, "Any other librdkafka property, passed on without the 'properties.' prefix."),
        ConfigOption.Choice("scan.startup.mode", "Where a source starts; 'group-offsets' and partitions missing from scan.startup.specific-offsets start at the group's committed offset, else as properties.auto.offset.reset says (earliest by default).", "group-offsets", s_startupModes),
        new("scan.startup.timestamp-millis", ConfigOptionType.Long, "With scan.startup.mode 'timestamp': the first record's timestamp, in milliseconds since the epoch.") { Minimum = 0 },
        new("scan.startup.specific-offsets", ConfigOptionType.String, "With scan.startup.mode 'specific-offsets': the next offset per partition of the one topic, as 'partition:0,offset:42;partition:1,offset:300'."),
        ConfigOption.Choice("scan.bounded.mode", "'latest-offset': a source stops at the end offsets it sees when it starts; 'unbounded': it follows the topic.", "unbounded", "unbounded", "latest-offset"),
        ConnectorFormats.FormatOption("format", "The row format of the message value (or use value.format)."),
        ConnectorFormats.FormatOption("value.format", "The row format of the message value (instead of format)."),
        .. ConnectorFormats.FormatKeyPatterns(""),
        .. ConnectorFormats.FormatKeyPatterns("value."),
        ConnectorFormats.FormatOption("key.format", "The row format of a sink's message key, made of key.fields."),
        new("key.fields", ConfigOptionType.String, "The columns of a sink's message key, separated by ';' (needs key.format)."),
        .. ConnectorFormats.FormatKeyPatterns("key."),
        ConfigOption.Choice("sink.delivery-guarantee", "'exactly-once' writes in Kafka transactions per checkpoint (needs sink.transactional-id-prefix); 'none' is treated as 'at-least-once'.", "at-least-once", "at-least-once", "exactly-once", "none"),
        new("sink.transactional-id-prefix", ConfigOptionType.String, "The prefix of an exactly-once sink's transactional ids; keep it across restarts of the job."),
    ]);

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Reads rows from Kafka topics or writes them to a topic, in a json, csv or raw format.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source | ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    /// <remarks>The json, csv and raw formats carry no row kind: a retraction row fails the job, naming the row; use 'upsert-kafka' for a changelog.</remarks>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options.Current;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">An option is missing, unsupported or does not fit the others.</exception>
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var groupId = options.GetString("properties.group.id") ?? throw new ConfigOptionsException(
            "Connector 'kafka' needs option 'properties.group.id' to read (the consumer group of the source).", Name, "properties.group.id");
        var topics = SourceTopics(options);
        var source = new KafkaSourceOptions
        {
            Topics = topics,
            TopicPattern = options.GetString("topic-pattern"),
            GroupId = groupId,
            StartingPosition = StartingPosition(options),
            StartingOffsets = options.GetChoice("scan.startup.mode") == "specific-offsets" ? SpecificOffsets(options, topics) : null,
            Bounded = options.GetChoice("scan.bounded.mode") == "latest-offset",
        };
        var deserializer = ConnectorFormats.CreateDeserializer(ValueFormat(options), context.Schema, Name);
        return new KafkaSource<Row>(Connection(options), source, MessageDeserializers.Rows(deserializer));
    }

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">An option is missing or does not fit the others or the table.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new KafkaSink<Row>(Connection(context.Options), SinkOptions(context.Options), RowSerializer(context.Schema, context.Options));
    }

    /// <inheritdoc />
    /// <remarks>Null for a table over several topics or a topic pattern.</remarks>
    public string? DeadLetterTopic(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var topic = context.Options.GetString("topic");
        return topic is null || topic.Contains(';', StringComparison.Ordinal) ? null : DeadLetters.TopicFor(topic.Trim());
    }

    /// <inheritdoc />
    /// <remarks>
    /// The letters go to the table's cluster in <see cref="DeadLetterEnvelope"/> messages (as
    /// <see cref="KafkaDeadLetterQueueExtensions.ToDeadLetterQueue"/> writes them), through the table's
    /// <c>properties.*</c>. The dead-letter topic must exist, or the cluster must create topics automatically (then with
    /// its default partition count): create it beside the table's topic, e.g. with one partition.
    /// </remarks>
    /// <exception cref="ConfigOptionsException">The table has no one topic (see <see cref="DeadLetterTopic"/>).</exception>
    public ISink<DeadLetter> CreateDeadLetterSink(ConnectorContext context, JobOptions job)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(job);
        var dlq = DeadLetterTopic(context) ?? throw new ConfigOptionsException(
            $"Table '{context.TableName}' reads several topics or a pattern, so it has no dead-letter topic beside it.", Name, "topic");
        var source = context.Options.GetString("topic")!.Trim();
        var exactlyOnce = job.Checkpoints is not null;
        var options = new KafkaSinkOptions
        {
            Topic = dlq,
            DeliveryGuarantee = exactlyOnce ? KafkaDeliveryGuarantee.ExactlyOnce : KafkaDeliveryGuarantee.AtLeastOnce,
            // The table's name keeps two tables over one topic in one job from fencing each other's transactions.
            TransactionalIdPrefix = exactlyOnce ? $"{job.JobName}/{context.TableName}/{dlq}" : null,
        };
        return new KafkaSink<DeadLetter>(Connection(context.Options), options, DeadLetterEnvelope.Serializer(job.JobName, source));
    }

    /// <summary>The sink's settings: one topic, the delivery guarantee and its transactional-id prefix.</summary>
    /// <exception cref="ConfigOptionsException">Exactly-once without a prefix, or several topics.</exception>
    internal static KafkaSinkOptions SinkOptions(ConfigOptions options)
    {
        var (exactlyOnce, prefix) = ConnectorFormats.DeliveryGuarantee(options);
        var guarantee = exactlyOnce ? KafkaDeliveryGuarantee.ExactlyOnce : KafkaDeliveryGuarantee.AtLeastOnce;
        if (options.Contains("topic-pattern"))
        {
            throw options.Invalid("topic-pattern", "is for sources only; give a sink one 'topic'");
        }
        if (options.GetString("topic") is null)
        {
            throw new ConfigOptionsException($"Connector '{options.Owner}' needs option 'topic' to write (the one topic of the sink).", options.Owner, "topic");
        }
        if (options.GetString("topic")!.Contains(';', StringComparison.Ordinal))
        {
            throw options.Invalid("topic", "must name one topic for a sink");
        }
        return new KafkaSinkOptions { Topic = options.GetString("topic")!, DeliveryGuarantee = guarantee, TransactionalIdPrefix = prefix };
    }

    /// <summary>The serializer of a sink's rows: the value format, and the key format over <c>key.fields</c> when given.</summary>
    internal static IMessageSerializer<Row> RowSerializer(Schema schema, ConfigOptions options) => ConnectorFormats.CreateMessageSerializer(schema, options);

    /// <summary>The value format: <c>value.format</c> with <c>value.*</c> keys, or <c>format</c> with unprefixed keys.</summary>
    internal static (RowFormat Format, IReadOnlyDictionary<string, string> Options) ValueFormat(ConfigOptions options) => ConnectorFormats.ResolveValueFormat(options);

    /// <summary>The connection: bootstrap servers and every other <c>properties.*</c> key but the group id.</summary>
    internal static KafkaConnectionOptions Connection(ConfigOptions options)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in options.Given)
        {
            if (key.StartsWith(Properties, StringComparison.Ordinal) && key is not "properties.bootstrap.servers" and not "properties.group.id")
            {
                properties[key[Properties.Length..]] = value;
            }
        }
        return new KafkaConnectionOptions { BootstrapServers = options.GetString("properties.bootstrap.servers")!, Properties = properties };
    }

    /// <summary>The topics of <c>topic</c>, or none with <c>topic-pattern</c>.</summary>
    /// <exception cref="ConfigOptionsException">Both or neither of the two are given.</exception>
    private static string[] SourceTopics(ConfigOptions options)
    {
        var topic = options.GetString("topic");
        var pattern = options.GetString("topic-pattern");
        if ((topic is null) == (pattern is null))
        {
            throw new ConfigOptionsException(
                $"Connector '{Name}' needs exactly one of options 'topic' and 'topic-pattern' to read ({(topic is null ? "neither is given" : "both are given")}).", Name, topic is null ? "topic" : "topic-pattern");
        }
        return topic is null ? [] : topic.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static KafkaStartingPosition StartingPosition(ConfigOptions options)
    {
        switch (options.GetChoice("scan.startup.mode"))
        {
            case "earliest-offset":
                return KafkaStartingPosition.Earliest;
            case "latest-offset":
                return KafkaStartingPosition.Latest;
            case "timestamp":
                return KafkaStartingPosition.Timestamp(options.GetInt64("scan.startup.timestamp-millis") ?? throw new ConfigOptionsException(
                    "Connector 'kafka' needs option 'scan.startup.timestamp-millis' with 'scan.startup.mode' = 'timestamp'.", Name, "scan.startup.timestamp-millis"));
            default:
                // group-offsets, and the partitions specific-offsets does not list: the committed offset, else auto.offset.reset (as Flink).
                return KafkaStartingPosition.Committed(
                    string.Equals(options.GetText("properties.auto.offset.reset"), "latest", StringComparison.OrdinalIgnoreCase) ? KafkaStartingPositionKind.Latest : KafkaStartingPositionKind.Earliest);
        }
    }

    /// <summary>Parses <c>scan.startup.specific-offsets</c> ('partition:0,offset:42;partition:1,offset:300') for the one topic.</summary>
    /// <exception cref="ConfigOptionsException">The option is missing or malformed, repeats a partition, or the source reads several topics or a pattern.</exception>
    private static Dictionary<Confluent.Kafka.TopicPartition, long> SpecificOffsets(ConfigOptions options, string[] topics)
    {
        const string Key = "scan.startup.specific-offsets";
        var text = options.GetString(Key) ?? throw new ConfigOptionsException(
            $"Connector '{Name}' needs option '{Key}' with 'scan.startup.mode' = 'specific-offsets' (e.g. 'partition:0,offset:42;partition:1,offset:300').", Name, Key);
        if (topics.Length != 1)
        {
            throw options.Invalid("scan.startup.mode", "needs one 'topic' (not several, nor 'topic-pattern') when it is 'specific-offsets'");
        }
        var offsets = new Dictionary<Confluent.Kafka.TopicPartition, long>();
        foreach (var fragment in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = fragment.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !TryField(parts[0], "partition", out var partition) || partition > int.MaxValue
                || !TryField(parts[1], "offset", out var offset))
            {
                throw options.Invalid(Key, $"has '{fragment}' where 'partition:N,offset:M' (two whole numbers ≥ 0) is expected");
            }
            if (!offsets.TryAdd(new Confluent.Kafka.TopicPartition(topics[0], (int)partition), offset))
            {
                throw options.Invalid(Key, $"names partition {partition} twice");
            }
        }
        if (offsets.Count == 0)
        {
            throw options.Invalid(Key, "must list at least one 'partition:N,offset:M'");
        }
        return offsets;
    }

    private static bool TryField(string text, string name, out long value)
    {
        value = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && text.AsSpan(0, colon).Trim().Equals(name, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
