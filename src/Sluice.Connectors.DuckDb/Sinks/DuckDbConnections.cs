using DuckDB.NET.Data;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// Opens DuckDB.NET connections for the sinks and runs their SQL. DuckDB.NET keeps one native database per data source
/// string for as long as any connection to it is open: connections opened later share it (and its open-time options —
/// the first open's options win), and the database closes with the last connection.
/// </summary>
internal static class DuckDbConnections
{
    /// <summary>The data source of a private in-memory database (one per connection).</summary>
    public const string InMemory = ":memory:";

    /// <summary>
    /// Opens a connection to <paramref name="dataSource"/> (an absolute file path, created if missing, or
    /// <see cref="InMemory"/>) with DuckDB configuration <paramref name="options"/> (e.g. <c>threads</c> → <c>1</c>).
    /// The caller disposes it.
    /// </summary>
    /// <exception cref="DuckDBException">DuckDB cannot open the file (e.g. another process holds it) or rejects an option.</exception>
    public static DuckDBConnection Open(string dataSource, IReadOnlyDictionary<string, string>? options = null)
    {
        var builder = new DuckDBConnectionStringBuilder { DataSource = dataSource };
        if (options is not null)
        {
            foreach (var (name, value) in options)
            {
                builder[name] = value;
            }
        }
        var connection = new DuckDBConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="sql"/> and returns the rows it changed; any result rows are discarded.</summary>
    /// <exception cref="DuckDBException">DuckDB reported an error.</exception>
    public static int Execute(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>A command for <paramref name="sql"/> with positional parameters <c>$1</c>, <c>$2</c>… bound to <paramref name="parameters"/>.</summary>
    public static DuckDBCommand Command(this DuckDBConnection connection, string sql, params ReadOnlySpan<object> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter));
        }
        return command;
    }
}
