using System.Diagnostics.Metrics;
using Sluice.Checkpoints;
using Sluice.Connectors.Kafka;
using Sluice.Formats;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>Reading <c>consumer_lag</c> out of librdkafka's statistics JSON (no broker needed).</summary>
public sealed class KafkaConsumerLagTests
{
    // Trimmed from the shape librdkafka documents (STATISTICS.md): partition -1 is internal, -1 lag is unknown.
    private const string Statistics = """
        {
          "name": "rdkafka#consumer-1", "type": "consumer", "ts": 1234,
          "brokers": { "localhost:9092/1": { "name": "localhost:9092/1" } },
          "topics": {
            "clicks": {
              "topic": "clicks",
              "partitions": {
                "0": { "partition": 0, "hi_offset": 120, "committed_offset": 100, "consumer_lag": 20 },
                "1": { "partition": 1, "hi_offset": 50, "committed_offset": -1001, "consumer_lag": -1 },
                "-1": { "partition": -1, "consumer_lag": -1 }
              }
            },
            "orders": { "topic": "orders", "partitions": { "3": { "partition": 3, "consumer_lag": 0 } } }
          }
        }
        """;

    [Fact]
    public void Parse_StatisticsDocument_TakesEveryKnownPartitionLag()
    {
        var lags = KafkaConsumerLag.Parse(Statistics);

        lags.ShouldBe([new("clicks", 0, 20), new("orders", 3, 0)]);
    }

    [Fact]
    public void OnStatistics_MalformedDocument_KeepsTheLastFigures()
    {
        var lag = new KafkaConsumerLag("job", JobId.New(), "source", 0, "group");
        lag.OnStatistics(Statistics);

        lag.OnStatistics("{ not json");

        lag.Latest.Count.ShouldBe(2);
    }

    [Fact]
    public void Parse_NoTopicsYet_IsEmpty()
    {
        KafkaConsumerLag.Parse("""{ "name": "rdkafka#consumer-1", "topics": {} }""").ShouldBe([]);
    }
}

/// <summary>
/// The <c>sluice.kafka.consumer_lag</c> gauge of a running job against a broker (librdkafka's mock cluster): it is the
/// high watermark minus the group offset the source commits when a checkpoint completes, per partition.
/// </summary>
public sealed class KafkaConsumerLagBrokerTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-kafka-lag-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task ConsumerLag_RunningJob_FollowsTheOffsetsCommittedAtCheckpoints()
    {
        var topic = kafka.NewTopic(2);
        var group = kafka.NewGroup();
        using var lags = new LagListener(group);
        kafka.ProduceText(topic, Enumerable.Range(0, 100).Select(i => ((string?)null, $"v{i}", (int?)(i % 2), (long?)(1_000 + i))));

        var seen = 0;
        var progress = new Condition();
        var env = StreamEnvironment.Create(new JobOptions { Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var source = new KafkaSource<string>(kafka.Connection, new KafkaSourceOptions
        {
            Topics = [topic],
            GroupId = group,
            StartingPosition = KafkaStartingPosition.Earliest,
            ConsumerProperties = new Dictionary<string, string> { ["statistics.interval.ms"] = "100" },
        }, MessageDeserializers.Utf8String());
        env.FromSource(source).Uid("kafka").ForEach(_ =>
        {
            Interlocked.Increment(ref seen);
            progress.Signal();
        }).Uid("count");
        var run = env.Start();
        var checkpointed = new SemaphoreSlim(0);
        run.CheckpointCompleted += _ => checkpointed.Release();
        try
        {
            progress.WaitUntil(() => Volatile.Read(ref seen) == 100, "the first 100 records");
            run.TriggerCheckpoint().ShouldBeGreaterThan(0);
            (await checkpointed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("the first checkpoint should complete");
            // 50 per partition read and committed: nothing left behind the group's offsets.
            lags.WaitFor(topic, new Dictionary<int, long> { [0] = 0, [1] = 0 }, "lag 0 after the first checkpoint's commit");

            // 30 more records on partition 0 only: read at once, but committed only by the next checkpoint.
            kafka.ProduceText(topic, Enumerable.Range(100, 30).Select(i => ((string?)null, $"v{i}", (int?)0, (long?)(1_000 + i))));
            progress.WaitUntil(() => Volatile.Read(ref seen) == 130, "the 30 new records");
            lags.WaitFor(topic, new Dictionary<int, long> { [0] = 30, [1] = 0 }, "lag 30 on partition 0 before the next checkpoint");

            run.TriggerCheckpoint().ShouldBeGreaterThan(0);
            (await checkpointed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("the second checkpoint should complete");
            lags.WaitFor(topic, new Dictionary<int, long> { [0] = 0, [1] = 0 }, "lag 0 after the second checkpoint's commit");
        }
        finally
        {
            run.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => run.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    /// <summary>Reads the gauge's latest value per (topic, partition) for one consumer group.</summary>
    private sealed class LagListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _group;
        private readonly Dictionary<(string Topic, int Partition), long> _latest = [];

        public LagListener(string group)
        {
            _group = group;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, SluiceMetrics.Meter) && instrument.Name == "sluice.kafka.consumer_lag")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>(OnMeasurement);
            _listener.Start();
        }

        private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            string? group = null, topic = null;
            int? partition = null;
            foreach (var (key, tag) in tags)
            {
                switch (key)
                {
                    case "group":
                        group = tag as string;
                        break;
                    case "topic":
                        topic = tag as string;
                        break;
                    case "partition":
                        partition = tag as int?;
                        break;
                }
            }
            if (group == _group && topic is not null && partition is { } p)
            {
                _latest[(topic, p)] = value;
            }
        }

        /// <summary>Polls the gauge (observable instruments report only when collected) until it shows <paramref name="expected"/>.</summary>
        public void WaitFor(string topic, IReadOnlyDictionary<int, long> expected, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (true)
            {
                _latest.Clear();
                _listener.RecordObservableInstruments();
                if (expected.All(e => _latest.TryGetValue((topic, e.Key), out var lag) && lag == e.Value))
                {
                    return;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Timed out waiting for {what}; the gauge shows {string.Join(", ", _latest.Select(l => $"{l.Key.Topic}[{l.Key.Partition}]={l.Value}"))}.");
                }
                tick.WaitForNextTickAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
