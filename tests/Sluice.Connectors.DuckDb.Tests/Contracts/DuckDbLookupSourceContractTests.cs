using DuckDB.NET.Data;
using Sluice.Schemas;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.DuckDb.Tests.Contracts;

/// <summary>The lookup contract for the 'duckdb' connector: rows stored with SQL on a connection of the test's own.</summary>
public sealed class DuckDbLookupSourceContractTests : LookupSourceContractTests
{
    private readonly TempDirectory _dir = new();
    private readonly DuckDBConnection _connection;
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(DuckDbConnectorFactory).Assembly);

    public DuckDbLookupSourceContractTests()
    {
        _connection = DuckDbQueries.Open(Database);
        _connection.Run("CREATE TABLE dim (id BIGINT NOT NULL, region VARCHAR NOT NULL, name VARCHAR, score DOUBLE)");
    }

    private string Database => _dir.File("dim.duckdb");

    protected override void Store(params Row[] rows)
    {
        _connection.Run("DELETE FROM dim");
        foreach (var row in rows)
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO dim VALUES ($1, $2, $3, $4)";
            for (var i = 0; i < row.Schema.Count; i++)
            {
                insert.Parameters.Add(new DuckDBParameter { Value = row.GetValue(i) ?? DBNull.Value });
            }
            insert.ExecuteNonQuery();
        }
    }

    protected override ILookupSource Create(IReadOnlyList<string> keyColumns, IReadOnlyDictionary<string, string> lookupOptions)
    {
        var options = new Dictionary<string, string>(lookupOptions) { ["connector"] = "duckdb", ["path"] = Database, ["table-name"] = "dim" };
        return _registry.CreateLookupSource("dim", TableSchema, options, keyColumns);
    }

    public override void Dispose()
    {
        base.Dispose();
        _connection.Dispose();
        _dir.Dispose();
    }
}
