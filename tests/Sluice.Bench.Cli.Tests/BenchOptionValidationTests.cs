namespace Sluice.Bench.Cli.Tests;

/// <summary>
/// The bench and chaos commands validate their options as the <c>sluice</c> tool's do (the same shared
/// <c>OptionValidation</c>): an out-of-range value is a parse error whose message is one sentence naming the option and
/// the accepted range; nothing runs.
/// </summary>
public sealed class BenchOptionValidationTests
{
    [Theory]
    [InlineData("--kills", "chaos", "--kills", "-1")]
    [InlineData("--interval-ms", "chaos", "--interval-ms", "0")]
    [InlineData("--parallelism", "chaos", "--parallelism", "0")]
    [InlineData("--events", "chaos", "--events", "0")]
    [InlineData("--records-per-second", "chaos", "--records-per-second", "-1")]
    [InlineData("--max-progress-lines", "chaos", "--max-progress-lines", "0")]
    [InlineData("--fault", "chaos", "--fault", "explode:3")]
    [InlineData("--interval-ms", "chaos", "run-job", "--data-dir", "d", "--interval-ms", "0")]
    [InlineData("--parallelism", "chaos", "run-job", "--data-dir", "d", "--parallelism", "0")]
    [InlineData("--state-backend", "chaos", "--state-backend", "disk")]
    [InlineData("--state-backend", "chaos", "run-job", "--data-dir", "d", "--state-backend", "disk")]
    [InlineData("--records", "bench", "log", "--records", "0")]
    [InlineData("--seconds", "bench", "checkpoints", "--seconds", "0")]
    [InlineData("--state-backend", "bench", "checkpoints", "--state-backend", "disk")]
    [InlineData("--keys", "bench", "checkpoints", "--state-backend", "rocksdb", "--keys", "10")]
    [InlineData("--changed-percent", "bench", "checkpoints", "--changed-percent", "0")]
    [InlineData("--rounds", "bench", "checkpoints", "--rounds", "0")]
    [InlineData("--parallelism", "bench", "nexmark", "--parallelism", "0")]
    [InlineData("--events", "bench", "nexmark", "--events", "0")]
    [InlineData("--checkpoint-interval", "bench", "nexmark", "--checkpoint-interval", "-1")]
    [InlineData("--query", "bench", "nexmark", "--query", "q99")]
    [InlineData("--state-backend", "bench", "nexmark", "--state-backend", "disk")]
    [InlineData("--keys", "bench", "state", "--keys", "0")]
    [InlineData("--passes", "bench", "state", "--passes", "0")]
    [InlineData("--state-backend", "bench", "state", "--state-backend", "disk")]
    [InlineData("--record-bytes", "bench", "kafka", "--record-bytes", "-1")]
    [InlineData("--partitions", "bench", "kafka", "--partitions", "0")]
    [InlineData("--mode", "bench", "ingest", "--mode", "bulk")]
    [InlineData("--batch", "bench", "ingest", "--batch", "0")]
    [InlineData("--clients", "bench", "ingest", "--clients", "0")]
    [InlineData("--duration", "bench", "ingest", "--duration", "0")]
    [InlineData("--partitions", "bench", "ingest", "--partitions", "65")]
    [InlineData("--kills", "chaos", "ingest", "--kills", "-1")]
    [InlineData("--clients", "chaos", "ingest", "--clients", "0")]
    [InlineData("--batch", "chaos", "ingest", "--batch", "0")]
    public void Parse_OutOfRangeValue_ReportsOneSentenceNamingTheOption(string option, params string[] args) =>
        UsageErrors.ShouldBeOneSentenceNaming(Program.BuildRoot(), option, args);

    [Theory]
    [InlineData("chaos", "--kills", "0", "--interval-ms", "1", "--parallelism", "1", "--records-per-second", "0", "--fault", "restore:*")]
    [InlineData("chaos", "--fault", "before-commit:3")]
    [InlineData("chaos", "--state-backend", "rocksdb")]
    [InlineData("bench", "nexmark", "--query", "q1,q5", "--checkpoint-interval", "0.5")]
    [InlineData("bench", "nexmark", "--state-backend", "rocksdb")]
    [InlineData("bench", "checkpoints", "--state-backend", "rocksdb", "--keys", "1000", "--changed-percent", "100", "--rounds", "100")]
    [InlineData("bench", "state", "--keys", "1", "--passes", "1000", "--state-backend", "heap")]
    public void Parse_BoundaryValues_AreAccepted(params string[] args)
    {
        Program.BuildRoot().Parse(args).Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_RangeMessage_NamesTheAcceptedRangeAndTheValue()
    {
        var kills = Program.BuildRoot().Parse(["chaos", "--kills", "-1"]).Errors.Single().Message;

        kills.ShouldBe("--kills must be between 0 and 10000 (got -1).");
    }

    [Fact]
    public void Main_InvalidOption_PrintsTheSentenceAndTheSluiceCommandToGetHelp()
    {
        var result = CliProcess.Run(null, "bench", "nexmark", "--events", "0");

        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("error: --events must be at least 1 (got 0).\nRun 'sluice bench nexmark --help' for usage.\n");
    }
}
