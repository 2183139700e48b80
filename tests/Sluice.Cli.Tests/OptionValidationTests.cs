namespace Sluice.Cli.Tests;

/// <summary>
/// Every numeric option rejects values outside its range at parse time, with one sentence naming the option and the
/// accepted range (no command runs, nothing is created).
/// </summary>
public sealed class OptionValidationTests
{
    [Theory]
    [InlineData("--retention-hours", "log", "topics", "create", "t", "--retention-hours", "99999999999")]
    [InlineData("--retention-hours", "log", "topics", "create", "t", "--retention-hours", "-1")]
    [InlineData("--retention-bytes", "log", "topics", "create", "t", "--retention-bytes", "-5")]
    [InlineData("--segment-bytes", "log", "topics", "create", "t", "--segment-bytes", "10")]
    [InlineData("--partitions", "log", "topics", "create", "t", "--partitions", "0")]
    [InlineData("--max", "log", "consume", "t", "--max", "-1")]
    [InlineData("--max", "log", "consume", "t", "--max", "0")]
    [InlineData("--rate", "demo", "--rate", "0")]
    [InlineData("--rate", "demo", "--rate", "-1")]
    [InlineData("--rate", "demo", "--rate", "NaN")]
    [InlineData("--events", "demo", "--events", "0")]
    [InlineData("--parallelism", "demo", "--parallelism", "0")]
    [InlineData("--format", "demo", "--explain", "--format", "yaml")]
    [InlineData("--format", "demo", "--format", "json")]
    [InlineData("--id", "checkpoints", "savepoint", "--dir", "a", "--to", "b", "--id", "0")]
    public void Parse_OutOfRangeValue_ReportsOneSentenceNamingTheOption(string option, params string[] args) =>
        UsageErrors.ShouldBeOneSentenceNaming(Program.BuildRoot(), option, args);

    [Theory]
    [InlineData("log", "topics", "create", "t", "--retention-hours", "0", "--retention-bytes", "1", "--segment-bytes", "1024", "--partitions", "100000")]
    [InlineData("log", "consume", "t", "--max", "1")]
    [InlineData("demo", "--rate", "0.5", "--events", "1", "--parallelism", "1")]
    [InlineData("demo", "--explain", "--format", "json")]
    public void Parse_BoundaryValues_AreAccepted(params string[] args)
    {
        Program.BuildRoot().Parse(args).Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_RangeMessage_NamesTheAcceptedRangeAndTheValue()
    {
        var partitions = Program.BuildRoot().Parse(["log", "topics", "create", "t", "--partitions", "0"]).Errors.Single().Message;
        var hours = Program.BuildRoot().Parse(["log", "topics", "create", "t", "--retention-hours", "99999999999"]).Errors.Single().Message;
        var rate = Program.BuildRoot().Parse(["demo", "--rate", "0"]).Errors.Single().Message;

        partitions.ShouldBe("--partitions must be between 1 and 100000 (got 0).");
        hours.ShouldBe("--retention-hours must be between 0 and 1000000 (got 99999999999).");
        rate.ShouldBe("--rate must be greater than 0 and at most 100000000 (got 0).");
    }

    [Fact]
    public void Main_InvalidOption_PrintsTheSentenceAndExitsWithUsageError()
    {
        var result = CliProcess.Run(null, "log", "consume", "t", "--max", "-1", "--data-dir", Path.Combine(Path.GetTempPath(), "sluice-never-" + Guid.NewGuid().ToString("N")));

        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldStartWith("error: --max must be at least 1 (got -1).\n");
        result.Stderr.ShouldContain("sluice log consume --help");
    }
}
