using Sluice.Connectors.DuckDb.Lookup;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Tests.Lookup;

/// <summary>The DuckDB table as an async lookup of the DataStream API (<see cref="DuckDbLookups.Create"/>), against a real DuckDB file.</summary>
public sealed class DuckDbAsyncLookupTests : IDisposable
{
    private static readonly Schema s_prices = new([new Field("region", DataType.Varchar), new Field("sku", DataType.BigInt), new Field("price", DataType.Decimal(10, 2)), new Field("seller", DataType.Varchar)]);
    private static readonly Schema s_priceKey = new([new Field("region", DataType.Varchar), new Field("sku", DataType.BigInt)]);
    private readonly TempDirectory _dir = new();

    private string Database => _dir.File("warehouse.duckdb");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        _dir.Dispose();
    }

    private void CreatePrices()
    {
        using var setup = DuckDbQueries.Open(Database);
        setup.Run("CREATE TABLE prices (region VARCHAR, sku BIGINT, price DECIMAL(10, 2), seller VARCHAR)");
        setup.Run("INSERT INTO prices VALUES ('eu', 1, 9.50, 'a'), ('eu', 1, 9.75, 'b'), ('eu', 2, 3.00, 'a'), ('us', 1, 11.00, 'c')");
    }

    [Fact]
    public async Task LookupAsync_CompositeNonUniqueKey_EveryMatchingRowJoined_MissingAndNullKeysFindNone()
    {
        CreatePrices();
        (string Region, long Sku)[] orders = [("eu", 1), ("us", 2), ("us", 1), ("eu", 2), (null!, 1), ("eu", 1)];
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var joined = env.FromCollection(orders)
            .LookupAsync(() => DuckDbLookups.Create(Database, "prices", s_prices, ["region", "sku"]),
                o => Row.Of(s_priceKey, o.Region, o.Sku),
                (o, row) => $"{o.Region ?? "null"}/{o.Sku}:{(row is null ? "none" : $"{row.GetDecimal(2)}@{row.GetString(3)}")}",
                new AsyncLookupOptions { BatchSize = 100, Linger = TimeSpan.FromHours(1) })
            .Collect();

        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        joined.Items.ShouldBe(["eu/1:9.50@a", "eu/1:9.75@b", "us/2:none", "us/1:11.00@c", "eu/2:3.00@a", "null/1:none", "eu/1:9.50@a", "eu/1:9.75@b"], ignoreOrder: true);
        joined.Items.Take(2).ShouldBe(["eu/1:9.50@a", "eu/1:9.75@b"], ignoreOrder: true, "ordered output: the first order's rows come first");
    }

    [Fact]
    public async Task LookupBatchAsync_ManyOverlappingBatches_EachAnsweredInKeyOrder()
    {
        using (var setup = DuckDbQueries.Open(Database))
        {
            setup.Run("CREATE TABLE users AS SELECT i AS user_id, 'user-' || i AS name FROM range(1000) AS t(i)");
        }
        var schema = new Schema([new Field("user_id", DataType.BigInt), new Field("name", DataType.Varchar)]);
        using var source = DuckDbLookups.Create(Database, "users", schema, ["user_id"]);
        source.Open(new LookupContext(0, 1, TimeProvider.System));

        // 16 batches of 50 keys outstanding at once (each on a connection of its own), with keys repeated and missing.
        var batches = Enumerable.Range(0, 16).Select(b => Enumerable.Range(0, 50).Select(i => Row.Of(source.KeySchema, (long)((b * 97 + i * 31) % 1100))).ToList()).ToList();
        var answers = await Task.WhenAll(batches.Select(keys => source.LookupBatchAsync(keys, CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(60));

        for (var b = 0; b < batches.Count; b++)
        {
            answers[b].Count.ShouldBe(batches[b].Count);
            for (var i = 0; i < batches[b].Count; i++)
            {
                var id = batches[b][i].GetInt64(0);
                if (id < 1000)
                {
                    answers[b][i].ShouldBe([Row.Of(schema, id, $"user-{id}")], $"batch {b}, key {id}");
                }
                else
                {
                    answers[b][i].ShouldBeEmpty($"batch {b}, key {id} is not in the table");
                }
            }
        }
    }

    [Fact]
    public void BatchSql_OneKeyColumn_IsAnInList_ACompositeKeyOneTermPerKey()
    {
        var single = new DuckDbLookupSource(Database, "users", Schema.Parse("user_id BIGINT NOT NULL, name STRING"), [0]);
        var composite = new DuckDbLookupSource(Database, "prices", s_prices, [0, 1]);

        single.BatchSql(3).ShouldBe("SELECT \"user_id\", \"name\" FROM \"users\" WHERE \"user_id\" IN ($1, $2, $3)");
        composite.BatchSql(2).ShouldBe("SELECT \"region\", \"sku\", \"price\", \"seller\" FROM \"prices\" WHERE (\"region\" = $1 AND \"sku\" = $2) OR (\"region\" = $3 AND \"sku\" = $4)");
    }

    [Fact]
    public void Create_UnknownKeyColumn_IsRefusedNamingItAndTheColumns()
    {
        var error = Should.Throw<ArgumentException>(() => DuckDbLookups.Create(Database, "prices", s_prices, ["country"]));

        error.Message.ShouldContain("'country'");
        error.Message.ShouldContain("region, sku, price, seller");
    }

    [Fact]
    public void Open_MissingTable_NamesTheTableAndTheFile()
    {
        using var source = DuckDbLookups.Create(Database, "nowhere", s_prices, ["region"]);

        var error = Should.Throw<IOException>(() => source.Open(new LookupContext(0, 1, TimeProvider.System)));

        error.Message.ShouldContain("'nowhere'");
        error.Message.ShouldContain(Database);
    }
}
