using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>Appends: written then read back, idempotent transactions, schema evolution, checkpoints.</summary>
public sealed class WriterTests
{
    private static readonly Schema s_orders = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE, day DATE, note STRING");

    private static Row Order(long id, string? region, double? amount, DateOnly? day = null, string? note = null) =>
        Row.Of(s_orders, id, region, amount, day, note);

    [Fact]
    public void Append_Unpartitioned_ReadsBackEveryValue()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_orders);

        var result = table.Append([Order(1, "eu", 9.5, new DateOnly(2026, 1, 2), "a"), Order(2, null, null)]);

        result.ShouldBe(new DeltaCommitResult(1, false, 1, 2, 1));
        var rows = table.ReadRows().OrderBy(r => r.GetInt64(0)).ToList();
        rows.ShouldBe([Order(1, "eu", 9.5, new DateOnly(2026, 1, 2), "a"), Order(2, null, null)]);
    }

    [Fact]
    public void Append_Partitioned_SpecialCharactersAndNullsRoundTrip()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_orders, partitionBy: ["region", "day"]);
        Row[] written =
        [
            Order(1, "A/A", 1, new DateOnly(2026, 3, 1)),
            Order(2, "B B", 2, new DateOnly(2026, 3, 1)),
            Order(3, "50%=half?#", 3, null),
            Order(4, null, 4, new DateOnly(2026, 3, 2)),
            Order(5, "ünï", 5, new DateOnly(2026, 3, 2)),
        ];

        var result = table.Append(written);

        result.FilesAdded.ShouldBe(5);
        table.ReadRows().OrderBy(r => r.GetInt64(0)).ToList().ShouldBe(written);
        Directory.Exists(Path.Combine(table.Path, "region=A%2FA", "day=2026-03-01")).ShouldBeTrue();
        Directory.Exists(Path.Combine(table.Path, "region=50%25%3Dhalf%3F%23", "day=__HIVE_DEFAULT_PARTITION__")).ShouldBeTrue();
        Directory.Exists(Path.Combine(table.Path, "region=__HIVE_DEFAULT_PARTITION__", "day=2026-03-02")).ShouldBeTrue();
        table.PlanFiles(predicate: DeltaPredicate.Equal("region", "A/A")).Count.ShouldBe(1);
    }

    [Fact]
    public void Append_Statistics_SkipFilesByMinMax()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_orders);
        table.Append([Order(1, "x", 1), Order(5, "x", 2)]);
        table.Append([Order(10, "x", 3), Order(20, "x", 4)]);

        table.PlanFiles(predicate: DeltaPredicate.GreaterThan("id", 7L)).Count.ShouldBe(1);
        table.PlanFiles(predicate: DeltaPredicate.LessThanOrEqual("id", 1L)).Count.ShouldBe(1);
        table.PlanFiles(predicate: DeltaPredicate.Equal("id", 7L)).Count.ShouldBe(0);
        table.ReadRows(predicate: DeltaPredicate.GreaterThanOrEqual("id", 5L)).Select(r => r.GetInt64(0)).Order().ShouldBe([5L, 10L, 20L]);
    }

    [Fact]
    public void Append_SameTransactionTwice_SecondIsANoOp()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_orders);
        var txn = new DeltaAppendOptions { AppId = "job/sink/0", TransactionVersion = 7 };

        var first = table.Append([Order(1, "a", 1)], txn);
        var replay = table.Append([Order(1, "a", 1)], txn);
        var older = table.Append([Order(1, "a", 1)], txn with { TransactionVersion = 6 });
        var next = table.Append([Order(2, "a", 1)], txn with { TransactionVersion = 8 });

        first.Version.ShouldBe(1);
        replay.ShouldBe(new DeltaCommitResult(null, true, 0, 0, 0));
        older.Skipped.ShouldBeTrue();
        next.Version.ShouldBe(2);
        table.GetSnapshot().GetTransactionVersion("job/sink/0").ShouldBe(8);
        table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe([1L, 2L]);
        Directory.GetFiles(table.Path, "*.parquet").Length.ShouldBe(2);
    }

    [Fact]
    public void Append_EmptyTransaction_RecordsTheVersion()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_orders);

        var result = table.Append([], new DeltaAppendOptions { AppId = "a", TransactionVersion = 3 });

        result.Version.ShouldBe(1);
        result.FilesAdded.ShouldBe(0);
        table.GetSnapshot().GetTransactionVersion("a").ShouldBe(3);
        table.Append([]).Version.ShouldBeNull();
    }

    [Fact]
    public void Append_MergeSchema_AddsANullableColumn()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), Schema.Parse("id BIGINT NOT NULL, name STRING"));
        table.Append([Row.Of(Schema.Parse("id BIGINT NOT NULL, name STRING"), 1L, "a")]);
        var wider = Schema.Parse("id BIGINT NOT NULL, score DOUBLE, name STRING");

        table.Append([Row.Of(wider, 2L, 0.5, "b")], new DeltaAppendOptions { MergeSchema = true });

        var schema = Schema.Parse("id BIGINT NOT NULL, name STRING, score DOUBLE");
        table.GetSnapshot().Schema.ShouldBe(schema);
        table.ReadRows().OrderBy(r => r.GetInt64(0)).ToList().ShouldBe([Row.Of(schema, 1L, "a", null), Row.Of(schema, 2L, "b", 0.5)]);
        table.GetSnapshot(1).Schema.ShouldBe(Schema.Parse("id BIGINT NOT NULL, name STRING"));
    }

    [Theory]
    [InlineData("id BIGINT NOT NULL, name STRING, extra INT", false, "'extra'", "MergeSchema")]
    [InlineData("id BIGINT NOT NULL, name STRING, extra INT NOT NULL", true, "'extra'", "NOT NULL")]
    [InlineData("id INT NOT NULL, name STRING", true, "'id'", "only adding nullable columns")]
    [InlineData("name STRING", true, "'id'", "NOT NULL")]
    public void Append_SchemaChangeThatIsNotAdditive_RefusedNamingTheField(string rows, bool merge, string field, string fix)
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), Schema.Parse("id BIGINT NOT NULL, name STRING"));
        var schema = Schema.Parse(rows);
        var row = new Row(schema);
        for (var i = 0; i < schema.Count; i++)
        {
            row.SetValue(i, schema[i].Type.Kind switch { DataTypeKind.BigInt => 1L, DataTypeKind.Int => 1, _ => "x" });
        }

        var error = Should.Throw<DeltaException>(() => table.Append([row], new DeltaAppendOptions { MergeSchema = merge }));

        error.Message.ShouldContain(field);
        error.Message.ShouldContain(fix);
        table.GetSnapshot().Version.ShouldBe(0);
        Directory.GetFiles(table.Path, "*.parquet", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public void Append_TenthCommit_WritesACheckpointThatReadsAlone()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_orders, partitionBy: ["region"]);
        for (var i = 1; i <= 11; i++)
        {
            table.Append([Order(i, i % 2 == 0 ? "even" : null, i)], new DeltaAppendOptions { AppId = "app", TransactionVersion = i });
        }
        var log = Path.Combine(table.Path, "_delta_log");

        File.Exists(Path.Combine(log, "00000000000000000010.checkpoint.parquet")).ShouldBeTrue();
        File.ReadAllText(Path.Combine(log, "_last_checkpoint")).ShouldStartWith("{\"version\":10,\"size\":13,");
        for (var v = 0; v <= 10; v++)
        {
            File.Delete(Path.Combine(log, $"{v:D20}.json"));
        }
        var reopened = DeltaTable.Open(table.Path);
        var snapshot = reopened.GetSnapshot();
        snapshot.Version.ShouldBe(11);
        snapshot.PartitionColumns.ShouldBe(["region"]);
        snapshot.GetTransactionVersion("app").ShouldBe(11);
        reopened.ReadRows().OrderBy(r => r.GetInt64(0)).ToList().ShouldBe([.. Enumerable.Range(1, 11).Select(i => Order(i, i % 2 == 0 ? "even" : null, i))]);
    }

    [Fact]
    public void Create_Twice_SecondFailsNamingVersionZero()
    {
        using var temp = new TempDirectory();
        DeltaTable.Create(temp.File("t"), s_orders);

        var error = Should.Throw<DeltaException>(() => DeltaTable.Create(temp.File("t"), s_orders));

        error.Message.ShouldContain("already exists");
    }

    [Fact]
    public void Create_TimeColumn_RefusedNamingIt()
    {
        using var temp = new TempDirectory();

        var error = Should.Throw<DeltaException>(() => DeltaTable.Create(temp.File("t"), Schema.Parse("id BIGINT, at TIME")));

        error.Message.ShouldContain("'at'");
        DeltaTable.Exists(temp.File("t")).ShouldBeFalse();
    }

    [Fact]
    public void Create_TimestampWithoutTimeZone_UsesTheTimestampNtzFeature()
    {
        using var temp = new TempDirectory();
        var schema = Schema.Parse("id BIGINT, at TIMESTAMP(6), utc TIMESTAMP_LTZ(6)");
        var table = DeltaTable.Create(temp.File("t"), schema);
        var at = new DateTime(2026, 5, 1, 12, 30, 0, DateTimeKind.Unspecified).AddTicks(1230);
        var utc = new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

        table.Append([Row.Of(schema, 1L, at, utc)]);

        var protocol = table.GetSnapshot().Protocol;
        (protocol.MinReaderVersion, protocol.MinWriterVersion).ShouldBe((3, 7));
        protocol.ReaderFeatures.ShouldBe(["timestampNtz"]);
        table.ReadRows().Single().ShouldBe(Row.Of(schema, 1L, at, utc));
    }
}
