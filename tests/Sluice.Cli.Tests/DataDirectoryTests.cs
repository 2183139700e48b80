namespace Sluice.Cli.Tests;

/// <summary>
/// Directory options (<c>--data-dir</c>, <c>--dir</c>) are checked before a command opens anything:
/// read-only commands never create a missing directory, and a path that is a file or cannot be written ends in one
/// sentence naming it (exit code 1), never a stack trace.
/// </summary>
public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-cli-dirs-" + Guid.NewGuid().ToString("N"));
    private readonly string _missing;

    public DataDirectoryTests()
    {
        Directory.CreateDirectory(_dir);
        _missing = Path.Combine(_dir, "mistyped");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("log", "topics", "list")]
    [InlineData("log", "topics", "describe", "t")]
    [InlineData("log", "consume", "t", "--from-beginning")]
    [InlineData("log", "groups")]
    [InlineData("log", "produce", "t")]
    [InlineData("log", "topics", "delete", "t")]
    public void Command_MistypedDataDirectory_FailsWithoutCreatingIt(params string[] args)
    {
        var result = CliProcess.Run(string.Empty, [.. args, "--data-dir", _missing]);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe($"error: The log data directory '{_missing}' does not exist.\n");
        Directory.Exists(_missing).ShouldBeFalse();
    }

    [Fact]
    public void CheckpointsList_MissingDirectory_FailsWithoutCreatingIt()
    {
        var result = CliProcess.Run(null, "checkpoints", "list", "--dir", _missing);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldBe($"error: The checkpoint directory '{_missing}' does not exist.\n");
        Directory.Exists(_missing).ShouldBeFalse();
    }

    [Theory]
    [InlineData("log", "topics", "create", "t", "--data-dir")]
    [InlineData("log", "topics", "list", "--data-dir")]
    [InlineData("log", "produce", "t", "--data-dir")]
    [InlineData("demo", "--events", "100", "--data-dir")]
    [InlineData("checkpoints", "list", "--dir")]
    [InlineData("checkpoints", "savepoint", "--to", "x", "--dir")]
    public void Main_DirectoryOptionNamingAFile_PrintsOneSentenceAndNoStackTrace(params string[] args)
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a directory");

        var result = CliProcess.Run(string.Empty, [.. args, file]);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stderr.ShouldStartWith("error: ");
        result.Stderr.ShouldContain($"'{file}' is a file, not a directory");
        result.Stderr.ShouldNotContain("   at ");
        result.Stderr.ShouldNotContain("Unhandled exception");
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1, result.Stderr);
        File.ReadAllText(file).ShouldBe("not a directory");
    }

    [Theory]
    [InlineData("log", "topics", "create", "t", "--data-dir")]
    [InlineData("demo", "--events", "100", "--data-dir")]
    public void Main_DirectoryThatCannotBeCreated_PrintsOneSentenceAndNoStackTrace(params string[] args)
    {
        // /sys is a read-only kernel file system: not even root may create a directory in it.
        var result = CliProcess.Run(null, [.. args, "/sys/sluice-cli-test"]);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stderr.ShouldStartWith("error: ");
        result.Stderr.ShouldContain("'/sys/sluice-cli-test' is not writable");
        result.Stderr.ShouldNotContain("   at ");
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1, result.Stderr);
    }
}
