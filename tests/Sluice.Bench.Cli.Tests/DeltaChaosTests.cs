using Sluice.Bench.Cli.Chaos;

namespace Sluice.Bench.Cli.Tests;

/// <summary>
/// <c>sluice chaos delta</c> end to end (a small run): a job appending to a Delta table is killed -9 after seeded
/// checkpoints and restarted; the table must equal the uninterrupted run's and every txn version must commit once.
/// The log scan it relies on is checked on its own against hand-made commits.
/// </summary>
public sealed class DeltaChaosTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-delta-chaos-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void ChaosDelta_RepeatedKills_TableEqualsTheUninterruptedRunsAndEveryTxnCommitsOnce()
    {
        var result = CliProcess.Run(TimeSpan.FromSeconds(120), null,
            "chaos", "delta", "--kills", "3", "--seed", "7", "--events", "4000", "--rate", "1500", "--max-checkpoints", "2");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("chaos delta (append): 3 kills");
        result.Stdout.ShouldContain("verdict: PASS — the table's 4,000 rows after 3 kills equal the uninterrupted run's");
    }

    [Fact]
    public void ChaosDeltaUpsert_RepeatedKills_TableEqualsTheUninterruptedRunsAndEveryMergeCommitsOnce()
    {
        // A MERGE per checkpoint makes checkpoints slower than appends: a lower rate keeps the input going until the kills happened.
        var result = CliProcess.Run(TimeSpan.FromSeconds(180), null,
            "chaos", "delta", "--mode", "upsert", "--kills", "3", "--seed", "7", "--events", "4000", "--rate", "500", "--max-checkpoints", "2");

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        result.Stdout.ShouldContain("chaos delta (upsert): 3 kills");
        // 2,000 keys, each changed by lines k and k + 2,000; the last change deletes the key when (k + 2,000) % 25 = 24: 80 keys.
        result.Stdout.ShouldContain("verdict: PASS — the table's 1,920 rows after 3 kills equal the uninterrupted run's");
    }

    [Fact]
    public void ScanLog_TxnCommittedTwiceOrFileAddedTwiceOrAddWithoutTxn_AreProblems()
    {
        var table = Path.Combine(_dir, "t");
        Connectors.Delta.DeltaTable.Create(table, DeltaChaosCommand.Schema);
        var log = Path.Combine(table, "_delta_log");
        File.WriteAllText(Path.Combine(log, "00000000000000000001.json"),
            "{\"txn\":{\"appId\":\"j/s/0\",\"version\":1}}\n{\"add\":{\"path\":\"a.parquet\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n");
        File.WriteAllText(Path.Combine(log, "00000000000000000002.json"),
            "{\"txn\":{\"appId\":\"j/s/0\",\"version\":1}}\n{\"add\":{\"path\":\"b.parquet\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n");
        File.WriteAllText(Path.Combine(log, "00000000000000000003.json"),
            "{\"add\":{\"path\":\"a.parquet\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n");
        var problems = new List<string>();

        var scan = DeltaChaosCommand.ScanLog(table, problems);

        problems.ShouldBe([
            "txn (j/s/0, 1) is committed by versions 1 and 2",
            "version 3 adds 1 and removes 0 files with 0 txn actions, not one",
            "file a.parquet is added by versions 1 and 3",
        ]);
        scan.ShouldBe(new DeltaChaosCommand.LogScan(3, 1, 2));
    }
}
