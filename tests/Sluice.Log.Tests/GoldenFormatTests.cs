using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests;

/// <summary>
/// Pins on-disk format version 1: files in golden/ were written once by this implementation and must stay readable.
/// Never regenerate them; add new files for a new format version.
/// </summary>
public sealed class GoldenFormatTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "golden", name);

    private void InstallGoldenFiles(bool withTransactions)
    {
        string partitionDir = Path.Combine(_dir.Path, "topics", "golden", "0");
        Directory.CreateDirectory(partitionDir);
        File.Copy(Golden("topic-v1.config"), Path.Combine(_dir.Path, "topics", "golden", "topic.config"));
        File.Copy(Golden("segment-v1.log"), Path.Combine(partitionDir, "00000000000000000000.log"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "groups"));
        File.Copy(Golden("group-v1.offsets"), Path.Combine(_dir.Path, "groups", "676f6c64656e2d67726f7570.offsets"));
        if (withTransactions)
        {
            Directory.CreateDirectory(Path.Combine(_dir.Path, "transactions"));
            File.Copy(Golden("transactions-v1.log"), Path.Combine(_dir.Path, "transactions", "transactions.log"));
        }
    }

    [Fact]
    public void Open_GoldenSegmentV1_DecodesExpectedRecords()
    {
        InstallGoldenFiles(withTransactions: true);
        using var log = PartitionedLog.Open(_dir.Path, Options());
        PartitionLog p = log.GetPartition("golden", 0);

        List<ConsumedRecord> records = ReadAll(p, IsolationLevel.ReadCommitted);

        records.Count.ShouldBe(3);
        records[0].Offset.ShouldBe(0);
        records[0].TimestampMs.ShouldBe(1_700_000_000_000);
        Text(records[0].Key).ShouldBe("user-1");
        Text(records[0].Value).ShouldBe("{\"name\":\"Ada\"}");
        records[0].Headers.ShouldBeEmpty();
        records[1].Offset.ShouldBe(1);
        records[1].Key.ShouldBeNull();
        Text(records[1].Value).ShouldBe("no key");
        records[1].Headers.Select(h => (h.Key, h.Value is { } v ? Text(v.ToArray()) : "<null>")).ShouldBe([("trace", "abc"), ("empty", "<null>")]);
        records[2].Offset.ShouldBe(2);
        records[2].TimestampMs.ShouldBe(1_700_000_000_002);
        Text(records[2].Key).ShouldBe("user-1");
        records[2].Value.ShouldBeNull();
        p.RecoveredTruncatedBytes.ShouldBe(0);
    }

    [Fact]
    public void Open_GoldenGroupOffsetsV1_DecodesExpectedOffsets()
    {
        InstallGoldenFiles(withTransactions: false);
        using var log = PartitionedLog.Open(_dir.Path, Options());
        log.Groups.GetCommittedOffsets("golden-group").OrderBy(e => e.Key.Topic).ShouldBe([
            new KeyValuePair<TopicPartition, long>(new TopicPartition("golden", 0), 3),
            new KeyValuePair<TopicPartition, long>(new TopicPartition("other", 2), 42),
        ]);
    }

    [Fact]
    public void Open_GoldenTransactionLogV1_PreparedTransactionIsPendingAndCommits()
    {
        InstallGoldenFiles(withTransactions: true);
        using var log = PartitionedLog.Open(_dir.Path, Options());
        PartitionLog p = log.GetPartition("golden", 0);
        p.LastStableOffset.ShouldBe(3);
        TransactionalProducer producer = log.InitTransactions("golden-writer");
        producer.PendingSequences.ShouldBe([7L]);

        producer.CommitPrepared(7).ShouldBe(CommitOutcome.Committed);

        ReadAll(p, IsolationLevel.ReadCommitted).Select(r => Text(r.Value)).Last().ShouldBe("prepared");
        log.Groups.GetCommittedOffset("golden-group", "golden", 0).ShouldBe(4);
    }

    /// <summary>Installs the golden topic config and <paramref name="segment"/> as partition 0's first segment; returns the partition directory.</summary>
    private string InstallGoldenSegment(string segment)
    {
        string partitionDir = Path.Combine(_dir.Path, "topics", "golden", "0");
        Directory.CreateDirectory(partitionDir);
        File.Copy(Golden("topic-v1.config"), Path.Combine(_dir.Path, "topics", "golden", "topic.config"));
        File.Copy(Golden(segment), Path.Combine(partitionDir, "00000000000000000000.log"));
        return partitionDir;
    }

    [Fact]
    public void ListQuarantined_GoldenQuarantineV1_DecodesEveryWholeEntryAndIgnoresATornLastOne()
    {
        string partitionDir = InstallGoldenSegment("segment-v1.log");
        File.Copy(Golden("quarantine-v1.quarantine"), Path.Combine(partitionDir, "00000000000000000000.quarantine"));
        using var log = PartitionedLog.Open(_dir.Path, Options() with { ReadOnly = true });

        IReadOnlyList<QuarantinedRange> ranges = log.GetPartition("golden", 0).ListQuarantined();

        ranges.Count.ShouldBe(2);
        ranges[0].ByRepair.ShouldBeFalse();
        ranges[0].MovedAt.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        ranges[0].Damage.SegmentFile.ShouldEndWith("00000000000000000000.log");
        (ranges[0].Damage.Position, ranges[0].Damage.Length, ranges[0].Damage.FirstOffset, ranges[0].Damage.LastOffset).ShouldBe((4096L, 7L, 40L, 42L));
        ranges[0].Damage.RecordCount.ShouldBe(3);
        ranges[0].Damage.Reason.ShouldBe("the batch fails its checksum");
        ranges[1].ByRepair.ShouldBeTrue();
        ranges[1].Damage.HoldsOffsets.ShouldBeFalse();
        ranges[1].Damage.RecordCount.ShouldBeNull();
        ranges[1].Damage.Length.ShouldBe(0);
    }

    [Fact]
    public void Fetch_GoldenSegmentWithGapMarkerV1_SkipsTheGapAndAppendsContinueAfterIt()
    {
        InstallGoldenSegment("segment-with-gap-v1.log");
        File.Copy(Golden("clean-shutdown-v1"), Path.Combine(_dir.Path, ".clean-shutdown"));
        using var log = PartitionedLog.Open(_dir.Path, Options());
        PartitionLog p = log.GetPartition("golden", 0);

        p.KnownDamage.ShouldBeEmpty();
        p.EndOffset.ShouldBe(11);
        ReadAll(p).Select(r => (r.Offset, Text(r.Value))).ShouldBe([(0L, "one"), (1L, "two"), (10L, "ten")]);
        ReadAll(p, from: 2).Select(r => r.Offset).ShouldBe([10L]);
        AppendValues(p, 11, 1).BaseOffset.ShouldBe(11);
    }

    [Fact]
    public void Open_GoldenCleanShutdownV1NamingALaterEnd_ReportsTheMissingOffsetsAndNeverReusesThem()
    {
        InstallGoldenFiles(withTransactions: false);
        File.Copy(Golden("clean-shutdown-v1"), Path.Combine(_dir.Path, ".clean-shutdown"));
        using var log = PartitionedLog.Open(_dir.Path, Options());
        PartitionLog p = log.GetPartition("golden", 0);

        // The golden segment holds offsets 0..3 (three records and one transactional batch); the marker says 11.
        LogDamage missing = p.KnownDamage.ShouldHaveSingleItem();
        (missing.FirstOffset, missing.LastOffset).ShouldBe((4L, 10L));
        AppendValues(p, 11, 1).BaseOffset.ShouldBeGreaterThanOrEqualTo(11);
    }
}
