using System.Text;
using System.Text.Json;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;
using Sluice.Testing;

namespace Sluice.Connectors.Log.Tests;

public class LogSinkTests
{
    private static List<Ev> Events(int count, int keys) =>
        [.. Enumerable.Range(0, count).Select(i => new Ev($"k{i % keys}", i, 1_000 + i))];

    private static List<(int Partition, Ev Event, byte[]? Key, long Timestamp)> Read(TempLog temp, string topic) =>
        temp.ReadAll(topic).ConvertAll(r => (r.Partition, JsonSerializer.Deserialize<Ev>(r.Record.Value, JsonSerializerOptions.Web)!, r.Record.Key, r.Record.TimestampMs));

    [Fact]
    public async Task ToLog_Keyed_SameKeySamePartitionAsKafkaPartitioner_InOrder()
    {
        using var temp = new TempLog();
        temp.CreateTopic("out", 4);
        var events = Events(500, 23);
        var env = StreamEnvironment.Create();
        env.FromCollection(events, WatermarkStrategy<Ev>.NoWatermarks().WithTimestampAssigner(e => e.Ts))
            .ToLog(temp.Log, "out", MessageSerializers.Json<Ev>(key: e => e.Key));
        await env.ExecuteAsync().OrTimeout();

        var stored = Read(temp, "out");
        stored.Select(s => s.Event).OrderBy(e => e.Seq).ShouldBe(events);
        foreach (var s in stored)
        {
            Encoding.UTF8.GetString(s.Key!).ShouldBe(s.Event.Key);
            s.Partition.ShouldBe(KafkaPartitioner.PartitionForKey(Encoding.UTF8.GetBytes(s.Event.Key), 4));
            s.Timestamp.ShouldBe(s.Event.Ts);
        }
        foreach (var key in stored.GroupBy(s => s.Event.Key))
        {
            key.Select(s => s.Event.Seq).ShouldBeInOrder(SortDirection.Ascending);
        }
    }

    [Fact]
    public async Task LogToLog_ParallelWriters_RoundTripKeepsEveryRecordAndPerKeyOrder()
    {
        using var temp = new TempLog();
        temp.CreateTopic("in", 4);
        temp.CreateTopic("out", 3);
        var events = Events(4_000, 41);
        temp.Produce("in", events);

        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 4, BatchSize = 128 });
        env.FromLog(temp.Log, "in", MessageDeserializers.Json<Ev>(), new LogSourceOptions { Bounded = true })
            .Map(e => e with { Ts = e.Ts + 1 })
            .ToLog(temp.Log, "out", MessageSerializers.Json<Ev>(key: e => e.Key), new LogSinkOptions { MaxBatchRecords = 50 });
        await env.ExecuteAsync().OrTimeout();

        var stored = Read(temp, "out");
        stored.Select(s => s.Event).OrderBy(e => e.Seq).ShouldBe(events.Select(e => e with { Ts = e.Ts + 1 }));
        foreach (var key in stored.GroupBy(s => s.Event.Key))
        {
            key.Select(s => s.Partition).Distinct().Count().ShouldBe(1);
            key.Select(s => s.Event.Seq).ShouldBeInOrder(SortDirection.Ascending);
        }
    }

    [Fact]
    public async Task ToLog_WithoutKey_WritesEveryRecordWithoutKey()
    {
        using var temp = new TempLog();
        temp.CreateTopic("out", 2);
        var env = StreamEnvironment.Create();
        env.FromCollection(Enumerable.Range(0, 30).Select(i => $"line {i}")).ToLog(temp.Log, "out", MessageSerializers.Utf8String());
        await env.ExecuteAsync().OrTimeout();

        var stored = temp.ReadAll("out");
        stored.Count.ShouldBe(30);
        stored.ShouldAllBe(s => s.Record.Key == null);
        stored.Select(s => Encoding.UTF8.GetString(s.Record.Value!)).Order().ShouldBe(Enumerable.Range(0, 30).Select(i => $"line {i}").Order());
    }

    [Fact]
    public void Linger_PartialBatch_IsAppendedWhenTheLingerElapses()
    {
        using var temp = new TempLog();
        temp.CreateTopic("out", 1);
        using var driver = new JobTestDriver();
        var input = driver.CreateInput<Ev>();
        input.Stream.ToLog(temp.Log, "out", MessageSerializers.Json<Ev>(key: e => e.Key), new LogSinkOptions { Linger = TimeSpan.FromMilliseconds(50) });
        input.Push(new Ev("a", 1, 1), 1).Push(new Ev("a", 2, 2), 2);
        driver.RunUntilIdle();
        temp.ReadAll("out").ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(50));
        temp.ReadAll("out").Count.ShouldBe(2);
    }

    [Fact]
    public void Writer_AppendFails_ExceptionSurfacesFromWriteAndIsNotSwallowed()
    {
        var temp = new TempLog();
        temp.CreateTopic("out", 1);
        var sink = new LogSink<string>(temp.Log, "out", MessageSerializers.Utf8String(), new LogSinkOptions { MaxBatchRecords = 1 });
        using var writer = Should.NotThrow(() => sink.CreateWriter(new SinkContext("LogSink", 0, 1, TimeProvider.System)));
        writer.Write("ok", 1);
        temp.Dispose(); // the log closes under the writer
        var error = Should.Throw<LogException>(() => writer.Write("lost", 2));
        error.Message.ShouldContain("topic 'out' partition 0");
        error.InnerException.ShouldBeOfType<ObjectDisposedException>();
    }

    [Fact]
    public void Constructor_UnknownTopic_ThrowsNamingTheTopic()
    {
        using var temp = new TempLog();
        Should.Throw<ArgumentException>(() => new LogSink<string>(temp.Log, "nope", MessageSerializers.Utf8String())).Message.ShouldContain("'nope'");
    }
}
