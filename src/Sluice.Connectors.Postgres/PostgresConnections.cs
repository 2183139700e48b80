using Npgsql;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Lineage;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres;

/// <summary>Opens connections, turning the server's refusals into errors that name the fix (and never the connection string).</summary>
internal static class PostgresConnections
{
    /// <summary>
    /// Where <paramref name="connectionString"/> points, for an options record's text: host, port, database and user only
    /// (an allow-list, so no password, SSL key password or passfile ever shows); <c>(not a valid connection string)</c>
    /// when Npgsql cannot parse it.
    /// </summary>
    public static string Describe(string? connectionString)
    {
        try
        {
            var given = new NpgsqlConnectionStringBuilder(connectionString ?? "");
            return new NpgsqlConnectionStringBuilder { Host = given.Host, Port = given.Port, Database = given.Database, Username = given.Username }.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(not a valid connection string)";
        }
    }

    /// <summary>
    /// The OpenLineage dataset of <paramref name="table"/> (<c>schema.name</c>, or <c>name</c> in <c>public</c>) in the
    /// database <paramref name="connectionString"/> points at: <c>postgres://{host}:{port}</c> of its first host, name
    /// <c>{database}.{schema}.{table}</c> (database <c>postgres</c> when the string names none), with
    /// <paramref name="columns"/> as its schema facet in PostgreSQL's type names (none when a column is ROW, ARRAY or MAP). Only the host, port and database are
    /// read: the user and password never become part of a dataset.
    /// </summary>
    public static LineageDataset Dataset(string connectionString, string table, Schema columns)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var host = (builder.Host ?? "localhost").Split(',')[0].Trim();
        int? port = builder.Port;
        // A host of a multi-host string may carry its own port ("a:5433,b").
        if (host.LastIndexOf(':') is var colon and > 0 && !host.StartsWith('[') && int.TryParse(host.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var hostPort))
        {
            (host, port) = (host[..colon], hostPort);
        }
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        var (schema, name) = dot < 0 ? ("public", table) : (table[..dot], table[(dot + 1)..]);
        // Without a Database, PostgreSQL connects to the user's database; the name says "postgres" instead, so that no
        // user name ever becomes part of a dataset name.
        var dataset = DatasetNames.Postgres(host, port, builder.Database ?? "postgres", schema, name);
        var fields = new List<SchemaField>(columns.Count);
        foreach (var field in columns)
        {
            try
            {
                fields.Add(new SchemaField(field.Name, PostgresColumns.SqlType(field.Type, field.Name)));
            }
            catch (NotSupportedException)
            {
                // A type PostgreSQL has no name for here (ROW, ARRAY, MAP): the dataset without a schema facet.
                return dataset;
            }
        }
        return dataset.WithSchema(fields);
    }

    /// <summary>Opens a connection for <paramref name="purpose"/> (<c>the PostgreSQL sink of table 'orders'</c>).</summary>
    /// <exception cref="PostgresSinkException">The server refused or could not be reached; the message says why and what to change.</exception>
    public static NpgsqlConnection Open(string connectionString, string purpose) =>
        Open(connectionString, purpose, static (message, inner) => new PostgresSinkException(message, inner));

    /// <summary>Opens a connection for <paramref name="purpose"/>; a refusal becomes the exception <paramref name="error"/> makes of the message and cause.</summary>
    public static NpgsqlConnection Open(string connectionString, string purpose, Func<string, Exception, Exception> error)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw error($"The connection string of {purpose} is malformed: {e.Message}", e);
        }
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (PostgresException e)
        {
            connection.Dispose();
            throw error(Explain(e, builder, purpose), e);
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            throw error($"Could not connect {purpose} to PostgreSQL at {builder.Host}:{builder.Port}: {e.InnerException?.Message ?? e.Message}. Is the server running, and does it listen there?", e);
        }
    }

    internal static string Explain(PostgresException e, NpgsqlConnectionStringBuilder builder, string purpose) => e.SqlState switch
    {
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
            $"PostgreSQL at {builder.Host}:{builder.Port} refused the login of user '{builder.Username}' for {purpose} ({e.SqlState}: {e.MessageText}). Check the username and password.",
        PostgresErrorCodes.InvalidCatalogName =>
            $"PostgreSQL at {builder.Host}:{builder.Port} has no database '{builder.Database}' ({purpose}). Create it (CREATE DATABASE), or fix the database name.",
        _ => $"PostgreSQL at {builder.Host}:{builder.Port} refused {purpose}: {e.SqlState}: {e.MessageText}",
    };
}
