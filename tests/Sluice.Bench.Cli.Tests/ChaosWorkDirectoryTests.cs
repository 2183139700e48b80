namespace Sluice.Bench.Cli.Tests;

/// <summary>
/// <c>chaos --work-dir</c> is checked before anything runs, as the <c>sluice</c> tool's directory options are (the same
/// shared <c>DataDirectories</c>): a path that is a file or cannot be written ends in one sentence naming it (exit
/// code 1), never a stack trace.
/// </summary>
public sealed class ChaosWorkDirectoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-bench-dirs-" + Guid.NewGuid().ToString("N"));

    public ChaosWorkDirectoryTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Chaos_WorkDirectoryNamingAFile_PrintsOneSentenceAndNoStackTrace()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a directory");

        var result = CliProcess.Run(null, "chaos", "--kills", "0", "--events", "10", "--work-dir", file);

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stderr.ShouldBe($"error: The chaos work directory '{file}' is a file, not a directory: pass a directory.\n");
        File.ReadAllText(file).ShouldBe("not a directory");
    }

    [Fact]
    public void Chaos_WorkDirectoryThatCannotBeCreated_PrintsOneSentenceAndNoStackTrace()
    {
        // /sys is a read-only kernel file system: not even root may create a directory in it.
        var result = CliProcess.Run(null, "chaos", "--kills", "0", "--events", "10", "--work-dir", "/sys/sluice-bench-test");

        result.ExitCode.ShouldBe(1, result.Stdout + result.Stderr);
        result.Stderr.ShouldStartWith("error: The chaos work directory '/sys/sluice-bench-test' is not writable");
        result.Stderr.ShouldNotContain("   at ");
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1, result.Stderr);
    }
}
