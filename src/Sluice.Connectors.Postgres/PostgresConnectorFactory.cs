using Npgsql;
using Sluice.Configuration;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Postgres.PostgresConnectorFactory), typeof(Sluice.Connectors.Postgres.JdbcConnectorFactory), typeof(Sluice.Connectors.Postgres.PostgresCdcConnectorFactory))]

namespace Sluice.Connectors.Postgres;

/// <summary>
/// The 'postgres' connector: a sink of rows written exactly once into a PostgreSQL table (<see cref="PostgresSink{T}"/>),
/// appended, or upserted by the table's key with the changelog applied (<c>+I</c>/<c>+U</c> upsert, <c>-D</c> delete,
/// <c>-U</c> ignored). Options are named as Flink CDC's postgres connector names them (hostname, port, username,
/// password, database-name, schema-name, table-name). Also a lookup table for <c>FOR SYSTEM_TIME AS OF</c> joins, with
/// Flink's <c>lookup.*</c> options (<see cref="PostgresLookups"/>). Thread-safe and stateless.
/// </summary>
public sealed class PostgresConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier.</summary>
    public const string Name = "postgres";

    private static readonly ConfigOption[] s_options =
    [
        .. PostgresServerOptions.Definitions("The role to log in as."),
        ConfigOption.Required("table-name", ConfigOptionType.String, "The table to write (created from the schema if missing, else checked), or to look rows up in."),
        .. PostgresSinkOptionResolver.SinkOptions,
        .. LookupOptions.Definitions,
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Writes rows exactly once into a PostgreSQL table, appended (binary COPY) or upserted by key (deletes applied); a lookup table for FOR SYSTEM_TIME AS OF joins.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink | ConnectorCapabilities.Lookup;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">As <see cref="CreateSink"/>.</exception>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => PostgresSinkOptionResolver.ChangelogMode(context, Name);

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">'upsert' without a key, a key column the table lacks, or a <c>sink.key-fields</c> that differs from the PRIMARY KEY.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var table = options.GetString("schema-name") + "." + options.GetString("table-name");
        return PostgresSinkOptionResolver.CreateSink(context, Name, PostgresServerOptions.ConnectionString(options), table);
    }

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">A <c>lookup.*</c> option is invalid, or a column is not of a scalar type.</exception>
    public ILookupSource CreateLookupSource(ConnectorContext context, IReadOnlyList<string> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        return PostgresLookups.ForTable(context, keyColumns, Name, PostgresServerOptions.ConnectionString(options), options.GetString("schema-name")!, options.GetString("table-name")!);
    }
}

/// <summary>
/// The 'jdbc' connector for PostgreSQL URLs, as Flink's JDBC connector: <c>url</c> =
/// <c>jdbc:postgresql://host[:port]/database</c>, <c>table-name</c> (<c>name</c> or <c>schema.name</c>), <c>username</c>,
/// <c>password</c>; the same exactly-once sink as <see cref="PostgresConnectorFactory"/>. Other JDBC databases are refused.
/// </summary>
public sealed class JdbcConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier.</summary>
    public const string Name = "jdbc";

    private const string UrlPrefix = "jdbc:postgresql://";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("url", ConfigOptionType.String, "jdbc:postgresql://host[:port]/database (PostgreSQL only)."),
        ConfigOption.Required("table-name", ConfigOptionType.String, "The table to write (name, or schema.name; created from the schema if missing, else checked), or to look rows up in."),
        ConfigOption.Optional("username", ConfigOptionType.String, "The role to log in as."),
        ConfigOption.Optional("password", ConfigOptionType.String, "The role's password (never logged or shown)."),
        .. PostgresSinkOptionResolver.SinkOptions,
        .. LookupOptions.Definitions,
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Writes rows exactly once into a PostgreSQL table given by a jdbc:postgresql:// URL, appended or upserted by key; a lookup table for FOR SYSTEM_TIME AS OF joins.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink | ConnectorCapabilities.Lookup;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">As <see cref="CreateSink"/>.</exception>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => PostgresSinkOptionResolver.ChangelogMode(context, Name);

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">A URL other than jdbc:postgresql://host[:port]/database, or as <see cref="PostgresConnectorFactory.CreateSink"/>.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        return PostgresSinkOptionResolver.CreateSink(context, Name, ConnectionString(options), options.GetString("table-name")!);
    }

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">A URL other than jdbc:postgresql://host[:port]/database, a <c>lookup.*</c> option is invalid, or a column is not of a scalar type.</exception>
    public ILookupSource CreateLookupSource(ConnectorContext context, IReadOnlyList<string> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var table = options.GetString("table-name")!;
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        return PostgresLookups.ForTable(context, keyColumns, Name, ConnectionString(options), dot < 0 ? "public" : table[..dot], dot < 0 ? table : table[(dot + 1)..]);
    }

    private static string ConnectionString(ConfigOptions options)
    {
        var url = options.GetString("url")!;
        if (!url.StartsWith(UrlPrefix, StringComparison.OrdinalIgnoreCase)
            || !Uri.TryCreate("postgresql://" + url[UrlPrefix.Length..], UriKind.Absolute, out var uri)
            || uri.AbsolutePath.Trim('/').Length == 0 || uri.Query.Length > 0)
        {
            throw options.Invalid("url", "must be jdbc:postgresql://host[:port]/database (Sluice's jdbc connector writes to PostgreSQL only; give user and password as 'username' and 'password')");
        }
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')),
            Username = options.GetString("username"),
            Password = options.GetString("password"),
        };
        return connection.ConnectionString;
    }
}

/// <summary>
/// The server and login options of the 'postgres' and 'postgres-cdc' connectors, named as Flink CDC names them:
/// hostname, port, username, password, database-name, schema-name.
/// </summary>
internal static class PostgresServerOptions
{
    /// <summary>The option definitions, with <paramref name="username"/> as the username's description.</summary>
    public static ConfigOption[] Definitions(string username) =>
    [
        ConfigOption.Required("hostname", ConfigOptionType.String, "The PostgreSQL server's host name or address."),
        ConfigOption.Optional("port", ConfigOptionType.Int, "The server's port.", "5432"),
        ConfigOption.Required("username", ConfigOptionType.String, username),
        ConfigOption.Optional("password", ConfigOptionType.String, "The role's password (never logged or shown)."),
        ConfigOption.Required("database-name", ConfigOptionType.String, "The database."),
        ConfigOption.Optional("schema-name", ConfigOptionType.String, "The table's schema.", "public"),
    ];

    /// <summary>The Npgsql connection string of validated options holding <see cref="Definitions"/>.</summary>
    public static string ConnectionString(ConfigOptions options) => new NpgsqlConnectionStringBuilder
    {
        Host = options.GetString("hostname"),
        Port = options.GetInt32("port") ?? 5432,
        Username = options.GetString("username"),
        Password = options.GetString("password"),
        Database = options.GetString("database-name"),
    }.ConnectionString;
}

/// <summary>The <c>sink.*</c> options both PostgreSQL factories share, and how they become <see cref="PostgresSinkOptions"/>.</summary>
internal static class PostgresSinkOptionResolver
{
    public static readonly ConfigOption[] SinkOptions =
    [
        ConfigOption.Choice("sink.write-mode", "'append' inserts every row (insert-only input); 'upsert' applies rows by key (insert or update, delete). Default: 'upsert' when the table has a key (PRIMARY KEY or 'sink.key-fields'), else 'append'.", null, "append", "upsert"),
        new("sink.key-fields", ConfigOptionType.String, "The key columns, separated by ';', for a table declared without PRIMARY KEY: the key of 'upsert', the primary key of a table the sink creates."),
        ConfigOption.Choice("sink.upsert-mode", "With 'upsert': 'staging' stages rows and applies them by key when the checkpoint commits (any subtask may receive any key); 'prepared' applies them at the barrier in a prepared transaction, writing every row once — needs 'schema.evolution' = 'none', max_prepared_transactions > 0, and all records of one key reaching one subtask (key the stream by the primary key).", "staging", "staging", "prepared"),
        ConfigOption.Optional("sink.upsert-lock-timeout", ConfigOptionType.Duration, "With 'sink.upsert-mode' = 'prepared': how long applying a batch waits for a row lock held by another transaction before the checkpoint fails naming the keying contract (the next checkpoint's batch also waits there for the previous commit: keep it above the usual commit delay).", "30s"),
        ConfigOption.Choice("schema.evolution", "What the sink does with rows of a schema other than the table's (a registry source following its subject): 'add-columns' adds new nullable columns in the commit transaction and writes null into columns the rows lack; 'none' fails on any other schema.", "add-columns", "none", "add-columns"),
        ConfigOption.Choice("schema.evolution.on-incompatible", "With 'add-columns', what happens to a row whose schema change is incompatible (a changed type, a dropped NOT NULL column): 'fail' stops the job naming the subject, version and field; 'dlq' writes the row with the reason into the table '<table-name>.dlq', exactly once.", "fail", "fail", "dlq"),
    ];

    public static ChangelogMode ChangelogMode(ConnectorContext context, string connector) =>
        Resolve(context, connector).Mode == PostgresWriteMode.Upsert ? Schemas.ChangelogMode.Upsert : Schemas.ChangelogMode.InsertOnly;

    public static ISink<Row> CreateSink(ConnectorContext context, string connector, string connectionString, string table)
    {
        var (mode, keys) = Resolve(context, connector);
        var options = context.Options;
        return PostgresSink.ForRows(new PostgresSinkOptions
        {
            ConnectionString = connectionString,
            Table = table,
            Mode = mode,
            PrimaryKey = keys,
            SchemaEvolution = options.GetChoice("schema.evolution") == "none" ? SchemaEvolutionMode.None : SchemaEvolutionMode.AddColumns,
            OnIncompatibleSchema = options.GetChoice("schema.evolution.on-incompatible") == "dlq" ? IncompatibleSchemaAction.DeadLetter : IncompatibleSchemaAction.Fail,
            UpsertMode = options.GetChoice("sink.upsert-mode") == "prepared" ? PostgresUpsertMode.Prepared : PostgresUpsertMode.Staging,
            UpsertLockTimeout = options.GetDuration("sink.upsert-lock-timeout") ?? TimeSpan.FromSeconds(30),
        }, context.Schema);
    }

    private static (PostgresWriteMode Mode, string[] Keys) Resolve(ConnectorContext context, string connector)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        string[] keys = [];
        if (options.Contains("sink.key-fields"))
        {
            keys = [.. ConnectorFormats.ColumnsOf(context.Schema, options, "sink.key-fields").Select(static f => f.Name)];
        }
        if (context.PrimaryKey.Count > 0)
        {
            if (keys.Length > 0 && !keys.AsSpan().SequenceEqual([.. context.PrimaryKey]))
            {
                throw options.Invalid("sink.key-fields", $"must be left out or equal the table's PRIMARY KEY ({string.Join(";", context.PrimaryKey)})");
            }
            keys = [.. context.PrimaryKey];
        }
        var mode = options.Contains("sink.write-mode")
            ? options.GetChoice("sink.write-mode") == "upsert" ? PostgresWriteMode.Upsert : PostgresWriteMode.Append
            : keys.Length > 0 ? PostgresWriteMode.Upsert : PostgresWriteMode.Append;
        if (mode == PostgresWriteMode.Upsert && keys.Length == 0)
        {
            throw new ConfigOptionsException($"Connector '{connector}' needs the table's key with 'sink.write-mode' = 'upsert': declare a PRIMARY KEY, or give option 'sink.key-fields' (the key columns, separated by ';').", connector, "sink.key-fields");
        }
        if (mode == PostgresWriteMode.Append && keys.Length > 0)
        {
            throw options.Invalid("sink.write-mode", $"must be 'upsert' (or left out) for table '{context.TableName}', which has a key ({string.Join(";", keys)})");
        }
        return (mode, keys);
    }
}
