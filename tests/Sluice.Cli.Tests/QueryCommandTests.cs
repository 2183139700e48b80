using Sluice.Cli.Demo;
using Sluice.Examples.Clickstream.Demo;

namespace Sluice.Cli.Tests;

/// <summary>
/// <c>sluice query</c> cannot destroy the warehouse: read-only by default, <c>--write</c> to opt in, the
/// <c>_sluice_*</c> ledger always protected, no extension installs, no files outside the lake.
/// </summary>
public sealed class QueryCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-query-cli-" + Guid.NewGuid().ToString("N"));
    private readonly DemoPaths _paths;

    public QueryCommandTests()
    {
        // A data directory shaped like the demo's: gold tables, the sinks' ledger, and one lake table.
        _paths = new DemoPaths(_dir);
        Directory.CreateDirectory(Path.Combine(_paths.Lake, "bronze_clicks", "event_date=2026-11-21"));
        using var sql = DuckDbQueries.Open(_paths.Warehouse);
        sql.Run("CREATE TABLE sessions (user_id VARCHAR, events BIGINT)");
        sql.Run("INSERT INTO sessions VALUES ('u01', 3), ('u02', 5)");
        sql.Run("CREATE TABLE _sluice_commits (sink VARCHAR, batch VARCHAR)");
        sql.Run("INSERT INTO _sluice_commits VALUES ('sessions', 'batch-0-1')");
        sql.Run($"COPY (SELECT 'e1' AS event_id) TO '{Path.Combine(_paths.Lake, "bronze_clicks", "event_date=2026-11-21", "part-0.parquet")}' (FORMAT parquet)");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Query_ReadOnlyByDefault_ReadsTablesLakeViewsAndTheLedger()
    {
        var run = Query("SELECT (SELECT sum(events) FROM sessions) AS events, (SELECT count(*) FROM bronze_clicks) AS bronze, "
            + "(SELECT count(*) FROM _sluice_commits) AS ledger");

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.Trim().ShouldBe("{\"events\":8,\"bronze\":1,\"ledger\":1}");
    }

    [Fact]
    public void Query_TableOutput_ShowsTimestampsAndDatesAsIso8601()
    {
        var run = CliProcess.Run(null, "query", "--data-dir", _dir,
            "SELECT TIMESTAMP '2025-11-21 00:49:44' AS at, TIMESTAMP '2025-11-21 00:49:44.25' AS precise, DATE '2025-11-21' AS day");

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("2025-11-21 00:49:44 ");
        run.Stdout.ShouldContain("2025-11-21 00:49:44.25");
        run.Stdout.ShouldNotContain("11/21/2025");
    }

    [Theory]
    [InlineData("DELETE FROM sessions", "DELETE")]
    [InlineData("UPDATE sessions SET events = 0", "UPDATE")]
    [InlineData("DROP TABLE sessions", "DROP")]
    [InlineData("INSERT INTO sessions VALUES ('u03', 1)", "INSERT")]
    [InlineData("DELETE FROM _sluice_commits", "DELETE")]
    [InlineData("DROP TABLE _sluice_commits", "DROP")]
    public void Query_WriteWithoutTheWriteOption_IsRefusedInOneSentenceAndChangesNothing(string statement, string refused)
    {
        var run = Query(statement);

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, $"error: {refused} is refused", "--write");
        WarehouseShouldBeIntact();
    }

    [Theory]
    [InlineData("COPY sessions TO '{dir}/out.csv'", "COPY")]
    [InlineData("COPY (SELECT * FROM _sluice_commits) TO '{lake}/stolen.csv'", "COPY")]
    [InlineData("ATTACH '{dir}/other.duckdb' AS other", "ATTACH")]
    [InlineData("EXPORT DATABASE '{dir}/export'", "EXPORT")]
    public void Query_CopyAttachOrExportWithoutTheWriteOption_IsRefusedAndWritesNoFile(string statement, string refused)
    {
        var before = Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var run = Query(statement.Replace("{dir}", _dir, StringComparison.Ordinal).Replace("{lake}", _paths.Lake, StringComparison.Ordinal));

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, $"error: {refused} is refused", "--write");
        Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Where(f => !f.EndsWith(".wal", StringComparison.Ordinal)).ShouldBe(before);
    }

    [Fact]
    public void Query_FileOutsideTheLakeWithoutTheWriteOption_IsRefused()
    {
        var run = Query("SELECT * FROM read_text('/etc/hostname')");

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, "error: Reading or writing files outside the lake is refused", "--write");
    }

    [Theory]
    [InlineData("INSTALL httpfs", false)]
    [InlineData("INSTALL httpfs", true)]
    [InlineData("LOAD httpfs", true)]
    [InlineData("FORCE INSTALL httpfs", true)]
    [InlineData("SELECT 1; /* ; */ load 'httpfs'", false)]
    public void Query_ExtensionInstallOrLoad_IsRefusedEvenWithWrite(string statement, bool write)
    {
        var run = write ? Query(statement, "--write") : Query(statement);

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, "is refused: sluice query never installs or loads DuckDB extensions", "");
    }

    [Theory]
    [InlineData("DELETE FROM _sluice_commits")]
    [InlineData("DROP TABLE _sluice_commits")]
    [InlineData("SELECT 1; delete from \"_SLUICE_COMMITS\" -- the ledger")]
    [InlineData("ALTER TABLE sessions RENAME TO _sluice_sessions")]
    [InlineData("INSERT INTO _sluice_commits VALUES ('sessions', 'batch-0-2')")]
    public void Query_StatementChangingTheLedger_IsRefusedEvenWithWrite(string statement)
    {
        var run = Query(statement, "--write");

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, "is refused: the _sluice_* tables hold Sluice's exactly-once ledger", "");
        WarehouseShouldBeIntact();
    }

    [Fact]
    public void Query_WriteOption_ChangesGoldTablesAndStillReadsTheLedger()
    {
        var run = Query("DELETE FROM sessions WHERE user_id = 'u01'", "--write");
        run.ExitCode.ShouldBe(0, run.Stderr);

        var read = Query("SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM _sluice_commits) AS ledger", "--write");
        read.ExitCode.ShouldBe(0, read.Stderr);
        read.Stdout.Trim().ShouldBe("{\"sessions\":1,\"ledger\":1}");
    }

    [Theory]
    [InlineData("COPY (SELECT 1) TO '{warehouse}'")]
    [InlineData("COPY (SELECT 1) TO '{warehouse}' (FORMAT csv, USE_TMP_FILE false)")]
    [InlineData("SET VARIABLE p = '{warehouse}'; COPY (SELECT 1) TO getvariable('p') (FORMAT csv, USE_TMP_FILE false)")]
    [InlineData("COPY (SELECT 1) TO '{lake}/../warehouse.duckdb'")]
    [InlineData("COPY (SELECT 1) TO ('{dir}/ware' || 'house.duckdb')")]
    [InlineData("COPY (SELECT 'garbage') TO '{warehouse}.wal' (FORMAT csv, HEADER false)")]
    [InlineData("EXPORT DATABASE '{dir}'")]
    [InlineData("ATTACH '{dir}/other.duckdb' AS other")]
    public void Query_WriteOption_CannotWriteFilesOutsideTheLakeAndTheFilesFolder(string statement)
    {
        var before = Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var run = Query(Expand(statement), "--write");

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, " is refused", Path.Combine(_dir, "files"));
        Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Where(f => !f.EndsWith(".wal", StringComparison.Ordinal) && !f.StartsWith(Path.Combine(_dir, "files"), StringComparison.Ordinal))
            .ShouldBe(before);
        WarehouseShouldBeIntact();
    }

    [Fact]
    public void Query_WriteOption_CopiesExportsAndAttachesInTheFilesFolder()
    {
        var files = Path.Combine(_dir, "files");

        var run = Query($"COPY sessions TO '{files}/sessions.csv'; EXPORT DATABASE '{files}/export'; ATTACH '{files}/other.duckdb' AS other; "
            + "CREATE TABLE other.copy AS SELECT * FROM sessions; SELECT count(*) AS n FROM other.copy", "--write");

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.Trim().ShouldBe("{\"n\":2}");
        File.Exists(Path.Combine(files, "sessions.csv")).ShouldBeTrue();
        File.Exists(Path.Combine(files, "export", "schema.sql")).ShouldBeTrue();
        WarehouseShouldBeIntact();
    }

    [Theory]
    [InlineData("SELECT E'\\''; DELETE FROM _sluice_commits; --'")]
    [InlineData("SELECT e'\\'' AS a; DROP TABLE _sluice_commits; SELECT 'x' --'")]
    [InlineData("SELECT 1 --\r; DELETE FROM _sluice_commits")]
    public void Query_LedgerChangeHiddenFromASimpleSplitter_IsRefusedEvenWithWrite(string statement)
    {
        var run = Query(statement, "--write");

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, "is refused: the _sluice_* tables hold Sluice's exactly-once ledger", "");
        WarehouseShouldBeIntact();
    }

    [Theory]
    [InlineData("SELECT E'\\''; INSTALL httpfs; --'", false)]
    [InlineData("SELECT E'\\''; LOAD httpfs; --'", true)]
    public void Query_ExtensionLoadHiddenFromASimpleSplitter_IsRefused(string statement, bool write)
    {
        var run = write ? Query(statement, "--write") : Query(statement);

        run.ExitCode.ShouldBe(1);
        ShouldBeOneSentence(run.Stderr, "is refused: sluice query never installs or loads DuckDB extensions", "");
        WarehouseShouldBeIntact();
    }

    [Theory]
    [InlineData("SELECT E'\\'' AS a, e'a\\\\' AS b, $a1$ ; $a1$ AS c, 'it''s' AS d, \"x\"\"y\" AS e", 1)]
    [InlineData("SELECT 1 /* /* */ ; DELETE FROM _sluice_commits; /* */ */", 1)]
    [InlineData("SELECT 1 --\r; SELECT 2", 2)]
    [InlineData("PIVOT sessions ON user_id USING sum(events); SELECT 1", 2)]
    public void Query_StatementsAreSplitAsDuckDBSplitsThem(string sql, int count)
    {
        QueryGuard.Split(sql).Count.ShouldBe(count);
        QueryGuard.Check(sql, write: true).ShouldBeNull();
    }

    [Theory]
    [InlineData("SELECT ';' AS a; DELETE FROM x", new[] { "SELECT", "DELETE" })]
    [InlineData("-- DROP TABLE x;\n  select $$ ; $$", new[] { "select" })]
    [InlineData("/* INSTALL x; */ (SELECT 1);;", new[] { "(" })]
    [InlineData("WITH t AS (SELECT 1) DELETE FROM \"a;b\"", new[] { "WITH" })]
    public void Split_CommentsLiteralsAndQuotedIdentifiers_DoNotStartOrEndStatements(string sql, string[] keywords)
    {
        QueryGuard.Split(sql).Select(s => s.Keyword).ShouldBe(keywords);
    }

    private string Expand(string statement) => statement.Replace("{warehouse}", _paths.Warehouse, StringComparison.Ordinal)
        .Replace("{lake}", _paths.Lake, StringComparison.Ordinal).Replace("{dir}", _dir, StringComparison.Ordinal);

    private CliProcess.Result Query(string sql, params string[] options) =>
        CliProcess.Run(null, ["query", "--data-dir", _dir, "--json", .. options, sql]);

    private static void ShouldBeOneSentence(string stderr, string contains, string fix)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, stderr);
        lines[0].ShouldContain(contains, Case.Sensitive, stderr);
        lines[0].ShouldContain(fix);
        stderr.ShouldNotContain("   at ");
    }

    private void WarehouseShouldBeIntact()
    {
        using var sql = DuckDbQueries.Open(_paths.Warehouse, readOnly: true);
        var result = sql.Query("SELECT (SELECT sum(events) FROM sessions), (SELECT count(*) FROM _sluice_commits), "
            + "(SELECT count(*) FROM duckdb_tables() WHERE table_name = '_sluice_commits')");
        result.GetInt64(0, 0).ShouldBe(8);
        result.GetInt64(0, 1).ShouldBe(1);
        result.GetInt64(0, 2).ShouldBe(1);
    }
}
