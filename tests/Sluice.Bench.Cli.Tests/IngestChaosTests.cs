namespace Sluice.Bench.Cli.Tests;

/// <summary>
/// <c>sluice chaos ingest</c>: a Sluice server child process is killed (SIGKILL) once under load from idempotent,
/// retrying HTTP clients and restarted; the topic must then hold every event exactly once.
/// </summary>
public sealed class IngestChaosTests
{
    [Fact]
    public void ChaosIngest_OneKillAndRestart_TopicHoldsEveryEventExactlyOnce()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(90), null, "chaos", "ingest", "--kills", "1", "--clients", "4", "--batches", "30", "--batch", "10", "--seed", "3");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("kill 1: SIGKILL after ");
        result.Stdout.ShouldContain("1200 events in the topic (expected 1200), 0 duplicated, 0 missing, 0 unknown");
        result.Stdout.ShouldContain("verdict: PASS");
    }
}
