using Sluice.Lineage;

namespace Sluice.Lineage.Tests;

public sealed class DatasetNamesTests
{
    [Theory]
    [InlineData("Broker-1:9093,broker-2:9093", "kafka://broker-1:9093")]
    [InlineData("broker", "kafka://broker:9092")]
    [InlineData("PLAINTEXT://10.0.0.5:19092", "kafka://10.0.0.5:19092")]
    [InlineData("[::1]:9094", "kafka://[::1]:9094")]
    [InlineData("alice:s3cret@broker-1:9093", "kafka://broker-1:9093")]
    [InlineData("SASL_SSL://alice:s3cret@broker-1:9093,broker-2", "kafka://broker-1:9093")]
    public void Kafka_FirstBootstrapServer_IsTheNamespace(string servers, string expected)
    {
        var dataset = DatasetNames.Kafka(servers, "orders");

        dataset.Namespace.ShouldBe(expected);
        dataset.Name.ShouldBe("orders");
    }

    [Fact]
    public void Postgres_DefaultPort_IsFilledIn()
    {
        DatasetNames.Postgres("LocalHost", null, "shop", "public", "orders").ToString().ShouldBe("postgres://localhost:5432/shop.public.orders");
        DatasetNames.Postgres("127.0.0.1", 6543, "shop", "s", "t").ToString().ShouldBe("postgres://127.0.0.1:6543/shop.s.t");
    }

    [Fact]
    public void FileDuckDbLogRedis_FollowTheDocumentedTable()
    {
        DatasetNames.File("/lake/events/").ToString().ShouldBe("file//lake/events");
        DatasetNames.DuckDb("/data/w.duckdb", "main", "orders").ToString().ShouldBe("duckdb:///data/w.duckdb/main.orders");
        DatasetNames.DuckDb(":memory:", "main", "t").Namespace.ShouldBe("duckdb://:memory:");
        DatasetNames.SluiceLog("/var/sluice/", "clicks").ToString().ShouldBe("sluice:///var/sluice/clicks");
        DatasetNames.Redis("cache", null, 2, "user:").ToString().ShouldBe("redis://cache:6379/2.user:");
    }

    [Fact]
    public void File_RelativePath_IsMadeAbsolute()
    {
        DatasetNames.File("rel/dir").Name.ShouldBe(Path.GetFullPath("rel/dir"));
    }

    [Fact]
    public void Postgres_EmptyTable_Throws()
    {
        Should.Throw<ArgumentException>(() => DatasetNames.Postgres("h", null, "d", "s", " ")).ParamName.ShouldBe("table");
    }
}
