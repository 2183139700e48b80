using System.Globalization;

namespace Sluice.Bench.Cli.Tests;

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

    /// <summary>
    /// Kafka mode: the driver hosts a mock cluster with the input topic (2 partitions); the reference and every killed
    /// child read it through a bounded Kafka source whose positions are in the checkpoints, and write the same
    /// exactly-once log and file sinks.
    /// </summary>
    [Fact]
    public void Chaos_KafkaInputRepeatedKills_CommittedOutputEqualsTheNoCrashReference()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, "chaos", "--kafka", "--kills", "5", "--seed", "7", "--events", "2000");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("kafka: mock cluster at 127.0.0.1:");
        result.Stdout.ShouldContain("verdict: PASS");
        result.Stdout.ShouldContain("chaos: 5 kills");
    }

    /// <summary>
    /// RocksDB state backend: the keyed state (dedup, windows, sessions) lives in <c>rocksdb/</c> under the data
    /// directory; every kill leaves the child's working copies behind, the restarted child restores from the checkpoint
    /// and sweeps them, and none is left once the job finished (the verdict checks it).
    /// </summary>
    [Fact]
    public void Chaos_RocksDbStateBackendRepeatedKills_CommittedOutputEqualsTheNoCrashReference()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null, "chaos", "--state-backend", "rocksdb", "--kills", "5", "--seed", "7", "--events", "2000");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("state backend rocksdb");
        result.Stdout.ShouldMatch(@"kill \d+: [^\n]*, [1-9]\d* RocksDB working copies left behind");
        result.Stdout.ShouldContain("verdict: PASS");
        result.Stdout.ShouldContain("chaos: 5 kills");
    }

    [Fact]
    public void Compare_DuplicatedOrMissingRecord_IsAProblem()
    {
        List<string> reference = ["a", "b", "b"];
        var problems = new List<string>();

        Chaos.ChaosDriver.Compare("same", reference, ["b", "a", "b"], problems);
        problems.ShouldBeEmpty();
        Chaos.ChaosDriver.Compare("duplicate", reference, ["a", "a", "b", "b"], problems);
        Chaos.ChaosDriver.Compare("missing", reference, ["a", "b"], problems);

        problems.Count.ShouldBe(2);
        problems[0].ShouldStartWith("duplicate: 0 records missing");
        problems[0].ShouldContain("1 extra/duplicated (e.g. a)");
        problems[1].ShouldStartWith("missing: 1 records missing (e.g. b)");
    }

    [Fact]
    public void Chaos_RestoreFaultWhenFirstKillPrecedesCheckpoints_KillsUntilThereIsOneToRestore()
    {
        // One progress line per kill: the first kill lands before the job completed a checkpoint (its first line is a
        // records line), so a restore fault run right after it would find nothing to restore.
        var result = CliProcess.Run(null, "chaos", "--kills", "0", "--seed", "11", "--events", "1500", "--max-progress-lines", "1", "--fault", "restore:*");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("fault restore:*: child exited with code 137");
        result.Stdout.ShouldContain("verdict: PASS");
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
