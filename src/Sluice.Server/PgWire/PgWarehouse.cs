using DuckDB.NET.Data;
using Sluice.Server.Lake;

namespace Sluice.Server.PgWire;

/// <summary>
/// What the endpoint queries: the server's DuckDB warehouse file and its Parquet lake (one folder per table under
/// <c>lake/</c> of the data directory, hive-partitioned), the same catalog <c>sluice query</c> sees. Opens one DuckDB
/// connection per wire connection. Thread-safe (immutable).
/// </summary>
/// <remarks>
/// The connection string is the warehouse path alone, as the DuckDB sinks open it: DuckDB.NET shares one native
/// database per data source string within the process, and the first opener's options would win, so the endpoint adds
/// none (it must not, say, open the warehouse read-only under a sink). Read-only access is enforced per statement
/// instead (<see cref="PgSqlSession.Plan"/>, <see cref="PgQueryGuard"/>).
/// </remarks>
/// <param name="Path">The warehouse file (full path); created empty by the first connection when missing.</param>
/// <param name="LakeDirectory">The lake's root folder (full path); may be missing.</param>
internal sealed record PgWarehouse(string Path, string LakeDirectory)
{
    /// <summary>
    /// The server's SQL front end, which runs CREATE/DROP/SHOW MATERIALIZED VIEW, CREATE TABLE with a connector and
    /// INSERT INTO as jobs (<see cref="PgServerStatements"/>); null: those are refused like other writes.
    /// </summary>
    public Views.ServerSql? Server { get; init; }

    /// <summary>
    /// Opens a connection to the warehouse with each lake table as a temporary view of its name (visible to this
    /// connection only; a warehouse table of the same name is shadowed): a Delta table at its latest version when the
    /// connection opens, a folder of Parquet files as all of them (<see cref="LakeViews"/>).
    /// </summary>
    /// <exception cref="DuckDBException">The warehouse cannot be opened (another process holds it, say).</exception>
    public DuckDBConnection Open()
    {
        var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path }.ConnectionString);
        try
        {
            connection.Open();
            foreach (var shim in PgCatalogRewrites.Shims)
            {
                using var command = connection.CreateCommand();
                command.CommandText = shim;
                command.ExecuteNonQuery();
            }
            // Built per connection, so each session sees the lake's Delta snapshots as they are when it connects.
            // A table that cannot be read gets no view (a query of it says the table does not exist); the others do.
            LakeViews.Plan(LakeDirectory).CreateIn(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
