using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests.Damage;

/// <summary>
/// After an unclean shutdown (no <c>.clean-shutdown</c> marker) the active segment may end in a batch whose write
/// never completed: recovery moves exactly those bytes to the quarantine file and keeps every whole batch. After a
/// clean close the same bytes are damage, left in place (see <see cref="DamageMatrixTests"/>).
/// </summary>
public sealed class TornTailTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A log whose last run crashed while appending: half of a batch's bytes at the end of the active
    /// segment, no clean-shutdown marker, no index of the active segment. Returns the torn bytes.</summary>
    private (DamagedLog Log, string Active, byte[] Torn) CrashedWhileAppending()
    {
        int[] sizes = [.. Enumerable.Range(0, 40).Select(b => 1 + (b % 4))];
        DamagedLog log = DamagedLog.Write(Path.Combine(_dir.Path, "log"), sizes, segmentBytes: 4096);
        string active = log.SegmentFiles[^1];
        string path = Path.Combine(log.PartitionDirectory, active);
        WrittenBatch last = log.Batches[^1];
        byte[] bytes = File.ReadAllBytes(path);
        byte[] torn = bytes.AsSpan((int)last.Start, (int)((last.End - last.Start) / 2)).ToArray();
        File.WriteAllBytes(path, [.. bytes, .. torn]);
        File.Delete(Path.Combine(log.Root, ".clean-shutdown"));
        File.Delete(Path.ChangeExtension(path, ".index"));
        return (log, active, torn);
    }

    [Fact]
    public void Open_UncleanShutdownWithATornLastBatch_MovesExactlyTheTornBytesToQuarantineAndKeepsEveryWholeBatch()
    {
        (DamagedLog log, string active, byte[] torn) = CrashedWhileAppending();
        long lengthBefore = new FileInfo(Path.Combine(log.PartitionDirectory, active)).Length;

        using var opened = PartitionedLog.Open(log.Root, Options());
        PartitionLog p = opened.GetPartition("t", 0);

        p.RecoveredTruncatedBytes.ShouldBe(torn.Length);
        new FileInfo(Path.Combine(log.PartitionDirectory, active)).Length.ShouldBe(lengthBefore - torn.Length);
        QuarantinedRange range = p.ListQuarantined().ShouldHaveSingleItem();
        range.ByRepair.ShouldBeFalse();
        range.Damage.Position.ShouldBe(lengthBefore - torn.Length);
        Storage.QuarantineFile.ReadAll(range.QuarantineFile).ShouldHaveSingleItem().Data.ToArray().ShouldBe(torn);
        p.KnownDamage.ShouldBeEmpty();
        log.ShouldBeExactlyTheIntactRecords(ReadAll(p), []);
        AppendValues(p, log.EndOffset, 1).BaseOffset.ShouldBe(log.EndOffset);
    }

    [Fact]
    public void Open_UncleanShutdownReadOnly_HidesTheTornTailAndChangesNoFile()
    {
        (DamagedLog log, _, _) = CrashedWhileAppending();
        Dictionary<string, string> before = log.Fingerprint();

        using (var opened = PartitionedLog.Open(log.Root, Options() with { ReadOnly = true }))
        {
            PartitionLog p = opened.GetPartition("t", 0);
            log.ShouldBeExactlyTheIntactRecords(ReadAll(p), []);
            p.RecoveredTruncatedBytes.ShouldBe(0);
            p.ListQuarantined().ShouldBeEmpty();
            Should.Throw<InvalidOperationException>(() => AppendValues(p, 0, 1));
        }

        log.Fingerprint().ShouldBe(before);
    }

    [Fact]
    public void Open_ReadOnlyOnAMissingDirectory_FailsAndCreatesNothing()
    {
        string missing = Path.Combine(_dir.Path, "no-such-log");

        var e = Should.Throw<LogException>(() => PartitionedLog.Open(missing, Options() with { ReadOnly = true }));

        e.Message.ShouldContain("does not exist");
        Directory.Exists(missing).ShouldBeFalse();
    }
    [Fact]
    public void QuarantineAppend_AfterAnEntryTornByACrash_OverwritesItSoEveryLaterEntryStaysReadable()
    {
        string path = Path.Combine(_dir.Path, "00000000000000000000.quarantine");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "golden", "quarantine-v1.quarantine"), path);
        var entry = new Storage.QuarantineEntry(Storage.QuarantineKind.Repair, 1_700_000_001_000, 10, 5, 6, 2, "test", new byte[] { 1, 2, 3 });

        Storage.QuarantineFile.Append(path, entry);

        List<Storage.QuarantineEntry> entries = Storage.QuarantineFile.ReadAll(path);
        entries.Count.ShouldBe(3, "the two whole golden entries, then the new one in place of the torn one");
        entries[2].Data.ToArray().ShouldBe([1, 2, 3]);
        entries[2].Reason.ShouldBe("test");
    }
}
