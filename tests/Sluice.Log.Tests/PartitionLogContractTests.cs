using Sluice.Log.Tests.Support;
using static Sluice.Log.Tests.Support.TestData;

namespace Sluice.Log.Tests;

public sealed class PartitionLogContractTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Append_ManyBatches_ReadsBackInOrderWithContiguousOffsets()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = 4096 }).GetPartition(0);
        long next = 0;
        for (int b = 0; b < 200; b++)
        {
            AppendResult r = AppendValues(p, next, 1 + (b % 5));
            r.BaseOffset.ShouldBe(next);
            next = r.LastOffset + 1;
        }

        p.SegmentCount.ShouldBeGreaterThan(5);
        List<ConsumedRecord> all = ReadAll(p);
        all.Count.ShouldBe((int)next);
        for (int i = 0; i < all.Count; i++)
        {
            all[i].Offset.ShouldBe(i);
            Text(all[i].Value).ShouldBe(ValueFor(i));
        }
    }

    [Fact]
    public void Fetch_FromMiddleOfBatchWithMaxRecords_ReturnsExactRange()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t").GetPartition(0);
        AppendValues(p, 0, 50);
        using FetchResult r = p.Fetch(17, new FetchOptions(MaxRecords: 5));
        r.ToList().Select(x => x.Offset).ShouldBe([17, 18, 19, 20, 21]);
        r.NextOffset.ShouldBe(22);
    }

    [Fact]
    public void Fetch_OutOfRange_ThrowsWithTopicAndPartition()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("orders").GetPartition(0);
        AppendValues(p, 0, 3);
        var e = Should.Throw<OffsetOutOfRangeException>(() => p.Fetch(10, new FetchOptions()));
        e.Message.ShouldContain("orders");
        e.Message.ShouldContain("partition 0");
    }

    [Fact]
    public void Reopen_AfterAppends_KeepsRecordsHeadersAndNullsAcrossSegments()
    {
        using (var log = PartitionedLog.Open(_dir.Path, Options(_time)))
        {
            PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = 2048, Partitions = 2 }).GetPartition(1);
            AppendValues(p, 0, 100);
            p.Append([new ProducerRecord(null, null, 42, [new LogHeader("h", Bytes("v")), new LogHeader("n", null)])]);
        }

        using var reopened = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog q = reopened.GetPartition("t", 1);
        q.EndOffset.ShouldBe(101);
        List<ConsumedRecord> all = ReadAll(q);
        all.Count.ShouldBe(101);
        ConsumedRecord last = all[^1];
        last.Key.ShouldBeNull();
        last.Value.ShouldBeNull();
        last.TimestampMs.ShouldBe(42);
        last.Headers.Select(h => (h.Key, Text(h.Value?.ToArray()))).ShouldBe([("h", "v"), ("n", "<null>")]);
        AppendValues(q, 101, 1).BaseOffset.ShouldBe(101);
    }

    [Fact]
    public void FindOffsetForTimestamp_AcrossSegments_ReturnsFirstOffsetAtOrAfter()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = 2048 }).GetPartition(0);
        for (int i = 0; i < 300; i++)
        {
            p.Append([Record($"k{i}", ValueFor(i), 1_000 + (i * 10))]);
        }

        p.FindOffsetForTimestamp(0).ShouldBe(0);
        p.FindOffsetForTimestamp(1_000 + (150 * 10)).ShouldBe(150);
        p.FindOffsetForTimestamp(1_000 + (150 * 10) - 5).ShouldBe(150);
        p.FindOffsetForTimestamp(1_000_000).ShouldBeNull();
    }

    [Fact]
    public async Task WaitForDataAsync_AppendFromAnotherThread_WakesWaiter()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(TimeProvider.System));
        PartitionLog p = log.CreateTopic("t").GetPartition(0);
        ValueTask<bool> wait = p.WaitForDataAsync(0, IsolationLevel.ReadUncommitted, TimeSpan.FromSeconds(30), CancellationToken.None);
        wait.IsCompleted.ShouldBeFalse();
        await Task.Run(() => AppendValues(p, 0, 1));
        (await wait).ShouldBeTrue();
    }

    [Fact]
    public async Task WaitForDataAsync_NoData_TimesOutOrCancels()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(TimeProvider.System));
        PartitionLog p = log.CreateTopic("t").GetPartition(0);
        (await p.WaitForDataAsync(0, IsolationLevel.ReadUncommitted, TimeSpan.FromMilliseconds(20), CancellationToken.None)).ShouldBeFalse();
        using var cts = new CancellationTokenSource();
        ValueTask<bool> wait = p.WaitForDataAsync(0, IsolationLevel.ReadUncommitted, TimeSpan.FromMinutes(1), cts.Token);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public void Append_ConcurrentWritersWithGroupCommit_AllOffsetsUniqueAndPerWriterOrdered()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time, FlushPolicy.EveryBatch));
        PartitionLog p = log.CreateTopic("t").GetPartition(0);
        const int writers = 4, perWriter = 100;
        Parallel.For(0, writers, w =>
        {
            for (int i = 0; i < perWriter; i++)
            {
                p.Append([Record($"w{w}", $"{w}:{i}")]);
            }
        });

        List<ConsumedRecord> all = ReadAll(p);
        all.Count.ShouldBe(writers * perWriter);
        foreach (var byWriter in all.GroupBy(r => Text(r.Key)))
        {
            byWriter.Select(r => int.Parse(Text(r.Value).Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(Enumerable.Range(0, perWriter));
        }
    }

    [Fact]
    public async Task Fetch_ConcurrentReadersDuringAppends_SeeOnlyWholeOrderedRecords()
    {
        using var log = PartitionedLog.Open(_dir.Path, Options(_time));
        PartitionLog p = log.CreateTopic("t", new TopicConfig { SegmentBytes = 8192 }).GetPartition(0);
        const int total = 2000;
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            long expected = 0;
            using var result = new FetchResult();
            while (expected < total)
            {
                p.Fetch(expected, new FetchOptions(100), result);
                foreach (LogRecordView r in result)
                {
                    r.Offset.ShouldBe(expected);
                    System.Text.Encoding.UTF8.GetString(r.Value).ShouldBe(ValueFor(expected));
                    expected++;
                }

                if (result.RecordCount == 0)
                {
                    p.WaitForDataAsync(expected, IsolationLevel.ReadUncommitted, TimeSpan.FromSeconds(10), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
            }
        })).ToArray();
        for (long i = 0; i < total; i += 10)
        {
            AppendValues(p, i, 10);
        }

        await Task.WhenAll(readers);
    }
}
