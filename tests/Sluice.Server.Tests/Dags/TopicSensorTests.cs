using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using Sluice.Connectors.Kafka.Testing;
using Sluice.Connectors.Log;
using Sluice.Log;
using Sluice.Orchestration;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;
using Sluice.Server.Dags;

namespace Sluice.Server.Tests.Dags;

/// <summary>
/// <c>topic_sensor</c> tasks on a real embedded log and on librdkafka's mock Kafka cluster, poked by a scheduler on a
/// virtual clock: each test advances the clock by the poke interval, never sleeps.
/// </summary>
public sealed class TopicSensorTests : IDisposable
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_poke = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-topic-sensor-").FullName;
    private readonly FakeTimeProvider _time = new(s_jan1.AddDays(2));
    private readonly RunStore _store;

    public TopicSensorTests() => _store = new RunStore(Path.Combine(_directory, "state"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task EmbeddedLog_OffsetReachedAfterAppends_SucceedsInOneAttempt()
    {
        using var log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        var topic = log.CreateTopic("orders", new TopicConfig { Partitions = 2 });
        await using var scheduler = Scheduler(LogTopicProbe.Shared(log), new TopicSensorAction("orders") { Offset = 2, PokeInterval = s_poke });
        Append(topic.GetPartition(0), 2, s_jan1);

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();
        Instance().State.ShouldBe(TaskState.UpForReschedule);

        Append(topic.GetPartition(1), 2, s_jan1);
        _time.Advance(s_poke);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Success);
        Instance().Attempts.Single().State.ShouldBe(AttemptState.Success);
    }

    [Fact]
    public async Task EmbeddedLog_OnePartition_IgnoresTheOthers()
    {
        using var log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        var topic = log.CreateTopic("orders", new TopicConfig { Partitions = 2 });
        Append(topic.GetPartition(1), 3, s_jan1);
        await using var scheduler = Scheduler(LogTopicProbe.Shared(log), new TopicSensorAction("orders") { Partition = 1, Offset = 3, PokeInterval = s_poke });

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Success);
    }

    [Fact]
    public async Task EmbeddedLog_EventTime_WaitsUntilEveryPartitionHasARecordAtTheIntervalEnd()
    {
        using var log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        var topic = log.CreateTopic("events", new TopicConfig { Partitions = 2 });
        var end = s_jan1.AddDays(1);
        Append(topic.GetPartition(0), 1, end);
        Append(topic.GetPartition(1), 1, end.AddMilliseconds(-1));
        // The default event_time is {{ data_interval_end }}: 2024-01-02T00:00:00Z for the daily run of 2024-01-01.
        await using var scheduler = Scheduler(LogTopicProbe.Shared(log), new TopicSensorAction("events") { PokeInterval = s_poke });

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();
        Instance().State.ShouldBe(TaskState.UpForReschedule);
        File.ReadAllText(_store.FullPath(Instance().Attempts.Single().LogFile)).ShouldContain("embedded log topic 'events' partition 1: end offset 1, no record at or after the event time");

        Append(topic.GetPartition(1), 1, end);
        _time.Advance(s_poke);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Success);
    }

    [Fact]
    public async Task EmbeddedLog_NeverReached_FailsAtTheTimeoutSayingWhichPartitionIsBehind()
    {
        using var log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        log.CreateTopic("orders", new TopicConfig { Partitions = 1 });
        await using var scheduler = Scheduler(LogTopicProbe.Shared(log), new TopicSensorAction("orders") { Offset = 1, PokeInterval = s_poke }, TimeSpan.FromMinutes(1));

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();
        _time.Advance(s_poke);
        await scheduler.RunUntilIdleAsync();
        Instance().State.ShouldBe(TaskState.UpForReschedule);
        _time.Advance(s_poke);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Failed);
        Instance().Attempts.Single().Error.ShouldBe("the sensor timed out after 00:01:00: the embedded log topic 'orders' has not reached end offset 1 yet in partition 0 (at 0)");
    }

    [Theory]
    [InlineData("nope", null, "There is no embedded log topic 'nope' (topics: orders): create it or fix 'topic'.")]
    [InlineData("orders", 5, "The embedded log topic 'orders' has no partition 5 (it has 2: 0-1).")]
    public async Task EmbeddedLog_UnknownTopicOrPartition_FailsAtTheFirstPoke(string name, int? partition, string error)
    {
        using var log = PartitionedLog.Open(Path.Combine(_directory, "log"));
        log.CreateTopic("orders", new TopicConfig { Partitions = 2 });
        await using var scheduler = Scheduler(LogTopicProbe.Shared(log), new TopicSensorAction(name) { Partition = partition, Offset = 1, PokeInterval = s_poke });

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Failed);
        Instance().Attempts.Single().Error.ShouldBe(error);
    }

    [Fact]
    public async Task EmbeddedLogDirectory_NotHeldByAnyone_IsReadAndReleased()
    {
        var directory = Path.Combine(_directory, "log");
        using (var log = PartitionedLog.Open(directory))
        {
            Append(log.CreateTopic("orders").GetPartition(0), 4, s_jan1);
        }
        var probe = LogTopicProbe.OnDirectory(directory);

        var positions = await probe.ProbeAsync(new TopicProbeRequest(null, "orders", null, s_jan1), CancellationToken.None);

        positions.ShouldBe([new TopicPartitionPosition(0, 4, 0)]);
        SharedLogs.ReferencesTo(directory).ShouldBe(0);
    }

    [Fact]
    public async Task EmbeddedLogDirectory_PokesOverlappingInThisProcess_ShareTheOpenLog()
    {
        var directory = Path.Combine(_directory, "log");
        using (var log = PartitionedLog.Open(directory))
        {
            Append(log.CreateTopic("orders").GetPartition(0), 3, s_jan1);
        }
        var first = LogTopicProbe.OnDirectory(directory);
        var second = LogTopicProbe.OnDirectory(directory);
        var request = new TopicProbeRequest(null, "orders", null, null);

        // A poke still in flight (or a sql_job's 'sluice-log' table) holds the log while the others poke.
        using (SharedLogs.Acquire(directory))
        {
            (await first.ProbeAsync(request, CancellationToken.None)).ShouldBe([new TopicPartitionPosition(0, 3, null)]);
            (await second.ProbeAsync(request, CancellationToken.None)).ShouldBe([new TopicPartitionPosition(0, 3, null)]);
            SharedLogs.ReferencesTo(directory).ShouldBe(1);
        }

        // Two sensors poking at once from two threads, many times: none is refused by the directory lock.
        var pokes = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            var probe = i == 0 ? first : second;
            var ends = new List<long>();
            for (var n = 0; n < 50; n++)
            {
                ends.Add((await probe.ProbeAsync(request, CancellationToken.None)).Single().EndOffset);
            }
            return ends;
        })));
        pokes.SelectMany(e => e).ShouldAllBe(end => end == 3);
        SharedLogs.ReferencesTo(directory).ShouldBe(0);
    }

    [Fact]
    public async Task EmbeddedLogDirectory_HeldByAnotherOwner_FailsTellingToRunTheDagInTheServer()
    {
        var directory = Path.Combine(_directory, "log");
        using var owner = PartitionedLog.Open(directory);
        owner.CreateTopic("orders");
        var probe = LogTopicProbe.OnDirectory(directory);

        var error = await Should.ThrowAsync<TopicProbeException>(() => probe.ProbeAsync(new TopicProbeRequest(null, "orders", null, null), CancellationToken.None));

        error.Message.ShouldStartWith($"The embedded log in '{directory}' is held by another process, so the embedded log topic 'orders' cannot be read from here (");
        error.Message.ShouldContain($"pid {Environment.ProcessId}");
        error.Message.ShouldContain("): run this DAG in the server that owns the log");
    }

    [Fact]
    public async Task Kafka_OffsetAndEventTime_ReachedAfterProducing()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("clicks", 2);
        var end = s_jan1.AddDays(1);
        Produce(cluster, "clicks", 0, end);
        await using var scheduler = Scheduler(new TopicProbeRouter(LogTopicProbe.OnDirectory(_directory), new KafkaTopicProbe()),
            new TopicSensorAction("clicks") { BootstrapServers = cluster.BootstrapServers, PokeInterval = s_poke });

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();
        Instance().State.ShouldBe(TaskState.UpForReschedule);
        Instance().Attempts.Single().State.ShouldBe(AttemptState.Running);

        Produce(cluster, "clicks", 1, end.AddMilliseconds(-1));
        _time.Advance(s_poke);
        await scheduler.RunUntilIdleAsync();
        Instance().State.ShouldBe(TaskState.UpForReschedule);

        Produce(cluster, "clicks", 1, end.AddSeconds(5));
        _time.Advance(s_poke);
        await scheduler.RunUntilIdleAsync();
        Instance().State.ShouldBe(TaskState.Success);

        var positions = await new KafkaTopicProbe().ProbeAsync(new TopicProbeRequest(cluster.BootstrapServers, "clicks", null, end), CancellationToken.None);
        positions.ShouldBe([new TopicPartitionPosition(0, 1, 0), new TopicPartitionPosition(1, 2, 1)]);
        var before = await new KafkaTopicProbe().ProbeAsync(new TopicProbeRequest(cluster.BootstrapServers, "clicks", 0, end.AddSeconds(1)), CancellationToken.None);
        before.ShouldBe([new TopicPartitionPosition(0, 1, null)]);
    }

    [Fact]
    public async Task Kafka_EventTimeAndFetchesRefused_ThrowsNamingThePartitionInsteadOfNotYet()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("clicks", 1);
        Produce(cluster, "clicks", 0, s_jan1.AddDays(1));
        // Fetch (API key 1) keeps failing: the newest record cannot be read, which is not "no record at the event time".
        cluster.FailNextRequests(1, ErrorCode.NotLeaderForPartition, count: 100_000);

        var error = await Should.ThrowAsync<TimeoutException>(() =>
            new KafkaTopicProbe().ProbeAsync(new TopicProbeRequest(cluster.BootstrapServers, "clicks", null, s_jan1), CancellationToken.None));

        error.Message.ShouldStartWith("The newest records of partition 0 of Kafka topic 'clicks' (offsets 0-0) could not be read within 10 s");
    }

    [Fact]
    public void Kafka_RemainingWaitPastTheDeadline_NullNeverNegative()
    {
        // Milliseconds of a monotonic clock (Environment.TickCount64).
        const long deadline = 10_000;

        KafkaTopicProbe.Remaining(deadline, deadline - 250).ShouldBe(TimeSpan.FromMilliseconds(250));
        KafkaTopicProbe.Remaining(deadline, deadline).ShouldBeNull();
        KafkaTopicProbe.Remaining(deadline, deadline + 2).ShouldBeNull();
    }

    [Theory]
    [InlineData("missing", null, "There is no Kafka topic 'missing' ({0}): create it or fix 'topic'.")]
    [InlineData("clicks", 7, "The Kafka topic 'clicks' ({0}) has no partition 7 (it has 2: 0-1).")]
    public async Task Kafka_UnknownTopicOrPartition_FailsAtTheFirstPoke(string name, int? partition, string error)
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("clicks", 2);
        await using var scheduler = Scheduler(new KafkaTopicProbe(),
            new TopicSensorAction(name) { BootstrapServers = cluster.BootstrapServers, Partition = partition, Offset = 1, PokeInterval = s_poke });

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Failed);
        Instance().Attempts.Single().Error.ShouldBe(string.Format(System.Globalization.CultureInfo.InvariantCulture, error, cluster.BootstrapServers));
    }

    [Fact]
    public async Task InTheServer_TopicSensorReadsTheServersOwnLog()
    {
        var dags = Path.Combine(_directory, "dags");
        Directory.CreateDirectory(dags);
        File.WriteAllText(Path.Combine(dags, "wait.yml"), "dag_id: wait\nstart_date: 2024-01-01\ntasks:\n  - id: wait\n    kind: topic_sensor\n    topic: orders\n    offset: 2\n");
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { DagsDirectory = dags });
        Append(fixture.Server.Log.CreateTopic("orders").GetPartition(0), 2, s_jan1);

        using var trigger = await fixture.Authorized.PostAsync("/api/dags/wait/runs", System.Net.Http.Json.JsonContent.Create(new { logical_date = "2024-01-05T00:00:00Z" }));
        trigger.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var store = new RunStore(Path.Combine(fixture.Server.DataDirectory, "orchestration"));
        var date = new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var run = await Jobs.JobApi.EventuallyAsync(() => System.Threading.Tasks.Task.FromResult(store.GetRun("wait", date)), r => r is { IsFinished: true }, "the DAG run finished");

        run!.State.ShouldBe(DagRunState.Success, store.ListTasks("wait", date).Single().Attempts.LastOrDefault()?.Error);
    }

    private DagScheduler Scheduler(ITopicProbe probe, TopicSensorAction sensor, TimeSpan? timeout = null)
    {
        var dag = new DagBuilder("d").Schedule("@daily").StartDate(s_jan1)
            .Task("wait", sensor, t => t.Timeout(timeout ?? TimeSpan.FromHours(1)))
            .Build();
        return new DagScheduler([dag], _store, new DagSchedulerOptions { TimeProvider = _time, CreateScheduledRuns = false, TopicProbe = probe });
    }

    private TaskInstance Instance() => _store.ListTasks("d", s_jan1).Single(t => t.TaskId == "wait");

    private static void Append(PartitionLog partition, int count, DateTimeOffset timestamp)
    {
        var records = new ProducerRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = ProducerRecord.FromArrays(null, Encoding.UTF8.GetBytes($"r{i}"), timestamp.ToUnixTimeMilliseconds());
        }
        partition.Append(records);
    }

    private static void Produce(KafkaMockCluster cluster, string topic, int partition, DateTimeOffset timestamp)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        producer.Produce(new Confluent.Kafka.TopicPartition(topic, partition), new Message<Null, string> { Value = "click", Timestamp = new Timestamp(timestamp) });
        producer.Flush(TimeSpan.FromSeconds(10)).ShouldBe(0);
    }
}
