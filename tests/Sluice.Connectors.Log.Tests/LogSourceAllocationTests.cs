using System.Diagnostics.CodeAnalysis;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sources;

namespace Sluice.Connectors.Log.Tests;

public class LogSourceAllocationTests
{
    private sealed class ValueLength : IMessageDeserializer<int>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out int value, [NotNullWhen(false)] out FormatError? error)
        {
            value = message.Value.Length;
            error = null;
            return true;
        }
    }

    private sealed class CountingOutput : ISourceOutput<int>
    {
        public long Count;
        public long Sum;

        public void Collect(int split, int value, long timestamp = EventTime.NoTimestamp)
        {
            Count++;
            Sum += value;
        }

        public void CollectBatch(int split, ReadOnlySpan<int> values, ReadOnlySpan<long> timestamps) => Count += values.Length;

        public void EmitWatermark(int split, long watermark) { }

        public void MarkSplitFinished(int split) { }

        public void MarkSplitIdle(int split, bool idle) { }

        public void ReportDeadLetter(DeadLetter letter) => throw new InvalidOperationException(letter.Reason);
    }

    [Fact]
    public void PollNext_SteadyState_AllocatesNothingPerRecord()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        for (int round = 0; round < 4; round++)
        {
            temp.Produce("t", Enumerable.Range(0, 500).Select(i => new Ev($"k{i % 9}", i, i)));
        }
        var source = new LogSource<int>(temp.Log, "t", new ValueLength(), new LogSourceOptions { MaxRecordsPerPoll = 200 });
        using var reader = source.CreateReader(TestWaits.Context());
        var output = new CountingOutput();
        reader.PollNext(output).ShouldBe(SourceStatus.MoreAvailable); // warm-up: JIT, first fetch buffer growth

        int more = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            more += reader.PollNext(output) == SourceStatus.MoreAvailable ? 1 : 0;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        more.ShouldBe(5);
        output.Count.ShouldBe(1_200);
        allocated.ShouldBeLessThan(1_000); // 1 000 records read: well under one byte per record
    }
}
