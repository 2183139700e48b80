using CsCheck;
using Sluice.Connectors;
using Sluice.Connectors.Datagen;
using Sluice.Connectors.Filesystem;
using Sluice.Connectors.Print;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;
using Sluice.Sql.Expressions;
using Sluice.Testing;

namespace Sluice.Sql.Tests.Session;

public sealed class TableBridgeTests
{
    private static readonly DateTime s_epoch = DateTime.UnixEpoch;

    private static ConnectorRegistry Registry(IReadOnlyList<object?[]>? rows = null, TextWriter? print = null) => Registry(new RowsConnectorFactory(rows ?? []), print);

    private static ConnectorRegistry Registry(RowsConnectorFactory rows, TextWriter? print = null) => new ConnectorRegistry()
        .Register(rows)
        .Register(new DatagenConnectorFactory())
        .Register(new FilesystemConnectorFactory())
        .Register(new PrintConnectorFactory(print ?? TextWriter.Null));

    private static CatalogTable Table(string connector, params CatalogColumn[] columns) => new()
    {
        Name = "t",
        Columns = columns,
        Options = [new("connector", connector)],
    };

    private static DateTime At(long millis) => s_epoch.AddMilliseconds(millis);

    private static List<string> Run(DataStream<Row> rows)
    {
        var events = new List<string>();
        rows.Transform("Recorder", () => new EventRecorder(events)).SinkTo(new CollectSink<Row>());
        return events;
    }

    [Fact]
    public void ResolveSource_UnknownOption_NamesTableAndOption()
    {
        var table = Table("datagen", new PhysicalColumn("id", DataType.BigInt)) with
        {
            Options = [new("connector", "datagen"), new("rows-per-secnd", "5")],
        };

        var error = Should.Throw<SqlException>(() => TableConnectors.ResolveSource(Registry(), table));

        error.Message.ShouldStartWith("Table 't': ");
        error.Message.ShouldContain("'rows-per-secnd'");
        error.InnerException.ShouldBeOfType<Sluice.Configuration.ConfigOptionsException>();
    }

    [Fact]
    public void ResolveSource_MetadataColumn_NamesColumnAndConnector() =>
        Should.Throw<SqlException>(() => TableConnectors.ResolveSource(Registry(), Table("datagen", new PhysicalColumn("id", DataType.BigInt), new MetadataColumn("ts", DataType.TimestampLtz(3), "timestamp"))))
            .Message.ShouldBe("Table 't' declares metadata column 'ts' (key 'timestamp'), but connector 'datagen' provides no metadata columns; declare it as a physical column or remove it.");

    [Fact]
    public void ResolveSink_SourceOnlyConnector_IsRejected() =>
        Should.Throw<SqlException>(() => TableConnectors.ResolveSink(Registry(), Table("datagen", new PhysicalColumn("id", DataType.BigInt))))
            .Message.ShouldBe("Table 't': Table 't' uses connector 'datagen' as a sink, but it is a source only.");

    [Fact]
    public void ResolveSink_PrintTable_TakesPersistedColumnsAndEveryKind()
    {
        var table = Table("print", new PhysicalColumn("id", DataType.BigInt), new ComputedColumn("c", "id + 1"), new PhysicalColumn("name", DataType.Varchar)) with { PrimaryKey = ["id"] };

        var sink = TableConnectors.ResolveSink(Registry(), table);

        sink.Schema.ToString().ShouldBe(Schema.Parse("id BIGINT NOT NULL, name STRING").ToString());
        sink.ChangelogMode.ShouldBe(ChangelogMode.All);
    }

    [Fact]
    public void Validate_FilesystemWithoutFormat_FailsAtCreation() =>
        Should.Throw<SqlException>(() => TableConnectors.Validate(Registry(), Table("filesystem", new PhysicalColumn("id", DataType.BigInt)) with
        {
            Options = [new("connector", "filesystem"), new("path", "/tmp/x")],
        })).Message.ShouldStartWith("Table 't': Connector 'filesystem' needs option 'format'");

    [Fact]
    public void Validate_UnknownConnector_ListsKnownOnes() =>
        Should.Throw<SqlException>(() => TableConnectors.Validate(Registry(), Table("datagn", new PhysicalColumn("id", DataType.BigInt))))
            .Message.ShouldBe("Table 't': There is no connector 'datagn'; the known connectors are: datagen, filesystem, print, rows.");

    [Fact]
    public void Open_ComputedColumn_IsComputedInDeclarationOrder()
    {
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new ComputedColumn("doubled", "id * 2"), new PhysicalColumn("name", DataType.Varchar));
        using var driver = new JobTestDriver();
        var source = TableConnectors.ResolveSource(Registry([[1L, "a"], [2L, "b"]]), table);
        var doubled = BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, BoundExpressions.Field(source.PersistedSchema, "id"), BoundExpressions.Literal(2L));
        var sink = new CollectSink<Row>();

        var stream = source.Open(driver.Environment, [doubled], null, null, TableScanSettings.Default);
        stream.SinkTo(sink);
        driver.RunToCompletion();

        source.TableSchema([doubled]).ToString().ShouldBe(Schema.Parse("id BIGINT, doubled BIGINT, name STRING").ToString());
        sink.Items.Select(static r => r.ToString()).ShouldBe(["+I[1, 2, a]", "+I[2, 4, b]"]);
    }

    [Fact]
    public void Open_UpsertSourceWithComputedColumn_KeepsEachRowsKind()
    {
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new ComputedColumn("next", "id + 1")) with { PrimaryKey = ["id"] };
        var rows = new RowsConnectorFactory(null, ChangelogMode.Upsert);
        using var driver = new JobTestDriver();
        var source = TableConnectors.ResolveSource(Registry(rows), table);
        var next = BoundExpressions.Arithmetic(ArithmeticOperator.Add, BoundExpressions.Field(source.PersistedSchema, "id"), BoundExpressions.Literal(1L));
        var sink = new CollectSink<Row>();
        source.Open(driver.Environment, [next], null, null, TableScanSettings.Default).SinkTo(sink);

        var update = Row.Of(source.PersistedSchema, 7L);
        update.Kind = RowKind.UpdateAfter;
        var delete = Row.Of(source.PersistedSchema, 7L);
        delete.Kind = RowKind.Delete;
        rows.PushRow(update);
        rows.PushRow(delete);
        rows.Complete();
        driver.RunToCompletion();

        source.ChangelogMode.ShouldBe(ChangelogMode.Upsert);
        sink.Items.Select(static r => r.ToString()).ShouldBe(["+U[7, 8]", "-D[7, 8]"]);
    }

    [Fact]
    public void Open_WrongNumberOfComputedExpressions_IsRejected()
    {
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new ComputedColumn("doubled", "id * 2"));
        var source = TableConnectors.ResolveSource(Registry(), table);

        Should.Throw<SqlException>(() => source.Open(StreamEnvironment.Create(), [], null, null, TableScanSettings.Default))
            .Message.ShouldBe("Table 't' has 1 computed columns but 0 expressions were given for them.");
    }

    [Fact]
    public void Open_Watermark_IsTheLargestExpressionValueAndRowsCarryTheirRowtime()
    {
        // WATERMARK FOR ts AS ts - INTERVAL '2' SECOND over 10 s, 5 s, a NULL ts and 12 s.
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("ts", DataType.Timestamp(3)));
        var rows = new RowsConnectorFactory(null);
        using var driver = new JobTestDriver();
        var source = TableConnectors.ResolveSource(Registry(rows), table);
        var watermark = BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, BoundExpressions.Field(source.TableSchema([]), "ts"), BoundExpressions.Interval(2_000, IntervalKind.DayToSecond));
        var events = Run(source.Open(driver.Environment, [], watermark, 1, TableScanSettings.Default));

        rows.Push(1L, At(10_000));
        driver.RunUntilIdle();
        rows.Push(2L, At(5_000));
        driver.RunUntilIdle();
        rows.Push(3L, null);
        driver.RunUntilIdle();
        rows.Push(4L, At(12_000));
        driver.RunUntilIdle();
        rows.Complete();
        driver.RunToCompletion();

        events.ShouldBe(["+I 1 ts=10000", "wm 8000", "+I 2 ts=5000", "+I 3 ts=none", "+I 4 ts=12000", "wm 10000", "wm max"]);
    }

    [Fact]
    public void Open_WatermarkOnAnotherColumn_TrailsThatColumnWhileRowsCarryTheirRowtime()
    {
        // WATERMARK FOR ts AS seen - INTERVAL '1' SECOND: not the rowtime minus a delay, so the source follows the
        // expression (seen) and the scan stamps each row with ts.
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("ts", DataType.Timestamp(3)), new PhysicalColumn("seen", DataType.Timestamp(3)));
        var rows = new RowsConnectorFactory(null);
        using var driver = new JobTestDriver();
        var source = TableConnectors.ResolveSource(Registry(rows), table);
        var watermark = BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, BoundExpressions.Field(source.TableSchema([]), "seen"), BoundExpressions.Interval(1_000, IntervalKind.DayToSecond));
        var events = Run(source.Open(driver.Environment, [], watermark, 1, TableScanSettings.Default));

        rows.Push(1L, At(10_000), At(20_000));
        driver.RunUntilIdle();
        rows.Push(2L, At(30_000), At(5_000));
        driver.RunUntilIdle();
        rows.Complete();
        driver.RunToCompletion();

        events.ShouldBe(["+I 1 ts=10000", "wm 19000", "+I 2 ts=30000", "wm max"]);
    }

    [Fact]
    public void Open_WatermarkOnAPhysicalRowtime_StillAddsTheScanOperator()
    {
        // The source stamps the rowtime itself here, but the scan operator stays: operators are identified by their
        // position in the job, so removing it would leave a checkpoint of an earlier version naming operators the job
        // no longer has.
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("ts", DataType.Timestamp(3)));
        var source = TableConnectors.ResolveSource(Registry(new RowsConnectorFactory(null)), table);
        var watermark = BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, BoundExpressions.Field(source.TableSchema([]), "ts"), BoundExpressions.Interval(2_000, IntervalKind.DayToSecond));

        var environment = StreamEnvironment.Create();
        source.Open(environment, [], watermark, 1, TableScanSettings.Default).SinkTo(new CollectSink<Row>());

        environment.Explain().ShouldContain("TableSource(t) -> TableScan(t) -> ");
    }

    [Theory]
    [InlineData("ts")] // the rowtime minus an interval: the source trails its largest rowtime
    [InlineData("seen")] // another column: the source follows the expression
    public void Open_IdleTimeout_AQuietTableStopsHoldingBackTheWatermarkOfAUnion(string watermarkColumn)
    {
        // table.exec.source.idle-timeout = 100 ms; WATERMARK FOR ts AS <watermarkColumn> - INTERVAL '1' SECOND on both.
        var busy = new RowsConnectorFactory(null);
        var quiet = new RowsConnectorFactory(null);
        using var driver = new JobTestDriver();
        var settings = TableScanSettings.Default with { IdleTimeout = TimeSpan.FromMilliseconds(100) };
        var events = Run(OpenWithWatermarkOn(busy, watermarkColumn, driver, settings).Union(OpenWithWatermarkOn(quiet, watermarkColumn, driver, settings)));

        busy.Push(1L, At(10_000), At(10_000));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(60));
        busy.Push(2L, At(11_000), At(11_000));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(39));
        events.ShouldBe(["+I 1 ts=10000", "+I 2 ts=11000"]); // the quiet table has held the watermark back for 99 ms

        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        events.ShouldBe(["+I 1 ts=10000", "+I 2 ts=11000", "wm 10000"]); // idle at 100 ms; the busy table last saw a row at 60 ms
    }

    [Fact]
    public void Open_NoIdleTimeout_AQuietTableHoldsBackTheWatermarkOfAUnion()
    {
        var busy = new RowsConnectorFactory(null);
        var quiet = new RowsConnectorFactory(null);
        using var driver = new JobTestDriver();
        var events = Run(OpenWithWatermarkOn(busy, "ts", driver, TableScanSettings.Default).Union(OpenWithWatermarkOn(quiet, "ts", driver, TableScanSettings.Default)));

        busy.Push(1L, At(10_000), At(10_000));
        driver.AdvanceProcessingTime(TimeSpan.FromHours(1));

        events.ShouldBe(["+I 1 ts=10000"]);
    }

    /// <summary>Opens a pushed table (id, ts, seen) with <c>WATERMARK FOR ts AS <paramref name="column"/> - INTERVAL '1' SECOND</c>.</summary>
    private static DataStream<Row> OpenWithWatermarkOn(RowsConnectorFactory rows, string column, JobTestDriver driver, TableScanSettings settings)
    {
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("ts", DataType.Timestamp(3)), new PhysicalColumn("seen", DataType.Timestamp(3)));
        var source = TableConnectors.ResolveSource(Registry(rows), table);
        var watermark = BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, BoundExpressions.Field(source.TableSchema([]), column), BoundExpressions.Interval(1_000, IntervalKind.DayToSecond));
        return source.Open(driver.Environment, [], watermark, 1, settings);
    }

    [Fact]
    public void Open_RowtimeIsAComputedColumn_WatermarkReadsIt()
    {
        // ts AS TO_TIMESTAMP_LTZ(millis, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND.
        var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("millis", DataType.BigInt), new ComputedColumn("ts", "TO_TIMESTAMP_LTZ(millis, 3)"));
        var rows = new RowsConnectorFactory(null);
        using var driver = new JobTestDriver();
        var source = TableConnectors.ResolveSource(Registry(rows), table);
        var ts = BoundExpressions.Call(FunctionCatalog.CreateBuiltIn(), "TO_TIMESTAMP_LTZ", [BoundExpressions.Field(source.PersistedSchema, "millis"), BoundExpressions.Literal(3)]);
        var watermark = BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, BoundExpressions.Field(source.TableSchema([ts]), "ts"), BoundExpressions.Interval(1_000, IntervalKind.DayToSecond));
        var events = Run(source.Open(driver.Environment, [ts], watermark, 2, TableScanSettings.Default));

        rows.Push(1L, 4_000L);
        driver.RunUntilIdle();
        rows.Push(2L, 7_500L);
        driver.RunUntilIdle();
        rows.Push(3L, 3_000L);
        driver.RunUntilIdle();
        rows.Complete();
        driver.RunToCompletion();

        events.ShouldBe(["+I 1 ts=4000", "wm 3000", "+I 2 ts=7500", "wm 6500", "+I 3 ts=3000", "wm max"]);
    }

    [Fact]
    public void Open_RowtimeNotATimestamp_IsRejected()
    {
        var source = TableConnectors.ResolveSource(Registry(), Table("rows", new PhysicalColumn("id", DataType.BigInt)));

        Should.Throw<SqlException>(() => source.Open(StreamEnvironment.Create(), [], null, 0, TableScanSettings.Default))
            .Message.ShouldBe("The rowtime column 'id' of table 't' is BIGINT; an event-time column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3).");
    }

    [Fact]
    public void Open_WatermarkOverRandomTimestamps_IsTheRunningLargestMinusDelay()
    {
        // -1 stands for a NULL ts.
        Gen.Select(Gen.Long[-1, 1_000_000].List[1, 30], Gen.Long[0, 60_000]).Sample(static (times, delay) =>
        {
            var table = Table("rows", new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("ts", DataType.Timestamp(3)));
            var rows = new RowsConnectorFactory(null);
            using var driver = new JobTestDriver();
            var source = TableConnectors.ResolveSource(Registry(rows), table);
            var watermark = BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, BoundExpressions.Field(source.TableSchema([]), "ts"), BoundExpressions.Interval(delay, IntervalKind.DayToSecond));
            var events = Run(source.Open(driver.Environment, [], watermark, 1, TableScanSettings.Default));

            // The model: after each row, the watermark is the largest non-null ts so far minus the delay, emitted when it grows.
            var expected = new List<string>();
            long? largest = null;
            for (var i = 0; i < times.Count; i++)
            {
                var t = times[i];
                rows.Push((long)i, t >= 0 ? At(t) : null);
                driver.RunUntilIdle();
                expected.Add($"+I {i} ts={(t >= 0 ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}");
                if (t >= 0 && (largest is null || t > largest))
                {
                    largest = t;
                    expected.Add($"wm {t - delay}");
                }
            }

            rows.Complete();
            driver.RunToCompletion();
            expected.Add("wm max");
            return events.SequenceEqual(expected);
        }, iter: 50);
    }

    [Fact]
    public void Attach_PrintTable_WritesTheRows()
    {
        var output = new StringWriter();
        var registry = Registry([[1L, "a"], [2L, "b"]], output);
        var columns = new CatalogColumn[] { new PhysicalColumn("id", DataType.BigInt), new PhysicalColumn("name", DataType.Varchar) };
        using var driver = new JobTestDriver();
        var source = TableConnectors.ResolveSource(registry, Table("rows", columns));
        var sink = TableConnectors.ResolveSink(registry, Table("print", columns) with { Name = "out" });

        sink.Attach(source.Open(driver.Environment, [], null, null, TableScanSettings.Default));
        driver.RunToCompletion();

        output.ToString().ReplaceLineEndings("\n").ShouldBe("+I[1, a]\n+I[2, b]\n");
    }
}
