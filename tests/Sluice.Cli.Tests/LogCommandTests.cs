using System.Text;

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

        File.Delete(_dataDir + ".input");
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

    [Fact]
    public void Produce_InvalidUtf8Line_StopsWithItsLineNumberAndStoresNothingOfIt()
    {
        CliProcess.Run(null, "log", "topics", "create", "t", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        var file = WriteInput([.. "{\"a\":1}\n{\"a\":\""u8, 0xC3, 0x28, .. "\"}\n{\"a\":2}\n"u8]);

        var produced = CliProcess.Run(null, "log", "produce", "t", "--file", file, "--data-dir", _dataDir);

        produced.ExitCode.ShouldBe(1);
        produced.Stderr.ShouldContain("line 2: invalid UTF-8 at byte 7; stopping");
        Consume("t").ShouldBe(["{\"a\":1}"]);
    }

    [Fact]
    public void Produce_InvalidUtf8LineWithSkipMalformed_SkipsAndCountsIt()
    {
        CliProcess.Run(null, "log", "topics", "create", "t", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        var file = WriteInput([.. "{\"a\":1}\n{\"a\":\""u8, 0xFF, .. "\"}\n{\"a\":2}\n"u8]);

        var produced = CliProcess.Run(null, "log", "produce", "t", "--file", file, "--skip-malformed", "--data-dir", _dataDir);

        produced.ExitCode.ShouldBe(3);
        produced.Stderr.ShouldContain("line 2: invalid UTF-8 at byte 7; skipped");
        produced.Stderr.ShouldContain("Read 3 line(s): 2 record(s) written to 't', 1 malformed (skipped), 0 blank");
        Consume("t").ShouldBe(["{\"a\":1}", "{\"a\":2}"]);
    }

    [Fact]
    public void Produce_BlankLines_AreCountedSoLinesEqualRecordsPlusMalformedPlusBlank()
    {
        CliProcess.Run(null, "log", "topics", "create", "t", "--data-dir", _dataDir).ExitCode.ShouldBe(0);

        var produced = CliProcess.Run("{\"a\":1}\n\n   \n{\"a\":2}\nnot json\n\t\n", "log", "produce", "t", "--skip-malformed", "--data-dir", _dataDir);

        produced.ExitCode.ShouldBe(3);
        produced.Stderr.ShouldContain("Read 6 line(s): 2 record(s) written to 't', 1 malformed (skipped), 3 blank");
    }

    [Fact]
    public void Produce_ValidLines_StoresTheirOriginalBytes()
    {
        CliProcess.Run(null, "log", "topics", "create", "t", "--partitions", "2", "--data-dir", _dataDir).ExitCode.ShouldBe(0);
        // Surrounding whitespace, escapes and non-ASCII text stay exactly as read; only the line terminator (LF or CRLF) goes.
        string[] lines = ["  {\"user\":\"\\u00e9\",\"v\":\"é😀\"}\t", "{\"user\" : \"é\", \"v\":[1, 2]}", "[1,2]", "\"just a string\""];
        var file = WriteInput(Encoding.UTF8.GetBytes(lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r\n" + lines[3]));

        var produced = CliProcess.Run(null, "log", "produce", "t", "--file", file, "--key-field", "user", "--data-dir", _dataDir);

        produced.ExitCode.ShouldBe(0, produced.Stderr);
        produced.Stderr.ShouldContain("Read 4 line(s): 4 record(s) written to 't', 0 malformed, 0 blank");
        Consume("t").Order(StringComparer.Ordinal).ShouldBe(lines.Order(StringComparer.Ordinal));
    }

    private string WriteInput(byte[] bytes)
    {
        var file = _dataDir + ".input";
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private string[] Consume(string topic)
    {
        var consumed = CliProcess.Run(null, "log", "consume", topic, "--from-beginning", "--data-dir", _dataDir);
        consumed.ExitCode.ShouldBe(0, consumed.Stderr);
        return consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
