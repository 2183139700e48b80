using Sluice.Schemas;
using Sluice.Sql.Catalog;

namespace Sluice.Sql.Tests.Catalogs;

public sealed class CatalogTableTests
{
    private static CatalogTable Valid() => new()
    {
        Name = "t",
        Columns = [new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("ts", DataType.Timestamp(3)), new ComputedColumn("c", "id + 1")],
        Options = [new("connector", "datagen")],
    };

    [Fact]
    public void Validate_WellFormed_Passes()
    {
        var table = Valid() with { PrimaryKey = ["id"], Watermark = new WatermarkSpec("ts", "ts") };

        Should.NotThrow(() => table.Validate());
    }

    [Fact]
    public void Validate_DuplicateColumn_NamesIt() =>
        Should.Throw<SqlException>(() => (Valid() with { Columns = [new PhysicalColumn("a", DataType.Int), new PhysicalColumn("a", DataType.BigInt)] }).Validate())
            .Message.ShouldBe("Table 't' declares column 'a' twice.");

    [Fact]
    public void Validate_PrimaryKeyUnknownColumn_SuggestsClosest() =>
        Should.Throw<SqlException>(() => (Valid() with { PrimaryKey = ["idd"] }).Validate())
            .Message.ShouldBe("The PRIMARY KEY of table 't' names column 'idd', which the table does not have. Did you mean 'id'?");

    [Fact]
    public void Validate_PrimaryKeyOnComputedColumn_IsRejected() =>
        Should.Throw<SqlException>(() => (Valid() with { PrimaryKey = ["c"] }).Validate())
            .Message.ShouldBe("The PRIMARY KEY of table 't' names column 'c', which is not a physical column.");

    [Fact]
    public void Validate_PartitionColumnTwice_IsRejected() =>
        Should.Throw<SqlException>(() => (Valid() with { PartitionKeys = ["id", "id"] }).Validate())
            .Message.ShouldBe("The PARTITIONED BY of table 't' names column 'id' twice.");

    [Fact]
    public void Validate_WatermarkOnNonTimestamp_NamesTheType() =>
        Should.Throw<SqlException>(() => (Valid() with { Watermark = new WatermarkSpec("id", "id") }).Validate(new SqlPosition(0, 3, 5)))
            .Message.ShouldBe("3:5: The WATERMARK of table 't' is for column 'id' of type BIGINT; an event-time column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3).");

    [Fact]
    public void Validate_WatermarkOnComputedColumn_Passes() =>
        Should.NotThrow(() => (Valid() with { Watermark = new WatermarkSpec("c", "c") }).Validate());

    [Fact]
    public void Validate_NoConnector_SaysHowToAddOne() =>
        Should.Throw<SqlException>(() => (Valid() with { Options = [new("format", "json")] }).Validate())
            .Message.ShouldBe("Table 't' has no 'connector' option: add WITH ('connector' = '…') naming one of the connectors 'sluice connectors list' shows.");

    [Fact]
    public void Validate_OptionTwice_NamesIt() =>
        Should.Throw<SqlException>(() => (Valid() with { Options = [new("connector", "a"), new("connector", "b")] }).Validate())
            .Message.ShouldBe("Table 't' sets option 'connector' twice.");

    [Fact]
    public void PersistedSchema_SkipsComputedAndVirtualColumns()
    {
        var table = Valid() with
        {
            Columns =
            [
                new PhysicalColumn("id", DataType.BigInt),
                new ComputedColumn("c", "id + 1"),
                new MetadataColumn("offset", DataType.BigInt, IsVirtual: true),
                new MetadataColumn("headers", DataType.Varchar, "headers"),
            ],
        };

        table.PersistedSchema().ToString().ShouldBe("ROW<id BIGINT, headers VARCHAR>");
    }
}
