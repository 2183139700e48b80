namespace Sluice.Cli.Tests;

/// <summary><c>sluice sql</c>: statements, files, the data directory and the shell on piped input.</summary>
public sealed class SqlCommandTests : IDisposable
{
    private const string CreateBid = "CREATE TABLE bid (auction BIGINT, price BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')";

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Execute_DdlAndShow_PrintsTheirResults()
    {
        var result = CliProcess.Run(null, "sql", "-e", CreateBid + "; SHOW TABLES");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldBeEmpty();
        result.Stdout.ShouldContain("[INFO] Table 'bid' was created.");
        result.Stdout.ShouldContain("│ bid ");
        result.Stdout.ShouldContain("1 row in set");
    }

    [Fact]
    public void Execute_SyntaxError_PrintsTheLineAndACaretAndExits1()
    {
        var result = CliProcess.Run(null, "sql", "-e", "SHOW TABLES;\nDESCRIBE");

        result.ExitCode.ShouldBe(1);
        var lines = result.Stderr.ReplaceLineEndings("\n").Split('\n');
        lines[0].ShouldStartWith("error: 2:9: ");
        lines[1].ShouldBe("DESCRIBE");
        lines[2].ShouldBe("        ^");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public void Execute_ErrorWithVerbose_AlsoPrintsTheStackTrace()
    {
        var result = CliProcess.Run(null, "sql", "--verbose", "-e", "DESCRIBE nope");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: 1:10: Table 'nope' does not exist.");
        result.Stderr.ShouldContain("   at ");
    }

    [Fact]
    public void Execute_Select_PrintsTheRowsWithTheirKinds()
    {
        var result = CliProcess.Run(null, "sql", "-e", "SELECT 1 AS one");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("op | one");
        result.Stdout.ShouldContain("+I | 1");
        result.Stdout.ShouldContain("Received a total of 1 row");
    }

    [Fact]
    public void File_InsertsRunAsOneStatementSetAfterTheDdl()
    {
        var path = Path.Combine(_directory, "job.sql");
        File.WriteAllText(path, $"""
            {CreateBid};
            INSERT INTO out1 SELECT auction FROM bid;
            CREATE TABLE out1 (a BIGINT) WITH ('connector' = 'print');
            INSERT INTO out1 SELECT price FROM bid;
            """);

        var result = CliProcess.Run(null, "sql", "-f", path);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].ShouldBe("[INFO] Table 'bid' was created.");
        lines[1].ShouldBe("[INFO] Table 'out1' was created.");
        // The print sink writes from the running job, so its rows may come before or after the line saying the job was
        // submitted (printed once the job started); only the job's one line, its rows and the final line are certain.
        lines.Skip(2).SkipLast(1).Where(static l => !l.StartsWith("+I[", StringComparison.Ordinal)).ShouldHaveSingleItem()
            .ShouldStartWith("[INFO] Job 'insert-into_out1,out1' (");
        lines.Count(static l => l.StartsWith("+I[", StringComparison.Ordinal)).ShouldBe(6); // both INSERTs of one job, 3 rows each
        lines[^1].ShouldBe("[INFO] Job 'insert-into_out1,out1' finished.");
    }

    [Fact]
    public void File_Missing_IsOneSentence()
    {
        var result = CliProcess.Run(null, "sql", "-f", Path.Combine(_directory, "nope.sql"));

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith($"error: The SQL file '{Path.Combine(_directory, "nope.sql")}' cannot be read");
    }

    [Fact]
    public void ExecuteAndFile_Together_IsAUsageError()
    {
        var result = CliProcess.Run(null, "sql", "-e", "SHOW TABLES", "-f", "x.sql");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("Give either --execute or --file, not both.");
    }

    [Fact]
    public void DataDir_KeepsTheCatalogForTheNextRun()
    {
        CliProcess.Run(null, "sql", "--data-dir", _directory, "-e", CreateBid).ExitCode.ShouldBe(0);

        var result = CliProcess.Run(null, "sql", "--data-dir", _directory, "-e", "DESCRIBE bid");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("│ auction ");
        result.Stdout.ShouldContain("2 rows in set");
    }

    [Fact]
    public void Shell_PipedMultiLineStatementsHelpAndQuit_RunsThemInOrder()
    {
        var result = CliProcess.Run("CREATE TABLE t (\n  id BIGINT\n) WITH (\n  'connector' = 'datagen'\n);\nHELP;\nSHOW TABLES; QUIT;\nSHOW VIEWS;\n", "sql");

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("[INFO] Table 't' was created.");
        result.Stdout.ShouldContain("QUIT;   leave the shell");
        result.Stdout.ShouldContain("│ t ");
        result.Stdout.ShouldNotContain("view name");
    }

    [Fact]
    public void Shell_PipedInputWithAnError_StopsAndExits1()
    {
        var result = CliProcess.Run("SHOW TABLES;\nDESCRIBE nope;\nCREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen');\n", "sql");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: 1:10: Table 'nope' does not exist.");
        result.Stdout.ShouldNotContain("[INFO] Table 't' was created.");
    }
}
