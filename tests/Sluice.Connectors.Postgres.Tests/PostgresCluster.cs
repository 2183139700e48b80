using Npgsql;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>One PostgreSQL server for the whole test assembly (<see cref="PostgresCollection"/>); each test works in its own tables.</summary>
public class PostgresCluster : IAsyncLifetime
{
    private PostgresServer? _server;

    /// <summary>The running server.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>A connection string to the <c>postgres</c> database as the test superuser.</summary>
    public string ConnectionString => Server.ConnectionString();

    /// <summary>A fresh table name for one test (lower case: PostgreSQL folds unquoted names).</summary>
    public static string NewTable(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs <paramref name="sql"/>; returns the rows affected.</summary>
    public int Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteNonQuery();
    }

    /// <summary>Runs a query and returns every row as an array of its values (DBNull as null).</summary>
    public List<object?[]> Query(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(values);
        }
        return rows;
    }

    /// <summary>Runs a query returning one number.</summary>
    public long Scalar(string sql) => Convert.ToInt64(Query(sql)[0][0], System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public async Task InitializeAsync() => _server = await StartServerAsync();

    /// <summary>Starts the server (<c>wal_level=logical</c>, <c>max_prepared_transactions=64</c>).</summary>
    protected virtual Task<PostgresServer> StartServerAsync() => PostgresServer.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The test classes sharing <see cref="PostgresCluster"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "postgres";
}

/// <summary>A server with <c>max_prepared_transactions=0</c>: the PostgreSQL sink's appends fall back to its staging table.</summary>
public sealed class PostgresClusterWithoutPreparedTransactions : PostgresCluster
{
    /// <inheritdoc/>
    protected override Task<PostgresServer> StartServerAsync() => PostgresServer.StartAsync(maxPreparedTransactions: 0);
}

/// <summary>The test classes sharing <see cref="PostgresClusterWithoutPreparedTransactions"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresWithoutPreparedTransactionsCollection : ICollectionFixture<PostgresClusterWithoutPreparedTransactions>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "postgres without prepared transactions";
}
