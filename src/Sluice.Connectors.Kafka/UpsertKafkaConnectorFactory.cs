using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Kafka.UpsertKafkaConnectorFactory))]

namespace Sluice.Connectors.Kafka;

/// <summary>
/// The 'upsert-kafka' connector, as Flink's: a table kept as a (compacted) topic keyed by the table's key. As a sink
/// it writes a changelog (<see cref="ChangelogMode.Upsert"/>): an insert or update-after row is a message whose key is
/// the key columns in <c>key.format</c> and whose value is the row in <c>value.format</c>; a delete row is a tombstone
/// (the key with a null value); update-before rows are dropped. As a source it reads the topic from the earliest
/// offset back into that changelog: a message with a value is an update-after row, a tombstone a delete row holding
/// the key (<see cref="MessageDeserializers.UpsertRows"/>) — normalize it by key where the previous row matters.
/// Thread-safe and stateless.
/// </summary>
/// <remarks>
/// The key is the table's PRIMARY KEY (<see cref="ConnectorContext.PrimaryKey"/>), or option <c>key.fields</c> for a
/// table declared without one. The value holds every column (Flink's <c>value.fields-include = ALL</c>).
/// </remarks>
public sealed class UpsertKafkaConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "upsert-kafka";

    private static readonly FormatAwareOptions s_options = new(static () =>
    [
        ConfigOption.Required("topic", ConfigOptionType.String, "The topic to read or write."),
        ConfigOption.Required("properties.bootstrap.servers", ConfigOptionType.String, "The Kafka brokers, host:port separated by commas."),
        new("properties.group.id", ConfigOptionType.String, "The consumer group of a source (required to read)."),
        new("properties.#", ConfigOptionType.String, "Any other librdkafka property, passed on without the 'properties.' prefix."),
        ConnectorFormats.FormatOption("key.format", "The row format of the message key, made of the key columns.", required: true),
        new("key.fields", ConfigOptionType.String, "The table's key columns, separated by ';', for a table declared without PRIMARY KEY (Flink takes the PRIMARY KEY)."),
        .. ConnectorFormats.FormatKeyPatterns("key."),
        ConnectorFormats.FormatOption("value.format", "The row format of the message value.", required: true),
        .. ConnectorFormats.FormatKeyPatterns("value."),
        ConfigOption.Choice("scan.bounded.mode", "'latest-offset': a source stops at the end offsets it sees when it starts; 'unbounded': it follows the topic.", "unbounded", "unbounded", "latest-offset"),
        ConfigOption.Choice("sink.delivery-guarantee", "'exactly-once' writes in Kafka transactions per checkpoint (needs sink.transactional-id-prefix); 'none' is treated as 'at-least-once'.", "at-least-once", "at-least-once", "exactly-once", "none"),
        new("sink.transactional-id-prefix", ConfigOptionType.String, "The prefix of an exactly-once sink's transactional ids; keep it across restarts of the job."),
    ]);

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Reads or writes a table as a changelog on a Kafka topic, upserts by key: deletes are tombstones.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source | ConnectorCapabilities.Sink;

    /// <inheritdoc />
    /// <remarks>Update-after and delete rows by key, no update-before: <see cref="ChangelogMode.Upsert"/>.</remarks>
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => ChangelogMode.Upsert;

    /// <inheritdoc />
    /// <remarks>Upserts by key (update-before rows are dropped): <see cref="ChangelogMode.Upsert"/>.</remarks>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.Upsert;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options.Current;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">An option is missing or does not fit the others or the table.</exception>
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var groupId = options.GetString("properties.group.id") ?? throw new ConfigOptionsException(
            "Connector 'upsert-kafka' needs option 'properties.group.id' to read (the consumer group of the source).", Name, "properties.group.id");
        if (options.GetString("topic")!.Contains(';', StringComparison.Ordinal))
        {
            throw options.Invalid("topic", "must name one topic");
        }
        var source = new KafkaSourceOptions
        {
            Topics = [options.GetString("topic")!],
            GroupId = groupId,
            StartingPosition = KafkaStartingPosition.Earliest, // the whole table, as Flink's upsert-kafka source reads it
            Bounded = options.GetChoice("scan.bounded.mode") == "latest-offset",
        };
        var values = ConnectorFormats.CreateDeserializer(KafkaConnectorFactory.ValueFormat(options), context.Schema, Name);
        var keys = ConnectorFormats.CreateDeserializer(KeyFormat(options), KeySchema(context), Name);
        return new KafkaSource<Row>(KafkaConnectorFactory.Connection(options), source, MessageDeserializers.UpsertRows(values, keys));
    }

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">An option is missing or does not fit the others or the table.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var value = ConnectorFormats.CreateSerializer(KafkaConnectorFactory.ValueFormat(options), context.Schema, Name);
        var key = ConnectorFormats.CreateSerializer(KeyFormat(options), KeySchema(context), Name);
        var serializer = MessageSerializers.UpsertRows(value, key);
        return new KafkaSink<Row>(KafkaConnectorFactory.Connection(options), KafkaConnectorFactory.SinkOptions(options), serializer);
    }

    private static (RowFormat Format, IReadOnlyDictionary<string, string> Options) KeyFormat(ConfigOptions options) =>
        ConnectorFormats.Resolve(options, "key.format", "key.")!.Value;

    /// <summary>The key columns: the PRIMARY KEY, or <c>key.fields</c> (which must then equal it, if both are given).</summary>
    private static Schema KeySchema(ConnectorContext context)
    {
        var options = context.Options;
        if (context.PrimaryKey.Count == 0)
        {
            return options.Contains("key.fields")
                ? ConnectorFormats.ColumnsOf(context.Schema, options, "key.fields")
                : throw new ConfigOptionsException(
                    "Connector 'upsert-kafka' needs the table's key: declare a PRIMARY KEY, or give option 'key.fields' (the key columns, separated by ';').", Name, "key.fields");
        }
        var fields = new Field[context.PrimaryKey.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var index = context.Schema.IndexOf(context.PrimaryKey[i]);
            fields[i] = index >= 0 ? context.Schema[index] : throw new ConfigOptionsException(
                $"The PRIMARY KEY column '{context.PrimaryKey[i]}' of table '{context.TableName}' is not one of its columns.", Name, "key.fields");
        }
        var key = new Schema(fields);
        if (options.Contains("key.fields") && !ConnectorFormats.ColumnsOf(context.Schema, options, "key.fields").Equals(key))
        {
            throw options.Invalid("key.fields", $"must be left out or equal the table's PRIMARY KEY ({string.Join(";", context.PrimaryKey)})");
        }
        return key;
    }
}
