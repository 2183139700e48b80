using System.Globalization;

namespace Sluice.Cli.Tests;

/// <summary>
/// The kill harness end to end: <c>sluice chaos</c> kills the checkpointed chaos job (SIGKILL) at seeded progress
/// points and restarts it; its committed outputs (read-committed log topic + committed part files) must equal the
/// no-crash reference exactly. <c>SLUICE_CHAOS_KILLS=100</c> raises the kill count for a manual run.
/// </summary>
public sealed class ChaosTests
{
    [Fact]
    public void Chaos_RepeatedKills_CommittedOutputEqualsTheNoCrashReference()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("SLUICE_CHAOS_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 20;
        var events = Math.Max(4000, kills * 200);
        var result = CliProcess.Run(TimeSpan.FromSeconds(Math.Max(120, kills * 4)), null,
            "chaos", "--kills", kills.ToString(CultureInfo.InvariantCulture), "--seed", "7", "--events", events.ToString(CultureInfo.InvariantCulture));

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("verdict: PASS");
        result.Stdout.ShouldContain($"chaos: {kills} kills");
    }

    [Theory]
    [InlineData("snapshot:3")]
    [InlineData("before-manifest:3")]
    [InlineData("before-commit:3")]
    [InlineData("restore:*")]
    public void Chaos_FaultAtPhase_RestartCommitsExactlyTheNoCrashReference(string fault)
    {
        var result = CliProcess.Run(null, "chaos", "--kills", "0", "--seed", "11", "--events", "1500", "--fault", fault);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain($"fault {fault}: child exited with code 137");
        result.Stdout.ShouldContain("verdict: PASS");
    }
}
