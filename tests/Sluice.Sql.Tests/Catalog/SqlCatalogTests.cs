using Sluice.Schemas;
using Sluice.Sql.Catalog;

namespace Sluice.Sql.Tests.Catalogs;

public sealed class SqlCatalogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-catalog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static CatalogTable Table(string name, params CatalogColumn[] columns) => new()
    {
        Name = name,
        Columns = columns.Length == 0 ? [new PhysicalColumn("id", DataType.BigInt)] : columns,
        Options = [new("connector", "datagen")],
    };

    [Fact]
    public void GetTable_Created_ReturnsIt()
    {
        var catalog = SqlCatalog.InMemory();
        var table = Table("orders");

        catalog.CreateTable(table).ShouldBeTrue();

        catalog.GetTable("orders").ShouldBeSameAs(table);
        catalog.GetTable("default_catalog.default_database.orders").ShouldBeSameAs(table);
        catalog.GetTable("default_database.orders").ShouldBeSameAs(table);
    }

    [Fact]
    public void GetTable_Misspelt_NamesTheClosestTables()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateTable(Table("orders"));
        catalog.CreateTable(Table("order_lines"));
        catalog.CreateTable(Table("persons"));

        var error = Should.Throw<SqlException>(() => catalog.GetTable("ordrs", new SqlPosition(14, 1, 15)));

        error.Message.ShouldBe("1:15: Table 'ordrs' does not exist. Did you mean 'orders'?");
    }

    [Fact]
    public void GetTable_NameDiffersInCase_IsUnknownButSuggested()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateTable(Table("Bid"));

        Should.Throw<SqlException>(() => catalog.GetTable("bid")).Message.ShouldBe("Table 'bid' does not exist. Did you mean 'Bid'?");
    }

    [Fact]
    public void CreateTable_QualifiedName_IsRejected()
    {
        var catalog = SqlCatalog.InMemory();

        Should.Throw<SqlException>(() => catalog.CreateTable(Table("default_database.orders")))
            .Message.ShouldBe("The table name 'default_database.orders' is qualified; name it without a catalog or database (this catalog has one database, default_catalog.default_database).");
        catalog.Names().ShouldBeEmpty();
    }

    [Fact]
    public void GetTable_View_SaysItIsAView()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateView(new CatalogView("v", "SELECT 1", []));

        Should.Throw<SqlException>(() => catalog.GetTable("v")).Message.ShouldBe("'v' is a view, not a table.");
    }

    [Fact]
    public void CreateTable_NameTaken_ThrowsUnlessIfNotExists()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateTable(Table("t"));

        Should.Throw<SqlException>(() => catalog.CreateTable(Table("t")))
            .Message.ShouldBe("A table named 't' already exists; drop it first or use IF NOT EXISTS.");
        catalog.CreateTable(Table("t", new PhysicalColumn("other", DataType.Int)), ignoreIfExists: true).ShouldBeFalse();
        catalog.GetTable("t").Columns[0].Name.ShouldBe("id");
    }

    [Fact]
    public void CreateTable_Temporary_ShadowsPermanentUntilDropped()
    {
        var catalog = SqlCatalog.InMemory();
        var permanent = Table("t");
        var temporary = Table("t", new PhysicalColumn("x", DataType.Int));
        catalog.CreateTable(permanent);
        catalog.CreateTable(temporary, temporary: true);

        catalog.GetTable("t").ShouldBeSameAs(temporary);
        catalog.DropTable("t", temporary: true).ShouldBeTrue();
        catalog.GetTable("t").ShouldBeSameAs(permanent);
    }

    [Fact]
    public void DropTable_Missing_ThrowsUnlessIfExists()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateTable(Table("orders"));

        Should.Throw<SqlException>(() => catalog.DropTable("order")).Message.ShouldBe("Table 'order' does not exist. Did you mean 'orders'?");
        catalog.DropTable("order", ignoreIfNotExists: true).ShouldBeFalse();
    }

    [Fact]
    public void DropTable_OfAView_NamesTheRightStatement()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateView(new CatalogView("v", "SELECT 1", []));

        Should.Throw<SqlException>(() => catalog.DropTable("v")).Message.ShouldBe("'v' is a view: use DROP VIEW.");
        catalog.DropView("v").ShouldBeTrue();
        catalog.Find("v").ShouldBeNull();
    }

    [Fact]
    public void Names_ListsTablesAndViewsSorted()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateTable(Table("b"));
        catalog.CreateTable(Table("a"), temporary: true);
        catalog.CreateView(new CatalogView("c", "SELECT 1", []));

        catalog.Names().ShouldBe(["a", "b"]);
        catalog.Names(tables: false, views: true).ShouldBe(["c"]);
        catalog.Names(views: true).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public void FindFunction_IgnoresCase()
    {
        var catalog = SqlCatalog.InMemory();
        catalog.CreateFunction(new CatalogFunction("count_char", "Nexmark.CountChar"));

        catalog.FindFunction("COUNT_CHAR")!.ClassName.ShouldBe("Nexmark.CountChar");
        Should.Throw<SqlException>(() => catalog.CreateFunction(new CatalogFunction("Count_Char", "X")))
            .Message.ShouldBe("Function 'Count_Char' already exists.");
        catalog.DropFunction("COUNT_char").ShouldBeTrue();
        catalog.FunctionNames().ShouldBeEmpty();
    }

    [Fact]
    public void Open_AfterChanges_HoldsThePermanentObjectsOnly()
    {
        var first = SqlCatalog.Open(_directory);
        first.CreateTable(Table("kept"));
        first.CreateTable(Table("dropped"));
        first.CreateTable(Table("session"), temporary: true);
        first.CreateView(new CatalogView("v", "SELECT id FROM kept", ["x"], "a view"));
        first.CreateFunction(new CatalogFunction("f", "My.F"));
        first.DropTable("dropped");

        var second = SqlCatalog.Open(_directory);

        second.Names(views: true).ShouldBe(["kept", "v"]);
        var kept = second.GetTable("kept");
        kept.Columns.ShouldBe([new PhysicalColumn("id", DataType.BigInt)]);
        kept.Options.ShouldBe([new("connector", "datagen")]);
        second.Find("v").ShouldBe(new CatalogView("v", "SELECT id FROM kept", ["x"], "a view"), new ViewComparer());
        second.FindFunction("f").ShouldBe(new CatalogFunction("f", "My.F"));
    }

    [Fact]
    public void Open_CatalogDirectory_IsReadableByItsOwnerOnly()
    {
        SqlCatalog.Open(_directory).CreateTable(Table("t"));

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(_directory, "catalog")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.Exists(Path.Combine(_directory, "catalog", "catalog.json")).ShouldBeTrue();
    }

    [Fact]
    public void CreateTable_FileCannotBeWritten_UndoesTheChange()
    {
        var catalog = SqlCatalog.Open(_directory);
        catalog.CreateTable(Table("before"));
        // The atomic write goes through catalog.json.tmp: a directory in its place makes the write fail.
        Directory.CreateDirectory(Path.Combine(_directory, "catalog", "catalog.json.tmp"));

        Should.Throw<UnauthorizedAccessException>(() => catalog.CreateTable(Table("after")));

        catalog.Find("after").ShouldBeNull();
        catalog.Names().ShouldBe(["before"]);
        SqlCatalog.Open(_directory).Names().ShouldBe(["before"]);
    }

    [Fact]
    public void Open_GoldenVersion1File_ReadsEveryObject()
    {
        var directory = Path.Combine(_directory, "catalog");
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Catalog", "golden", "catalog-v1.json"), Path.Combine(directory, "catalog.json"));

        var catalog = SqlCatalog.Open(_directory);

        var bids = catalog.GetTable("bids");
        bids.Comment.ShouldBe("Nexmark bids");
        bids.Columns.Count.ShouldBe(6);
        bids.Columns[0].ShouldBe(new PhysicalColumn("auction", DataType.BigInt));
        bids.Columns[1].ShouldBe(new PhysicalColumn("price", DataType.Decimal(10, 2), "in cents"));
        bids.Columns[2].ShouldBe(new PhysicalColumn("dateTime", DataType.Timestamp(3)));
        bids.Columns[3].ShouldBe(new ComputedColumn("price_eur", "price * 0.9"));
        bids.Columns[4].ShouldBe(new MetadataColumn("offset", DataType.BigInt, null, IsVirtual: true));
        bids.Columns[5].ShouldBe(new MetadataColumn("ts", DataType.TimestampLtz(3), "timestamp", IsVirtual: false));
        bids.Watermark.ShouldBe(new WatermarkSpec("dateTime", "dateTime - INTERVAL '4' SECOND"));
        bids.PrimaryKey.ShouldBe(["auction"]);
        bids.PartitionKeys.ShouldBeEmpty();
        bids.Options.ShouldBe([new("connector", "kafka"), new("properties.sasl.password", "hunter2")]);
        bids.PersistedSchema().ToString().ShouldBe("ROW<auction BIGINT NOT NULL, price DECIMAL(10, 2), dateTime TIMESTAMP(3), ts TIMESTAMP_LTZ(3)>");
        ((CatalogView)catalog.Find("expensive")!).Query.ShouldBe("SELECT * FROM bids WHERE price > 100");
        catalog.FindFunction("count_char")!.ClassName.ShouldBe("Nexmark.CountChar");
    }

    [Theory]
    [InlineData("{ \"formatVersion\": 2, \"tables\": [], \"views\": [], \"functions\": [] }", "has format version 2; this release reads version 1 to 1.")]
    [InlineData("{ \"formatVersion\": 1, \"tables\": [", "is damaged")]
    [InlineData("{ \"formatVersion\": 1, \"views\": [], \"functions\": [] }", "is damaged")]
    [InlineData("{ \"formatVersion\": 1, \"tables\": [{ \"name\": \"t\", \"columns\": [{ \"name\": \"c\", \"kind\": \"physical\", \"type\": \"BIGNIT\" }], \"primaryKey\": [], \"partitionKeys\": [], \"options\": [{ \"key\": \"connector\", \"value\": \"x\" }] }], \"views\": [], \"functions\": [] }", "is damaged")]
    [InlineData("{ \"formatVersion\": 1, \"tables\": [{ \"name\": \"t\", \"columns\": [{ \"name\": \"c\", \"kind\": \"physical\", \"type\": \"INT\" }], \"primaryKey\": [\"nope\"], \"partitionKeys\": [], \"options\": [{ \"key\": \"connector\", \"value\": \"x\" }] }], \"views\": [], \"functions\": [] }", "names column 'nope'")]
    [InlineData("{ \"formatVersion\": 1, \"tables\": [{ \"name\": \"t\", \"columns\": [{ \"name\": \"c\", \"kind\": \"physical\", \"type\": \"INT\" }], \"primaryKey\": [], \"partitionKeys\": [], \"options\": [{ \"key\": \"connector\", \"value\": \"x\" }] }, { \"name\": \"t\", \"columns\": [{ \"name\": \"c\", \"kind\": \"physical\", \"type\": \"INT\" }], \"primaryKey\": [], \"partitionKeys\": [], \"options\": [{ \"key\": \"connector\", \"value\": \"x\" }] }], \"views\": [], \"functions\": [] }", "holds two objects named 't'.")]
    [InlineData("{ \"formatVersion\": 1, \"tables\": [], \"views\": [], \"functions\": [{ \"name\": \"f\", \"className\": \"A\" }, { \"name\": \"F\", \"className\": \"B\" }] }", "holds two functions named 'F' (function names ignore case).")]
    public void Open_BadFile_ThrowsNamingTheFile(string content, string expected)
    {
        var directory = Path.Combine(_directory, "catalog");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "catalog.json");
        File.WriteAllText(file, content);

        var error = Should.Throw<CatalogFormatException>(() => SqlCatalog.Open(_directory));

        error.Message.ShouldStartWith($"The catalog file '{file}' ");
        error.Message.ShouldContain(expected);
    }

    private sealed class ViewComparer : IEqualityComparer<object?>
    {
        public new bool Equals(object? x, object? y) =>
            x is CatalogView a && y is CatalogView b && a.Name == b.Name && a.Query == b.Query && a.Comment == b.Comment && a.ColumnNames.SequenceEqual(b.ColumnNames);

        public int GetHashCode(object? obj) => 0;
    }
}
