using Sluice.Configuration;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Log.LogConnectorFactory))]

namespace Sluice.Connectors.Log;

/// <summary>
/// The 'sluice-log' connector: the embedded log as a table, with the 'kafka' connector's option keys where they mean
/// the same (<c>topic</c>, <c>format</c>/<c>value.format</c>/<c>key.format</c>/<c>key.fields</c>,
/// <c>properties.group.id</c>, <c>scan.startup.mode</c>, <c>scan.bounded.mode</c>, <c>sink.delivery-guarantee</c>,
/// <c>sink.transactional-id-prefix</c>), so a table moves between the log and Kafka by changing its options, plus
/// <c>path</c>, the log's data directory. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Every source and sink made over one directory shares one opened log (<see cref="SharedLogs"/>, reference-counted):
/// the log's directory lock then never makes a second table over it fail, and a job reads a topic another table of
/// the same process writes. A made source or sink is <see cref="IDisposable"/>: disposing it releases its hold, and
/// the log closes with the last one; until then the directory stays open in this process.
/// </remarks>
public sealed class LogConnectorFactory : IConnectorFactory, IDeadLetterQueueFactory
{
    /// <summary>The identifier (Sluice's own: Flink has no embedded log).</summary>
    public const string Name = "sluice-log";

    private static readonly string[] s_startupModes = ["earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"];

    private static readonly FormatAwareOptions s_options = new(static () =>
    [
        ConfigOption.Required("path", ConfigOptionType.String, "The log's data directory (as 'sluice log --data-dir'); created if missing."),
        ConfigOption.Required("topic", ConfigOptionType.String, "The topic to read or write."),
        new("topic.partitions", ConfigOptionType.Int, "Create a missing topic with this many partitions (Sluice's option); without it a missing topic is an error.") { Minimum = 1, Maximum = 10_000 },
        new("properties.group.id", ConfigOptionType.String, "The consumer group of a source: where 'group-offsets' starts, and where the source commits its progress at each completed checkpoint."),
        ConfigOption.Choice("scan.startup.mode", "Where a source starts: 'group-offsets' needs properties.group.id (partitions without a committed offset start at the earliest); 'specific-offsets' is not supported yet.", "group-offsets", s_startupModes),
        new("scan.startup.timestamp-millis", ConfigOptionType.Long, "With scan.startup.mode 'timestamp': the first record's timestamp, in milliseconds since the epoch.") { Minimum = 0 },
        ConfigOption.Choice("scan.bounded.mode", "'latest-offset': a source stops at the end offsets it sees when it starts; 'unbounded': it follows the topic.", "unbounded", "unbounded", "latest-offset"),
        ConnectorFormats.FormatOption("format", "The row format of the record value (or use value.format)."),
        ConnectorFormats.FormatOption("value.format", "The row format of the record value (instead of format)."),
        .. ConnectorFormats.FormatKeyPatterns(""),
        .. ConnectorFormats.FormatKeyPatterns("value."),
        ConnectorFormats.FormatOption("key.format", "The row format of a sink's record key, made of key.fields."),
        new("key.fields", ConfigOptionType.String, "The columns of a sink's record key, separated by ';' (needs key.format); the key picks the partition."),
        .. ConnectorFormats.FormatKeyPatterns("key."),
        ConfigOption.Choice("sink.delivery-guarantee", "'exactly-once' writes in log transactions per checkpoint (needs sink.transactional-id-prefix); 'none' is treated as 'at-least-once'.", "at-least-once", "at-least-once", "exactly-once", "none"),
        new("sink.transactional-id-prefix", ConfigOptionType.String, "The prefix of an exactly-once sink's transactional ids; keep it across restarts of the job."),
    ]);

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Reads rows from a topic of the embedded log or writes them to one, in a json, csv or raw format.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source | ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options.Current;

    /// <inheritdoc />
    /// <remarks>The source is <see cref="IDisposable"/>: the runtime disposes it when the job has ended, releasing the log (dispose it yourself if it never runs in a job).</remarks>
    /// <exception cref="ConfigOptionsException">An option is missing, unsupported or does not fit the others, or the topic is missing.</exception>
    /// <exception cref="DataDirectoryLockedException">Another process holds the log's directory.</exception>
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var deserializer = MessageDeserializers.Rows(ConnectorFormats.CreateDeserializer(ConnectorFormats.ResolveValueFormat(options), context.Schema, Name));
        var group = options.GetString("properties.group.id");
        var sourceOptions = new LogSourceOptions
        {
            StartingPosition = StartingPosition(options, group),
            Bounded = options.GetChoice("scan.bounded.mode") == "latest-offset",
            ConsumerGroup = group,
        };
        var lease = Lease(options, out var topic);
        try
        {
            return new LogTableSource(lease, new LogSource<Row>(lease.Log, topic, deserializer, sourceOptions));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>The sink is <see cref="IDisposable"/>: the runtime disposes it when the job has ended, releasing the log (dispose it yourself if it never runs in a job).</remarks>
    /// <exception cref="ConfigOptionsException">An option is missing or does not fit the others or the table, or the topic is missing.</exception>
    /// <exception cref="DataDirectoryLockedException">Another process holds the log's directory.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var serializer = ConnectorFormats.CreateMessageSerializer(context.Schema, options);
        var (exactlyOnce, prefix) = ConnectorFormats.DeliveryGuarantee(options);
        var sinkOptions = new LogSinkOptions { ExactlyOnce = exactlyOnce, TransactionalIdPrefix = exactlyOnce ? prefix : null };
        var lease = Lease(options, out var topic);
        try
        {
            return new LogTableSink<Row>(lease, new LogSink<Row>(lease.Log, topic, serializer, sinkOptions));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string DeadLetterTopic(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return DeadLetters.TopicFor(context.Options.GetString("topic")!);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The dead letters go to the same log as the table's records, in <see cref="DeadLetterEnvelope"/> messages, so
    /// <see cref="DeadLetterQueue"/> (<c>sluice dlq</c>) lists, shows and replays them. The sink is <see cref="IDisposable"/>,
    /// as the table's source and sink are.
    /// </remarks>
    /// <exception cref="ConfigOptionsException">An option is missing, or the table's topic is missing.</exception>
    /// <exception cref="DataDirectoryLockedException">Another process holds the log's directory.</exception>
    public ISink<DeadLetter> CreateDeadLetterSink(ConnectorContext context, JobOptions job)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(job);
        var lease = Lease(context.Options, out var topic);
        try
        {
            var dlq = DeadLetters.TopicFor(topic);
            lease.GetOrCreateTopic(dlq, 1);
            var exactlyOnce = job.Checkpoints is not null;
            var options = new LogSinkOptions { ExactlyOnce = exactlyOnce, TransactionalIdPrefix = exactlyOnce ? $"{job.JobName}/{dlq}" : null };
            return new LogTableSink<DeadLetter>(lease, new LogSink<DeadLetter>(lease.Log, dlq, DeadLetterEnvelope.Serializer(job.JobName, topic), options));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>A lease on the log of option <c>path</c>, with option <c>topic</c> present (created when <c>topic.partitions</c> is given).</summary>
    private static SharedLogLease Lease(ConfigOptions options, out string topic)
    {
        topic = options.GetString("topic")!;
        var path = options.GetString("path")!;
        var lease = SharedLogs.Acquire(path);
        try
        {
            if (lease.GetOrCreateTopic(topic, options.GetInt32("topic.partitions")) is null)
            {
                throw options.Invalid("topic",
                    $"must name a topic of the log at '{lease.Log.DataDirectory}', or give option 'topic.partitions' to create it (or create it with 'sluice log topics create {topic}')");
            }
            return lease;
        }
        catch (ArgumentException e) when (e is not ConfigOptionsException)
        {
            lease.Dispose();
            throw options.Invalid("topic", $"must be a valid topic name ({e.Message})");
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private static LogStartingPosition StartingPosition(ConfigOptions options, string? group)
    {
        switch (options.GetChoice("scan.startup.mode"))
        {
            case "earliest-offset":
                return LogStartingPosition.Earliest;
            case "latest-offset":
                return LogStartingPosition.Latest;
            case "timestamp":
                return LogStartingPosition.Timestamp(options.GetInt64("scan.startup.timestamp-millis") ?? throw new ConfigOptionsException(
                    "Connector 'sluice-log' needs option 'scan.startup.timestamp-millis' with 'scan.startup.mode' = 'timestamp'.", Name, "scan.startup.timestamp-millis"));
            case "specific-offsets":
                throw options.Invalid("scan.startup.mode", "must be one of 'earliest-offset', 'latest-offset', 'group-offsets', 'timestamp' ('specific-offsets' is not supported yet)");
            default:
                return group is null
                    ? throw new ConfigOptionsException(
                        "Connector 'sluice-log' needs option 'properties.group.id' with 'scan.startup.mode' = 'group-offsets' (the default); give a consumer group or choose 'earliest-offset'.", Name, "properties.group.id")
                    : LogStartingPosition.Committed(group, LogStartingPosition.Earliest);
        }
    }
}
