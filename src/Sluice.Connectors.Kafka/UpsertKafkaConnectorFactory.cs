using System.Buffers;
using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sinks;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Kafka.UpsertKafkaConnectorFactory))]

namespace Sluice.Connectors.Kafka;

/// <summary>
/// The 'upsert-kafka' connector (a sink): a changelog of rows written to a compacted topic keyed by the table's key —
/// an insert or update-after row is a message whose key is <c>key.fields</c> in <c>key.format</c> and whose value is
/// the row in <c>value.format</c>; a delete row is a tombstone (the key with a null value); update-before rows are
/// dropped, as in Flink. Thread-safe and stateless.
/// </summary>
/// <remarks>
/// Schemas have no PRIMARY KEY yet, so the key is option <c>key.fields</c> (required), where Flink takes the table's
/// primary key. Reading an upsert topic back as a changelog is not supported yet.
/// </remarks>
public sealed class UpsertKafkaConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "upsert-kafka";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("topic", ConfigOptionType.String, "The topic to write."),
        ConfigOption.Required("properties.bootstrap.servers", ConfigOptionType.String, "The Kafka brokers, host:port separated by commas."),
        new("properties.#", ConfigOptionType.String, "Any other librdkafka property, passed on without the 'properties.' prefix."),
        ConnectorFormats.FormatOption("key.format", "The row format of the message key, made of key.fields.", required: true),
        ConfigOption.Required("key.fields", ConfigOptionType.String, "The table's key columns, separated by ';'; Flink takes the PRIMARY KEY, which schemas do not have yet."),
        .. ConnectorFormats.FormatKeyPatterns("key."),
        ConnectorFormats.FormatOption("value.format", "The row format of the message value.", required: true),
        .. ConnectorFormats.FormatKeyPatterns("value."),
        ConfigOption.Choice("sink.delivery-guarantee", "'exactly-once' writes in Kafka transactions per checkpoint (needs sink.transactional-id-prefix); 'none' is treated as 'at-least-once'.", "at-least-once", "at-least-once", "exactly-once", "none"),
        new("sink.transactional-id-prefix", ConfigOptionType.String, "The prefix of an exactly-once sink's transactional ids; keep it across restarts of the job."),
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Writes a changelog of rows to a Kafka topic as upserts by key: deletes become tombstones.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">An option is missing or does not fit the others or the table.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var serializer = new UpsertSerializer(KafkaConnectorFactory.RowSerializer(context.Schema, options));
        return new UpsertSink(new KafkaSink<Row>(KafkaConnectorFactory.Connection(options), KafkaConnectorFactory.SinkOptions(options), serializer));
    }

    /// <summary>Writes a delete row as a tombstone (the key, no value).</summary>
    private sealed class UpsertSerializer(IMessageSerializer<Row> rows) : IMessageSerializer<Row>
    {
        public bool TryWriteKey(Row value, IBufferWriter<byte> key) => rows.TryWriteKey(value, key);

        public bool TryWriteValue(Row value, IBufferWriter<byte> destination) =>
            value.Kind != RowKind.Delete && rows.TryWriteValue(value, destination);
    }

    /// <summary>The Kafka sink without update-before rows; commits are the Kafka sink's.</summary>
    private sealed class UpsertSink(KafkaSink<Row> kafka) : ITwoPhaseSink<Row>
    {
        public int MaxParallelism => kafka.MaxParallelism;

        public ISinkWriter<Row> CreateWriter(SinkContext context) => new Writer((ITwoPhaseSinkWriter<Row>)kafka.CreateWriter(context));

        public void Open(CommitterContext context) => ((ITwoPhaseCommitter)kafka).Open(context);

        public void Commit(long checkpointId, int subtaskIndex, byte[] committable) => kafka.Commit(checkpointId, subtaskIndex, committable);

        public void AbortPending(long restoredCheckpointId) => kafka.AbortPending(restoredCheckpointId);
    }

    private sealed class Writer(ITwoPhaseSinkWriter<Row> kafka) : ITwoPhaseSinkWriter<Row>
    {
        public void Write(Row value, long timestamp)
        {
            if (value.Kind != RowKind.UpdateBefore)
            {
                kafka.Write(value, timestamp);
            }
        }

        public void Flush() => kafka.Flush();

        public byte[] PrepareCommit(long checkpointId) => kafka.PrepareCommit(checkpointId);

        public void Dispose() => kafka.Dispose();
    }
}
