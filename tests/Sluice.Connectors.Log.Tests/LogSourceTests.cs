using System.Text;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sources;

namespace Sluice.Connectors.Log.Tests;

public class LogSourceTests
{
    private static List<Ev> KeyedEvents(int count, int keys) =>
        [.. Enumerable.Range(0, count).Select(i => new Ev($"k{i % keys}", i, 1_000 + i))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public async Task BoundedSource_AnyParallelism_DeliversExactlyTheRecordsInPerKeyOrder(int parallelism)
    {
        using var temp = new TempLog();
        temp.CreateTopic("orders", 4);
        var events = KeyedEvents(2_000, 37);
        temp.Produce("orders", events);

        var env = StreamEnvironment.Create(new JobOptions { Parallelism = parallelism, BatchSize = 64 });
        var sink = env.FromLog(temp.Log, "orders", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true }).Collect();
        await env.ExecuteAsync().OrTimeout();

        sink.Items.OrderBy(e => e.Seq).ShouldBe(events);
        foreach (var key in sink.Items.GroupBy(e => e.Key))
        {
            key.Select(e => e.Seq).ShouldBeInOrder(SortDirection.Ascending, $"key {key.Key}");
        }
    }

    [Fact]
    public async Task BoundedSource_RecordTimestamp_IsTheLogRecordTimestamp()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        temp.Produce("t", KeyedEvents(50, 5));
        var env = StreamEnvironment.Create();
        var sink = env.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true }).Collect();
        await env.ExecuteAsync().OrTimeout();
        sink.TimestampedItems.Count.ShouldBe(50);
        sink.TimestampedItems.ShouldAllBe(x => x.Timestamp == x.Value.Ts);
    }

    [Fact]
    public void ReadCommitted_AbortedAndOpenTransactions_AreNeverDelivered()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        temp.AppendTo("t", 0, [new Ev("a", 1, 1)]);
        TransactionalProducer producer = temp.Log.InitTransactions("test-producer");
        using (var batch = Batch(new Ev("a", 100, 2)))
        {
            var aborted = producer.BeginTransaction(1);
            aborted.Append("t", 0, batch);
            aborted.Abort();
        }
        temp.AppendTo("t", 0, [new Ev("a", 2, 3)]);
        using (var batch = Batch(new Ev("a", 3, 4)))
        {
            var committed = producer.BeginTransaction(2);
            committed.Append("t", 0, batch);
            committed.Commit();
        }
        using (var batch = Batch(new Ev("a", 200, 5)))
        {
            producer.BeginTransaction(3).Append("t", 0, batch); // left open
        }
        temp.AppendTo("t", 0, [new Ev("a", 4, 6)]); // behind the open transaction: not stable yet

        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>());
        var output = new TestSourceOutput<Ev>();
        using var reader = source.CreateReader(TestWaits.Context());
        while (reader.PollNext(output) == SourceStatus.MoreAvailable)
        {
        }
        output.Values.Select(e => e.Seq).ShouldBe([1, 2, 3]);
        output.DeadLetters.ShouldBeEmpty();
    }

    [Fact]
    public void StartingPosition_Latest_ReadsOnlyRecordsAppendedAfterTheReaderStarted()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        temp.Produce("t", KeyedEvents(20, 4));
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { StartingPosition = LogStartingPosition.Latest });
        using var reader = source.CreateReader(TestWaits.Context());
        temp.Produce("t", [new Ev("k1", 100, 5), new Ev("k2", 101, 6)]);
        var output = Drain(reader);
        output.Values.Select(e => e.Seq).Order().ShouldBe([100, 101]);
    }

    [Fact]
    public void StartingPosition_Timestamp_StartsAtFirstRecordAtOrAfterIt()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        temp.AppendTo("t", 0, Enumerable.Range(0, 10).Select(i => new Ev("a", i, 100 * i)));
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(),
            new LogSourceOptions { StartingPosition = LogStartingPosition.Timestamp(450), Bounded = true });
        using var reader = source.CreateReader(TestWaits.Context());
        Drain(reader).Values.Select(e => e.Seq).ShouldBe([5, 6, 7, 8, 9]);
    }

    [Fact]
    public async Task StartingPosition_Committed_ResumesWhereTheGroupCommitted_AndFallsBackWhereItHasNone()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 4);
        temp.Produce("t", KeyedEvents(100, 10));
        var options = new LogSourceOptions { Bounded = true, ConsumerGroup = "job", StartingPosition = LogStartingPosition.Committed("job") };

        var first = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var firstSink = first.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), options).Collect();
        await first.ExecuteAsync().OrTimeout();
        firstSink.Items.Count.ShouldBe(100); // no committed offsets yet: fallback Earliest
        temp.Log.DescribeGroup("job").ShouldAllBe(p => p.Lag == 0);

        temp.Produce("t", [new Ev("k3", 500, 1), new Ev("k7", 501, 2)]);
        var second = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var secondSink = second.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), options).Collect();
        await second.ExecuteAsync().OrTimeout();
        secondSink.Items.Select(e => e.Seq).Order().ShouldBe([500, 501]);
    }

    [Fact]
    public void Positions_AfterPartialRead_RestoreWithStartingOffsets_ContinuesWithoutGapOrDuplicate()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 3);
        var events = KeyedEvents(90, 9);
        temp.Produce("t", events);
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { MaxRecordsPerPoll = 7 });

        var firstOutput = new TestSourceOutput<Ev>();
        IReadOnlyDictionary<int, long> snapshot;
        using (var reader = source.CreateReader(TestWaits.Context()))
        {
            reader.Partitions.ShouldBe([0, 1, 2]);
            for (int i = 0; i < 4; i++)
            {
                reader.PollNext(firstOutput).ShouldBe(SourceStatus.MoreAvailable);
            }
            snapshot = reader.Positions;
        }
        firstOutput.Records.Count.ShouldBe(28);
        snapshot.Values.Sum().ShouldBe(28);

        using var restored = source.WithStartingOffsets(snapshot).CreateReader(TestWaits.Context());
        var rest = Drain(restored);
        firstOutput.Values.Concat(rest.Values).OrderBy(e => e.Seq).ShouldBe(events);
    }

    [Fact]
    public void NotifyCheckpointComplete_CommitsTheCheckpointsPositions_NotTheReadersCurrentOnes()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        temp.Produce("t", KeyedEvents(30, 3));
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { MaxRecordsPerPoll = 10, ConsumerGroup = "g" });
        using var reader = source.CreateReader(TestWaits.Context());
        var output = new TestSourceOutput<Ev>();

        reader.PollNext(output).ShouldBe(SourceStatus.MoreAvailable);
        SplitPositions.TryGetInt64(new Dictionary<string, byte[]> { ["s"] = reader.SnapshotSplit(0) }, "s", out var atBarrier).ShouldBeTrue();
        reader.PollNext(output).ShouldBe(SourceStatus.MoreAvailable); // Emitted after the barrier: not yet covered by the checkpoint.
        reader.NotifyCheckpointComplete(1);

        atBarrier.ShouldBe(10);
        output.Records.Count.ShouldBe(20);
        temp.Log.Groups.GetCommittedOffset("g", "t", 0).ShouldBe(10);
    }

    [Fact]
    public void Reader_OwningNoPartitions_Bounded_FinishesAtOnce()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true });
        using var reader = source.CreateReader(TestWaits.Context(subtask: 3, parallelism: 4));
        reader.Partitions.ShouldBeEmpty();
        reader.SplitCount.ShouldBe(1);
        reader.PollNext(new TestSourceOutput<Ev>()).ShouldBe(SourceStatus.Finished);
    }

    [Fact]
    public void Reader_OwningNoPartitions_Unbounded_StaysOpenWithItsSplitFinished()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>());
        using var reader = source.CreateReader(TestWaits.Context(subtask: 2, parallelism: 3));
        var output = new TestSourceOutput<Ev>();
        reader.PollNext(output).ShouldBe(SourceStatus.NothingAvailable);
        output.FinishedSplits.ShouldBe([0]);
    }

    [Fact]
    public void Reader_Assignment_IsPartitionModuloParallelism()
    {
        LogSource<Ev>.AssignPartitions(1, 3, 8).ShouldBe([1, 4, 7]);
        LogSource<Ev>.AssignPartitions(5, 6, 4).ShouldBeEmpty();
    }

    [Fact]
    public void Reader_CaughtUp_SignalsAvailableWhenRecordsAreAppended()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        using var signalled = new SemaphoreSlim(0);
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>());
        using var reader = source.CreateReader(TestWaits.Context(signal: () => signalled.Release()));
        var output = new TestSourceOutput<Ev>();
        reader.PollNext(output).ShouldBe(SourceStatus.NothingAvailable);
        signalled.CurrentCount.ShouldBe(0);

        temp.AppendTo("t", 1, [new Ev("a", 1, 1)]);
        signalled.Wait(TestWaits.Timeout).ShouldBeTrue("the reader should signal when data arrives");
        reader.PollNext(output).ShouldBe(SourceStatus.MoreAvailable);
        output.Values.ShouldBe([new Ev("a", 1, 1)]);
        output.Records[0].Split.ShouldBe(1);
    }

    [Fact]
    public void Reader_BoundedPartitionEnds_MarksItsSplitFinishedBeforeOthers()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        temp.AppendTo("t", 0, [new Ev("a", 1, 1)]);
        temp.AppendTo("t", 1, Enumerable.Range(0, 10).Select(i => new Ev("b", i, i)));
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true, MaxRecordsPerPoll = 2 });
        using var reader = source.CreateReader(TestWaits.Context());
        var output = new TestSourceOutput<Ev>();
        reader.PollNext(output).ShouldBe(SourceStatus.MoreAvailable);
        output.FinishedSplits.ShouldBe([0]);
        Drain(reader, output);
        output.FinishedSplits.ShouldBe([0, 1], ignoreOrder: true);
        output.Records.Count.ShouldBe(11);
    }

    [Fact]
    public void WithMetadata_ExposesKeyHeadersPositionAndTombstones()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        ProducerRecord[] records =
        [
            new(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("hello"), 42, [new LogHeader("trace", Encoding.UTF8.GetBytes("x1"))]),
            ProducerRecord.FromArrays(Encoding.UTF8.GetBytes("k"), null, 43),
        ];
        temp.Log.GetPartition("t", 0).Append(records);
        var source = new LogSource<ConsumedMessage<string>>(temp.Log, "t", MessageDeserializers.WithMetadata(MessageDeserializers.Utf8String()), new LogSourceOptions { Bounded = true });
        using var reader = source.CreateReader(TestWaits.Context());
        var values = Drain(reader).Values;

        values.Count.ShouldBe(2);
        values[0].Value.ShouldBe("hello");
        values[0].Key.ShouldBe(Encoding.UTF8.GetBytes("k"));
        values[0].Headers.Single().Name.ShouldBe("trace");
        values[0].Headers.Single().Value.ShouldBe(Encoding.UTF8.GetBytes("x1"));
        values[0].TimestampType.ShouldBe(MessageTimestampType.CreateTime);
        (values[0].Topic, values[0].Partition, values[0].Offset, values[0].TimestampMs).ShouldBe(("t", 0, 0L, 42L));
        values[1].IsTombstone.ShouldBeTrue();
        values[1].Offset.ShouldBe(1);
    }

    [Fact]
    public void Utf8String_InvalidUtf8_IsADeadLetter()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        temp.Log.GetPartition("t", 0).Append([ProducerRecord.FromArrays(null, [0xC3, 0x28], 1), ProducerRecord.FromArrays(null, "ok"u8.ToArray(), 2)]);
        var source = new LogSource<string>(temp.Log, "t", MessageDeserializers.Utf8String(), new LogSourceOptions { Bounded = true });
        using var reader = source.CreateReader(TestWaits.Context());
        var output = Drain(reader);
        output.Values.ShouldBe(["ok"]);
        output.DeadLetters.Single().Position.ShouldBe("t/0/0");
        output.DeadLetters.Single().Reason.ShouldContain("UTF-8");
    }

    [Fact]
    public void Constructor_UnknownTopic_ThrowsNamingTheTopic()
    {
        using var temp = new TempLog();
        Should.Throw<ArgumentException>(() => new LogSource<Ev>(temp.Log, "missing", MessageDeserializers.Json<Ev>())).Message.ShouldContain("'missing'");
    }

    [Fact]
    public void StartingOffset_BeyondTheEnd_ThrowsWithTopicAndPartition()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 1);
        var source = new LogSource<Ev>(temp.Log, "t", MessageDeserializers.Json<Ev>()).WithStartingOffsets(new Dictionary<int, long> { [0] = 5 });
        Should.Throw<ArgumentOutOfRangeException>(() => source.CreateReader(TestWaits.Context())).Message.ShouldContain("partition 0");
    }

    private static RecordBatchBuilder Batch(Ev e)
    {
        var batch = new RecordBatchBuilder();
        batch.Add(Encoding.UTF8.GetBytes(e.Key), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(e, System.Text.Json.JsonSerializerOptions.Web), e.Ts);
        return batch;
    }

    /// <summary>Polls until the reader has nothing more now (or finished).</summary>
    private static TestSourceOutput<T> Drain<T>(LogSourceReader<T> reader, TestSourceOutput<T>? output = null)
    {
        output ??= new TestSourceOutput<T>();
        while (reader.PollNext(output) == SourceStatus.MoreAvailable)
        {
        }
        return output;
    }
}
