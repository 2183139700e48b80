namespace Sluice.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public void Demo_SmallBoundedRun_PrintsEveryStage()
    {
        var run = CliProcess.Run(null, "demo", "--events", "3000", "--parallelism", "2");
        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("events in");
        run.Stdout.ShouldContain("3,000");
        run.Stdout.ShouldContain("user sessions");
    }

    [Fact]
    public void Demo_NonPositiveEvents_FailsWithUsageError()
    {
        var run = CliProcess.Run(null, "demo", "--events", "0");
        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldContain("--events must be at least 1");
    }
}
