using Sluice.Connectors.Delta;
using Sluice.Examples.Clickstream.Demo;
using Sluice.Schemas;

namespace Sluice.Cli.Tests;

/// <summary>
/// <c>sluice query</c> over Delta tables of the lake: a view per table reads exactly its active files (never removed or
/// uncommitted ones) at the latest version, or at the version <c>--delta-version</c> names, with partition values as
/// the log holds them (nulls and special characters) and columns added by mergeSchema.
/// </summary>
public sealed class QueryDeltaTests : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-query-delta-" + Guid.NewGuid().ToString("N"));
    private readonly DemoPaths _paths;
    private readonly string _orders;

    public QueryDeltaTests()
    {
        _paths = new DemoPaths(_dir);
        Directory.CreateDirectory(_paths.Lake);
        using (var sql = DuckDbQueries.Open(_paths.Warehouse))
        {
            sql.Run("CREATE TABLE sessions (user_id VARCHAR)");
        }
        _orders = Path.Combine(_paths.Lake, "orders");
        var table = DeltaTable.Create(_orders, s_schema, partitionBy: ["region"]);                // version 0
        table.Append([Row.Of(s_schema, 1L, "a/b", 1.5), Row.Of(s_schema, 2L, null, 2.5)]);        // version 1
        table.Append([Row.Of(s_schema, 3L, "it's 100% = x?", 3.5), Row.Of(s_schema, 4L, "a/b", 4.5)]); // version 2
        var wider = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE, note STRING");
        table.Append([Row.Of(wider, 5L, "é", 5.5, "late")], new DeltaAppendOptions { MergeSchema = true }); // version 3
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Query_DeltaTable_ReadsTheLatestSnapshotWithPartitionValuesAndMergedColumns()
    {
        var run = Query("SELECT id, region, amount, note FROM orders ORDER BY id");

        run.ExitCode.ShouldBe(0, run.Stderr);
        Lines(run.Stdout).ShouldBe([
            "{\"id\":1,\"region\":\"a/b\",\"amount\":1.5,\"note\":null}",
            "{\"id\":2,\"region\":null,\"amount\":2.5,\"note\":null}",
            "{\"id\":3,\"region\":\"it\\u0027s 100% = x?\",\"amount\":3.5,\"note\":null}",
            "{\"id\":4,\"region\":\"a/b\",\"amount\":4.5,\"note\":null}",
            "{\"id\":5,\"region\":\"\\u00E9\",\"amount\":5.5,\"note\":\"late\"}",
        ]);
    }

    [Fact]
    public void Query_DeltaVersion_ReadsThatVersionsSnapshot()
    {
        var run = Query("SELECT id, region FROM orders ORDER BY id", "--delta-version", "orders=1");

        run.ExitCode.ShouldBe(0, run.Stderr);
        Lines(run.Stdout).ShouldBe(["{\"id\":1,\"region\":\"a/b\"}", "{\"id\":2,\"region\":null}"]);
    }

    [Fact]
    public void Query_VersionZero_IsAnEmptyViewWithTheTablesColumns()
    {
        var described = Query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position", "--delta-version", "orders=0");
        Lines(described.Stdout).ShouldBe([
            "{\"column_name\":\"id\",\"data_type\":\"BIGINT\"}",
            "{\"column_name\":\"region\",\"data_type\":\"VARCHAR\"}",
            "{\"column_name\":\"amount\",\"data_type\":\"DOUBLE\"}",
        ]);
        Query("SELECT count(*) AS n FROM orders", "--delta-version", "orders=0").Stdout.Trim().ShouldBe("{\"n\":0}");
    }

    [Fact]
    public void Query_RemovedAndUncommittedFiles_AreNotRead()
    {
        // A data file nobody committed (a sink's staged file), and a commit removing the file of id 5.
        var five = Directory.GetFiles(_orders, "*.parquet", SearchOption.AllDirectories).Single(f => f.Contains("region=%C3%A9", StringComparison.Ordinal) || f.Contains("region=é", StringComparison.Ordinal));
        File.Copy(five, Path.Combine(_orders, "part-99999-uncommitted-c000.snappy.parquet"));
        var addLine = File.ReadLines(Path.Combine(_orders, "_delta_log", "00000000000000000003.json")).Single(l => l.StartsWith("{\"add\"", StringComparison.Ordinal));
        var path = addLine.Split("\"path\":\"", 2)[1].Split('"', 2)[0];
        File.WriteAllText(Path.Combine(_orders, "_delta_log", "00000000000000000004.json"),
            "{\"remove\":{\"path\":\"" + path + "\",\"deletionTimestamp\":1764979200000,\"dataChange\":true}}\n");

        var run = Query("SELECT list(id ORDER BY id) AS ids FROM orders");

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.Trim().ShouldBe("{\"ids\":[1,2,3,4]}");
    }

    [Fact]
    public void Query_DeltaTableWithADataFileDeletedOutsideTheLog_LosesItsViewWithAWarning_OthersStillWork()
    {
        var broken = DeltaTable.Create(Path.Combine(_paths.Lake, "broken"), s_schema);
        broken.Append([Row.Of(s_schema, 7L, "x", 7.0)]);
        foreach (var file in Directory.GetFiles(broken.Path, "*.parquet"))
        {
            File.Delete(file);
        }

        var run = Query("SELECT count(*) AS n FROM orders");

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.Trim().ShouldBe("{\"n\":5}");
        run.Stderr.ShouldContain("warning: lake table \"broken\" has no view");
    }

    [Fact]
    public void Query_NameValueFolderAboveTheLake_DoesNotReplaceADataColumn()
    {
        // DuckDB's hive-partition detection would read `id=99` from the path as column id for every file.
        var dir = Path.Combine(_dir, "nested", "id=99");
        var paths = new DemoPaths(dir);
        Directory.CreateDirectory(paths.Lake);
        using (var sql = DuckDbQueries.Open(paths.Warehouse))
        {
            sql.Run("CREATE TABLE sessions (user_id VARCHAR)");
        }
        var table = DeltaTable.Create(Path.Combine(paths.Lake, "t"), s_schema);
        table.Append([Row.Of(s_schema, 1L, "a", 1.0)]);

        var run = CliProcess.Run(null, ["query", "--data-dir", dir, "--json", "SELECT id FROM t"]);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.Trim().ShouldBe("{\"id\":1}");
    }

    [Fact]
    public void Query_DeltaVersionOfANonDeltaTable_IsRefusedInOneSentence()
    {
        var run = Query("SELECT 1", "--delta-version", "sessions=1");

        run.ExitCode.ShouldBe(1);
        run.Stderr.Trim().ShouldBe($"error: 'sessions' is not a Delta table in the lake {_paths.Lake}; name a folder holding a _delta_log.");
        var missing = Query("SELECT 1", "--delta-version", "orders=9");
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.ShouldStartWith("error: Delta table 'orders' cannot be read at version 9: ");
        missing.Stderr.Trim().Split('\n').Length.ShouldBe(1);
    }

    private static string[] Lines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private CliProcess.Result Query(string sql, params string[] options) =>
        CliProcess.Run(null, ["query", "--data-dir", _dir, "--json", .. options, sql]);
}
