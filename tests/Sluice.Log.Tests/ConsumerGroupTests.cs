using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests;

public sealed class ConsumerGroupTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Commit_ThenReopen_OffsetsAreDurableAndLagIsEndMinusCommitted()
    {
        using (var log = PartitionedLog.Open(_dir.Path, Options(_time)))
        {
            TopicLog t = log.CreateTopic("t", new TopicConfig { Partitions = 2 });
            AppendValues(t.GetPartition(0), 0, 10);
            AppendValues(t.GetPartition(1), 0, 4);
            log.Groups.Commit("g", [new TopicPartitionOffset("t", 0, 6), new TopicPartitionOffset("t", 1, 4)]);
            log.Groups.Commit("g", [new TopicPartitionOffset("t", 0, 7)]);
        }

        using var reopened = PartitionedLog.Open(_dir.Path, Options(_time));
        reopened.Groups.ListGroups().ShouldBe(["g"]);
        reopened.DescribeGroup("g").ShouldBe([
            new GroupPartitionLag("g", "t", 0, 7, 10, 3),
            new GroupPartitionLag("g", "t", 1, 4, 4, 0),
        ]);
    }

    [Fact]
    public void ResetGroupOffsets_EarliestLatestTimestamp_MovesEveryPartition()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t").GetPartition(0);
        for (int i = 0; i < 10; i++)
        {
            p.Append([Record("k", ValueFor(i), 1000 + i)]);
        }

        log.ResetGroupOffsets("g", "t", OffsetResetKind.Latest);
        log.Groups.GetCommittedOffset("g", "t", 0).ShouldBe(10);
        log.ResetGroupOffsets("g", "t", OffsetResetKind.Timestamp, 1004);
        log.Groups.GetCommittedOffset("g", "t", 0).ShouldBe(4);
        log.ResetGroupOffsets("g", "t", OffsetResetKind.Earliest);
        log.Groups.GetCommittedOffset("g", "t", 0).ShouldBe(0);
    }

    [Fact]
    public void Open_LeftoverTempFileFromCrashedCommit_KeepsPreviousOffsets()
    {
        using (var log = PartitionedLog.Open(_dir.Path, Options(_time)))
        {
            log.Groups.Commit("g", [new TopicPartitionOffset("t", 0, 3)]);
        }

        string file = Directory.GetFiles(Path.Combine(_dir.Path, "groups"), "*.offsets").Single();
        File.WriteAllBytes(file + ".tmp", [1, 2, 3]);
        using var reopened = PartitionedLog.Open(_dir.Path, Options(_time));
        reopened.Groups.GetCommittedOffset("g", "t", 0).ShouldBe(3);
    }

    [Fact]
    public void DeleteTopic_WithCommittedOffsets_RemovesTopicAndItsOffsets()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        log.CreateTopic("t");
        log.Groups.Commit("g", [new TopicPartitionOffset("t", 0, 0), new TopicPartitionOffset("u", 0, 1)]);
        log.DeleteTopic("t").ShouldBeTrue();
        log.TryGetTopic("t", out _).ShouldBeFalse();
        log.Groups.GetCommittedOffsets("g").Keys.ShouldBe([new TopicPartition("u", 0)]);
    }
}
