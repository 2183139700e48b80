namespace Sluice.Cli.Tests;

public sealed class LogCommandTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sluice-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public void ProduceConsume_JsonLinesWithKeys_RoundTripsEveryValidLineAndReportsTheMalformedOne()
    {
        CliProcess.Run(null, "log", "topics", "create", "clicks", "--partitions", "3", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        string[] lines =
        [
            """{"user":"a","n":1}""",
            """{"user":"b","n":2}""",
            """{"user":"a","n":3""",
            """{"user":"c","n":4}""",
            """{"user":"a","n":5}""",
        ];
        var produced = CliProcess.Run(string.Join('\n', lines) + "\n", "log", "produce", "clicks", "--key-field", "user", "--skip-malformed", "--data-dir", _dataDir);
        produced.ExitCode.ShouldBe(3, "exit 3 = finished with skipped lines (docs/log.md)");
        produced.Stderr.ShouldContain("line 3");

        var consumed = CliProcess.Run(null, "log", "consume", "clicks", "--from-beginning", "--group", "g1", "--data-dir", _dataDir);
        consumed.ExitCode.ShouldBe(0, consumed.Stderr);
        var values = consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        values.OrderBy(v => v, StringComparer.Ordinal).ShouldBe(new[] { lines[0], lines[1], lines[3], lines[4] }.OrderBy(v => v, StringComparer.Ordinal));
        // Records of one key keep their order: they share a partition.
        values.Where(v => v.Contains("\"a\"", StringComparison.Ordinal)).ShouldBe([lines[0], lines[4]]);

        var groups = CliProcess.Run(null, "log", "groups", "--data-dir", _dataDir);
        groups.ExitCode.ShouldBe(0, groups.Stderr);
        groups.Stdout.ShouldContain("g1");
    }

    [Fact]
    public void Produce_MalformedLineWithoutSkip_StopsWithItsLineNumber()
    {
        CliProcess.Run(null, "log", "topics", "create", "t", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        var produced = CliProcess.Run("{\"a\":1}\nnot json\n{\"a\":2}\n", "log", "produce", "t", "--data-dir", _dataDir);
        produced.ExitCode.ShouldNotBe(0);
        produced.Stderr.ShouldContain("line 2");
        var consumed = CliProcess.Run(null, "log", "consume", "t", "--from-beginning", "--data-dir", _dataDir);
        consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["{\"a\":1}"]);
    }
}
