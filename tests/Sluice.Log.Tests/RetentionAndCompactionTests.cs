using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests;

public sealed class RetentionAndCompactionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Append_SegmentOlderThanSegmentTime_RollsOnNextAppend()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentTime = TimeSpan.FromHours(1) }).GetPartition(0);
        AppendValues(p, 0, 3);
        p.SegmentCount.ShouldBe(1);
        _time.Advance(TimeSpan.FromMinutes(61));
        AppendValues(p, 3, 1);
        p.SegmentCount.ShouldBe(2);
    }

    [Fact]
    public void EnforceRetention_ByTime_DeletesOnlyExpiredClosedSegments()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentTime = TimeSpan.FromHours(1), RetentionTime = TimeSpan.FromDays(1) }).GetPartition(0);
        AppendValues(p, 0, 10);
        _time.Advance(TimeSpan.FromHours(2));
        AppendValues(p, 10, 10);
        _time.Advance(TimeSpan.FromHours(23));
        AppendValues(p, 20, 10);
        p.SegmentCount.ShouldBe(3);

        p.EnforceRetention().ShouldBe(1);

        p.LogStartOffset.ShouldBe(10);
        ReadAll(p).Select(r => r.Offset).ShouldBe(Enumerable.Range(10, 20).Select(i => (long)i));
        Should.Throw<OffsetOutOfRangeException>(() => p.Fetch(0, new FetchOptions()));
    }

    [Fact]
    public void EnforceRetention_BySize_KeepsPartitionUnderLimit()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = 2048, RetentionBytes = 6000, RetentionTime = null }).GetPartition(0);
        for (int i = 0; i < 100; i++)
        {
            AppendValues(p, i * 5, 5);
        }

        p.EnforceRetention().ShouldBeGreaterThan(0);
        p.SizeInBytes.ShouldBeLessThan(6000 + 2048);
        p.EndOffset.ShouldBe(500);
        ReadAll(p).Select(r => r.Offset).ShouldBe(Enumerable.Range((int)p.LogStartOffset, 500 - (int)p.LogStartOffset).Select(i => (long)i));
    }

    [Fact]
    public void Compact_ManyUpdatesPerKey_KeepsLastValuePerKeyWithOriginalOffsets()
    {
        using (var log = PartitionedLog.Open(_dir.Path, Options(_time)))
        {
            PartitionLog p = log.CreateTopic("registry", new TopicConfig { SegmentBytes = 1024, CleanupPolicy = CleanupPolicy.Compact }).GetPartition(0);
            for (int i = 0; i < 300; i++)
            {
                p.Append([Record($"key{i % 10}", $"v{i}")]);
            }

            p.Append([Record("key3", null)]);
            for (int i = 0; i < 20; i++)
            {
                p.Append([Record("filler", $"f{i}")]);
            }

            log.RunMaintenance();
            List<ConsumedRecord> all = ReadAll(p);
            var latest = all.GroupBy(r => Text(r.Key)).ToDictionary(g => g.Key, g => g.Last());
            for (int k = 0; k < 10; k++)
            {
                if (k == 3)
                {
                    latest["key3"].Value.ShouldBeNull();
                    continue;
                }

                int lastI = 290 + k;
                latest[$"key{k}"].Offset.ShouldBe(lastI);
                Text(latest[$"key{k}"].Value).ShouldBe($"v{lastI}");
            }

            all.Count(r => Text(r.Key).StartsWith("key", StringComparison.Ordinal)).ShouldBeLessThan(40);
            all.Select(r => r.Offset).ShouldBeInOrder();
        }

        using var reopened = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog q = reopened.GetPartition("registry", 0);
        Text(ReadAll(q).Last(r => Text(r.Key) == "key7").Value).ShouldBe("v297");
        q.EndOffset.ShouldBe(321);
    }

    [Fact]
    public void Compact_TombstoneOlderThanRetention_IsRemoved()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("c", new TopicConfig { SegmentBytes = 1024, CleanupPolicy = CleanupPolicy.Compact, TombstoneRetention = TimeSpan.FromHours(1) }).GetPartition(0);
        p.Append([Record("gone", "x")]);
        p.Append([Record("gone", null)]);
        _time.Advance(TimeSpan.FromHours(2));
        for (int i = 0; i < 60; i++)
        {
            p.Append([Record($"other{i}", ValueFor(i))]);
        }

        p.Compact().ShouldBeGreaterThan(0);
        ReadAll(p).ShouldNotContain(r => Text(r.Key) == "gone");
    }
}
