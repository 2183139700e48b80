using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests.Crash;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Source => Path.Combine(_dir.Path, "source");

    private long WriteSource(int batches, long segmentBytes = 128L * 1024 * 1024)
    {
        using var log = PartitionedLog.Open(Source, Options());
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = segmentBytes }).GetPartition(0);
        long next = 0;
        for (int b = 0; b < batches; b++)
        {
            next = AppendValues(p, next, 1 + (b % 4)).LastOffset + 1;
        }

        return next;
    }

    private string CopySource(int attempt)
    {
        string target = Path.Combine(_dir.Path, $"copy{attempt}");
        foreach (string file in Directory.GetFiles(Source, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(target, Path.GetRelativePath(Source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }

        return target;
    }

    private static string SegmentFile(string root, int index = 0) =>
        Directory.GetFiles(Path.Combine(root, "topics", "t", "0"), "*.log").Order().ElementAt(index);

    private static void AssertIntactPrefix(List<ConsumedRecord> records, long written)
    {
        records.Count.ShouldBeLessThanOrEqualTo((int)written);
        for (int i = 0; i < records.Count; i++)
        {
            records[i].Offset.ShouldBe(i);
            Text(records[i].Key).ShouldBe($"k{i}");
            Text(records[i].Value).ShouldBe(ValueFor(i));
        }
    }

    [Fact]
    public void Open_SegmentTruncatedAtRandomPositions_KeepsIntactPrefixAndAcceptsAppends()
    {
        long written = WriteSource(60);
        long length = new FileInfo(SegmentFile(Source)).Length;
        var random = new Random(42);
        for (int attempt = 0; attempt < 25; attempt++)
        {
            string copy = CopySource(attempt);
            long cut = attempt == 0 ? length - 1 : random.NextInt64(0, length);
            using (var stream = new FileStream(SegmentFile(copy), FileMode.Open))
            {
                stream.SetLength(cut);
            }

            using var log = PartitionedLog.Open(copy, Options());
            PartitionLog p = log.GetPartition("t", 0);
            List<ConsumedRecord> records = ReadAll(p);
            AssertIntactPrefix(records, written);
            p.EndOffset.ShouldBe(records.Count);
            AppendValues(p, records.Count, 2).BaseOffset.ShouldBe(records.Count);
            ReadAll(p).Count.ShouldBe(records.Count + 2);
        }
    }

    [Fact]
    public void Open_RandomBitFlipsInTailSegment_ReturnsOnlyIntactWrittenRecords()
    {
        long written = WriteSource(60);
        var random = new Random(7);
        for (int attempt = 0; attempt < 25; attempt++)
        {
            string copy = CopySource(attempt);
            byte[] bytes = File.ReadAllBytes(SegmentFile(copy));
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            File.WriteAllBytes(SegmentFile(copy), bytes);
            using var log = PartitionedLog.Open(copy, Options());
            PartitionLog p = log.GetPartition("t", 0);
            (p.RecoveredTruncatedBytes > 0).ShouldBeTrue();
            AssertIntactPrefix(ReadAll(p), written);
        }
    }

    [Fact]
    public void Open_BitFlipInClosedSegmentWithVerifyAll_TruncatesThereAndDropsLaterSegments()
    {
        long written = WriteSource(80, segmentBytes: 2048);
        string copy = CopySource(0);
        string victim = SegmentFile(copy, 1);
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(victim, bytes);

        using var log = PartitionedLog.Open(copy, Options() with { VerifyAllSegmentsOnOpen = true });
        PartitionLog p = log.GetPartition("t", 0);
        List<ConsumedRecord> records = ReadAll(p);
        AssertIntactPrefix(records, written);
        records.Count.ShouldBeLessThan((int)written);
        p.EndOffset.ShouldBe(records.Count);
    }

    [Fact]
    public void Fetch_BitFlipInClosedSegment_ThrowsCorruptionNamingFileInsteadOfReturningBadRecord()
    {
        WriteSource(80, segmentBytes: 2048);
        string copy = CopySource(0);
        string victim = SegmentFile(copy, 0);
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length - 3] ^= 0x01;
        File.WriteAllBytes(victim, bytes);

        using var log = PartitionedLog.Open(copy, Options());
        var e = Should.Throw<LogCorruptionException>(() => ReadAll(log.GetPartition("t", 0)));
        e.Message.ShouldContain(Path.GetFileName(victim));
        e.Message.ShouldContain("partition 0");
    }
}
