using Sluice.Configuration;
using Sluice.Connectors.Postgres.Cdc;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Postgres;

/// <summary>
/// The 'postgres-cdc' connector: a table's changes over logical replication (<see cref="PostgresCdcSource"/>), as a
/// changelog SQL reads in updating queries. Options are Flink CDC's: hostname, port, username, password, database-name,
/// schema-name, table-name, slot.name, decoding.plugin.name (pgoutput only), changelog-mode, scan.startup.mode,
/// heartbeat.interval.ms, scan.snapshot.fetch.size, plus publication.name and publication.autocreate. Thread-safe and stateless.
/// </summary>
public sealed class PostgresCdcConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier.</summary>
    public const string Name = "postgres-cdc";

    private static readonly ConfigOption[] s_options =
    [
        .. PostgresServerOptions.Definitions("The role to log in as: it needs REPLICATION and SELECT on the table."),
        ConfigOption.Required("table-name", ConfigOptionType.String, "The table to capture; it needs a primary key."),
        ConfigOption.Required("slot.name", ConfigOptionType.String, "The logical replication slot, unique per job; it keeps WAL until dropped."),
        ConfigOption.Choice("decoding.plugin.name", "The logical decoding plugin.", "pgoutput", "pgoutput"),
        ConfigOption.Optional("publication.name", ConfigOptionType.String, "The publication the slot streams (default: sluice_ + slot.name)."),
        ConfigOption.Optional("publication.autocreate", ConfigOptionType.Boolean, "Create the publication when it is missing (needs ownership of the table).", "true"),
        ConfigOption.Choice("changelog-mode", "'all': -U/+U and whole -D rows (needs REPLICA IDENTITY FULL); 'upsert': +U and key-only -D rows by the PRIMARY KEY.", "all", "all", "upsert"),
        ConfigOption.Choice("scan.startup.mode", "'initial': snapshot then stream; 'latest-offset': stream from the slot's position, no snapshot.", "initial", "initial", "latest-offset"),
        ConfigOption.Optional("heartbeat.interval.ms", ConfigOptionType.Duration, "How often a heartbeat advances the slot on a quiet table (0 disables).", "30s"),
        new("scan.snapshot.fetch.size", ConfigOptionType.Int, "Rows per snapshot query (chunked by primary key).") { DefaultValue = "8192", Minimum = 1 },
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Reads a PostgreSQL table's snapshot and changes over logical replication (pgoutput) as a changelog.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">'upsert' without a PRIMARY KEY.</exception>
    public ChangelogMode GetSourceChangelogMode(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Options.GetChoice("changelog-mode") != "upsert")
        {
            return ChangelogMode.All;
        }
        if (context.PrimaryKey.Count == 0)
        {
            throw new ConfigOptionsException($"Connector '{Name}' needs the table's PRIMARY KEY with 'changelog-mode' = 'upsert': declare PRIMARY KEY (…) NOT ENFORCED, the same columns as the PostgreSQL table's key.", Name, "changelog-mode");
        }
        return ChangelogMode.Upsert;
    }

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">An option is out of range, or a column has a type the source cannot read.</exception>
    public ISource<Row> CreateSource(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var cdc = new PostgresCdcOptions
        {
            ConnectionString = PostgresServerOptions.ConnectionString(options),
            Table = options.GetString("schema-name") + "." + options.GetString("table-name"),
            SlotName = options.GetString("slot.name")!,
            PublicationName = options.GetString("publication.name"),
            CreatePublication = options.GetBoolean("publication.autocreate") ?? true,
            Changelog = GetSourceChangelogMode(context),
            StartupMode = options.GetChoice("scan.startup.mode") == "latest-offset" ? PostgresCdcStartupMode.LatestOffset : PostgresCdcStartupMode.Initial,
            HeartbeatInterval = options.GetDuration("heartbeat.interval.ms") ?? TimeSpan.FromSeconds(30),
            SnapshotChunkSize = options.GetInt32("scan.snapshot.fetch.size") ?? 8192,
        };
        try
        {
            return new PostgresCdcSource(cdc, context.Schema);
        }
        catch (ArgumentException e)
        {
            throw new ConfigOptionsException($"Connector '{Name}' cannot read table '{context.TableName}': {e.Message}", Name, "slot.name");
        }
    }
}
