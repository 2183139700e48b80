using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Kafka;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>The 'kafka' connector's 'specific-offsets' startup mode and 'topic-pattern', against the mock cluster.</summary>
public sealed class KafkaConnectorFactoryStartupTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("v STRING");
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(KafkaConnectorFactory).Assembly);

    private Dictionary<string, string> SourceOptions(params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string>
        {
            ["connector"] = "kafka",
            ["properties.bootstrap.servers"] = kafka.Cluster.BootstrapServers,
            ["properties.session.timeout.ms"] = "2000",
            ["properties.heartbeat.interval.ms"] = "250",
            ["properties.group.id"] = kafka.NewGroup(),
            ["scan.bounded.mode"] = "latest-offset",
            ["format"] = "raw",
        };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    private async Task<List<string?>> ReadAsync(Dictionary<string, string> options)
    {
        var env = StreamEnvironment.Create();
        var rows = env.FromSource(_registry.CreateSource("in", s_schema, options)).Collect();
        await env.ExecuteAsync().WaitAsync(s_jobTimeout);
        return [.. rows.Items.Select(r => r.GetString(0)).Order(StringComparer.Ordinal)];
    }

    /// <summary>A topic with 'a0'…'a4' in partition 0 and 'b0'…'b2' in partition 1.</summary>
    private string TwoPartitionTopic()
    {
        var topic = kafka.NewTopic(2);
        kafka.ProduceText(topic, [.. Enumerable.Range(0, 5).Select(i => ((string?)null, $"a{i}", (int?)0, (long?)null)), .. Enumerable.Range(0, 3).Select(i => ((string?)null, $"b{i}", (int?)1, (long?)null))]);
        return topic;
    }

    [Fact]
    public async Task Source_SpecificOffsets_ListedPartitionStartsThereOthersFromEarliest()
    {
        var topic = TwoPartitionTopic();

        var values = await ReadAsync(SourceOptions(("topic", topic), ("scan.startup.mode", "specific-offsets"), ("scan.startup.specific-offsets", "partition:0,offset:3")));

        values.ShouldBe(["a3", "a4", "b0", "b1", "b2"]);
    }

    [Fact]
    public async Task Source_SpecificOffsetsBothPartitions_EachStartsAtItsOffset()
    {
        var topic = TwoPartitionTopic();

        var values = await ReadAsync(SourceOptions(("topic", topic), ("scan.startup.mode", "specific-offsets"), ("scan.startup.specific-offsets", " partition:0,offset:4 ; partition: 1, offset:2;")));

        values.ShouldBe(["a4", "b2"]);
    }

    [Fact]
    public async Task Source_SpecificOffsetsWithAutoOffsetResetLatest_UnlistedPartitionStartsAtTheEnd()
    {
        var topic = TwoPartitionTopic();

        var values = await ReadAsync(SourceOptions(
            ("topic", topic), ("scan.startup.mode", "specific-offsets"), ("scan.startup.specific-offsets", "partition:0,offset:3"), ("properties.auto.offset.reset", "latest")));

        values.ShouldBe(["a3", "a4"]);
    }

    [Theory]
    [InlineData("partition:0,offset:x", "Option 'scan.startup.specific-offsets' of connector 'kafka' has 'partition:0,offset:x' where 'partition:N,offset:M' (two whole numbers ≥ 0) is expected (got 'partition:0,offset:x').")]
    [InlineData("partition:0;offset:1", "Option 'scan.startup.specific-offsets' of connector 'kafka' has 'partition:0' where 'partition:N,offset:M' (two whole numbers ≥ 0) is expected (got 'partition:0;offset:1').")]
    [InlineData("partition:1,offset:-5", "Option 'scan.startup.specific-offsets' of connector 'kafka' has 'partition:1,offset:-5' where 'partition:N,offset:M' (two whole numbers ≥ 0) is expected (got 'partition:1,offset:-5').")]
    [InlineData("offset:5,partition:1", "Option 'scan.startup.specific-offsets' of connector 'kafka' has 'offset:5,partition:1' where 'partition:N,offset:M' (two whole numbers ≥ 0) is expected (got 'offset:5,partition:1').")]
    [InlineData("partition:3000000000,offset:1", "Option 'scan.startup.specific-offsets' of connector 'kafka' has 'partition:3000000000,offset:1' where 'partition:N,offset:M' (two whole numbers ≥ 0) is expected (got 'partition:3000000000,offset:1').")]
    [InlineData("partition:1,offset:5;partition:1,offset:6", "Option 'scan.startup.specific-offsets' of connector 'kafka' names partition 1 twice (got 'partition:1,offset:5;partition:1,offset:6').")]
    [InlineData(" ; ", "Option 'scan.startup.specific-offsets' of connector 'kafka' must list at least one 'partition:N,offset:M' (got ' ; ').")]
    public void CreateSource_BadSpecificOffsets_NamesOptionFragmentAndShape(string value, string expected)
    {
        var options = SourceOptions(("topic", "orders"), ("scan.startup.mode", "specific-offsets"), ("scan.startup.specific-offsets", value));

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("in", s_schema, options)).Message.ShouldBe(expected);
    }

    [Fact]
    public void CreateSource_SpecificOffsetsMissing_NamesTheOptionAndItsShape()
    {
        var options = SourceOptions(("topic", "orders"), ("scan.startup.mode", "specific-offsets"));

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("in", s_schema, options)).Message
            .ShouldBe("Connector 'kafka' needs option 'scan.startup.specific-offsets' with 'scan.startup.mode' = 'specific-offsets' (e.g. 'partition:0,offset:42;partition:1,offset:300').");
    }

    [Fact]
    public void CreateSource_SpecificOffsetsWithSeveralTopics_NeedsOneTopic()
    {
        var options = SourceOptions(("topic", "a;b"), ("scan.startup.mode", "specific-offsets"), ("scan.startup.specific-offsets", "partition:0,offset:1"));

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("in", s_schema, options)).Message
            .ShouldBe("Option 'scan.startup.mode' of connector 'kafka' needs one 'topic' (not several, nor 'topic-pattern') when it is 'specific-offsets' (got 'specific-offsets').");
    }

    [Fact]
    public async Task Source_TopicPattern_ReadsWholeNameMatchesOnly()
    {
        var prefix = $"pattern{Guid.NewGuid():N}";
        var matches = new[] { $"{prefix}-1", $"{prefix}-22" };
        foreach (var (topic, partitions) in new[] { (matches[0], 1), (matches[1], 2), ($"{prefix}-x", 1), ($"{prefix}-3-extra", 1), ($"x{prefix}-4", 1) })
        {
            kafka.Cluster.CreateTopic(topic, partitions);
            kafka.ProduceText(topic, [(null, topic, 0, null)]);
        }

        var values = await ReadAsync(SourceOptions(("topic-pattern", $"{prefix}-[0-9]+"), ("scan.startup.mode", "earliest-offset")));

        values.ShouldBe([$"{prefix}-1", $"{prefix}-22"]);
    }

    [Fact]
    public async Task Source_TopicPattern_TopicCreatedAfterTheStartIsReadFromEarliest()
    {
        var prefix = $"later{Guid.NewGuid():N}";
        kafka.Cluster.CreateTopic($"{prefix}-1", 1);
        kafka.ProduceText($"{prefix}-1", [(null, "old", 0, null)]);
        var source = _registry.CreateSource("in", s_schema, SourceOptions(("topic-pattern", $"{prefix}-[0-9]+"), ("scan.startup.mode", "latest-offset")));
        var first = StreamEnvironment.Create();
        var firstRows = first.FromSource(source).Collect();
        await first.ExecuteAsync().WaitAsync(s_jobTimeout);
        kafka.Cluster.CreateTopic($"{prefix}-2", 1);
        kafka.ProduceText($"{prefix}-2", [(null, "new-a", 0, null), (null, "new-b", 0, null)]);

        var second = StreamEnvironment.Create(); // the source runs again, as after a restart
        var secondRows = second.FromSource(source).Collect();
        await second.ExecuteAsync().WaitAsync(s_jobTimeout);

        firstRows.Items.ShouldBeEmpty("'latest-offset' skips what the topic held at the start");
        secondRows.Items.Select(r => r.GetString(0)).ShouldBe(["new-a", "new-b"], "the topic created later is read from its first record; the first one still from its latest offset");
    }

    [Fact]
    public void CreateReader_TopicCreatedWhileTheReadersStart_EveryReaderOfTheRunSeesOneListing()
    {
        var prefix = $"listing{Guid.NewGuid():N}";
        kafka.Cluster.CreateTopic($"{prefix}-1", 2);
        var source = (KafkaSource<Row>)_registry.CreateSource("in", s_schema, SourceOptions(("topic-pattern", $"{prefix}-[0-9]+")));
        using var reader0 = source.CreateReader(new SourceReaderContext(0, 2, TimeProvider.System, static () => { }, 64));
        kafka.Cluster.CreateTopic($"{prefix}-2", 3);

        using var reader1 = source.CreateReader(new SourceReaderContext(1, 2, TimeProvider.System, static () => { }, 64));

        (reader0.SplitCount, reader1.SplitCount).ShouldBe((2, 2), "both readers number the partitions of the one listing taken when the run started");
    }

    [Fact]
    public async Task Source_TopicPatternMatchingNothing_FailsNamingThePattern()
    {
        var env = StreamEnvironment.Create();
        env.FromSource(_registry.CreateSource("in", s_schema, SourceOptions(("topic-pattern", "no-such-topic-[0-9]+")))).Collect();

        var error = await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().WaitAsync(s_jobTimeout));

        Flatten(error).ShouldContain(e => e.Message == "No Kafka topic matches topic pattern 'no-such-topic-[0-9]+'; create one first or fix the pattern.");
    }

    [Theory]
    [InlineData(true, "Connector 'kafka' needs exactly one of options 'topic' and 'topic-pattern' to read (both are given).")]
    [InlineData(false, "Connector 'kafka' needs exactly one of options 'topic' and 'topic-pattern' to read (neither is given).")]
    public void CreateSource_TopicAndPatternBothOrNeither_OneSentence(bool both, string expected)
    {
        var options = both ? SourceOptions(("topic", "orders"), ("topic-pattern", "orders-.*")) : SourceOptions();

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("in", s_schema, options)).Message.ShouldBe(expected);
    }

    [Fact]
    public void CreateSink_TopicPattern_IsForSourcesOnly()
    {
        var options = SourceOptions(("topic-pattern", "orders-.*"));

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options)).Message
            .ShouldBe("Option 'topic-pattern' of connector 'kafka' is for sources only; give a sink one 'topic' (got 'orders-.*').");
    }

    [Fact]
    public void CreateSink_NoTopic_NamesTheOption()
    {
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, SourceOptions())).Message
            .ShouldBe("Connector 'kafka' needs option 'topic' to write (the one topic of the sink).");
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    foreach (var nested in Flatten(inner))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }
}
