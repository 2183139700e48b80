namespace Sluice.Cli.Tests;

/// <summary>
/// What a CLI user sees when a command fails: <c>error: &lt;one sentence&gt;</c> on stderr and exit code 1, never a
/// stack trace or .NET decorations such as <c>(Parameter 'name')</c>; <c>--verbose</c> adds the stack trace.
/// </summary>
public sealed class ErrorReportingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-cli-errors-" + Guid.NewGuid().ToString("N"));

    public ErrorReportingTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Main_InvalidTopicName_PrintsOneSentenceWithoutParameterSuffix()
    {
        var result = CliProcess.Run(null, "log", "topics", "create", "bad name", "--data-dir", Path.Combine(_dir, "log"));

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe("error: 'bad name' is not a valid topic name: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'.\n");
    }

    [Fact]
    public void Main_MissingTopic_PrintsOneSentenceWithoutParameterSuffix()
    {
        var data = Path.Combine(_dir, "log");
        CliProcess.Run(null, "log", "topics", "create", "t", "--data-dir", data).ExitCode.ShouldBe(0);

        var result = CliProcess.Run(null, "log", "topics", "describe", "nope", "--data-dir", data);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: Topic 'nope' does not exist");
        result.Stderr.ShouldNotContain("(Parameter");
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public void Main_Verbose_AlsoPrintsTheStackTrace()
    {
        var result = CliProcess.Run(null, "log", "topics", "create", "bad name", "--verbose", "--data-dir", Path.Combine(_dir, "log"));

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith("error: 'bad name' is not a valid topic name");
        result.Stderr.ShouldContain("System.ArgumentException");
        result.Stderr.ShouldContain("   at Sluice.");
    }

    [Fact]
    public void Main_OutputPiped_TablesCarryNoAnsiCodes()
    {
        var data = Path.Combine(_dir, "log");
        CliProcess.Run(null, "log", "topics", "create", "t", "--data-dir", data).ExitCode.ShouldBe(0);

        var result = CliProcess.Run(TimeSpan.FromSeconds(60), null, new Dictionary<string, string?> { ["NO_COLOR"] = null, ["TERM"] = "xterm-256color" },
            "log", "topics", "describe", "t", "--data-dir", data);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("partitions=1");
        result.Stdout.ShouldNotContain("\u001b[");
    }
}
