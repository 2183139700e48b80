using System.Diagnostics.CodeAnalysis;
using System.Text;
using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Kafka.Tests;

public sealed class KafkaSourceTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromSeconds(30);

    private static IEnumerable<(string?, string, int?, long?)> Texts(int count, int partitions) =>
        Enumerable.Range(0, count).Select(i => ((string?)null, $"v{i}", (int?)(i % partitions), (long?)(1_000 + i)));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Bounded_Earliest_ReadsEveryRecordOnceWithKafkaTimestamps(int parallelism)
    {
        var topic = kafka.NewTopic(4);
        kafka.ProduceText(topic, Texts(200, 4));
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = parallelism });
        var source = new KafkaSource<string>(kafka.Connection,
            new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup(), StartingPosition = KafkaStartingPosition.Earliest, Bounded = true },
            MessageDeserializers.Utf8String());
        var sink = env.FromSource(source).Collect();

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        sink.Items.Order().ShouldBe(Enumerable.Range(0, 200).Select(i => $"v{i}").Order());
        foreach (var (value, timestamp) in sink.TimestampedItems)
        {
            timestamp.ShouldBe(1_000 + int.Parse(value[1..], System.Globalization.CultureInfo.InvariantCulture));
        }
        source.Readers.Count.ShouldBe(parallelism);
        source.Readers.Sum(r => r.SplitCount).ShouldBe(4 * parallelism);
    }

    /// <summary>
    /// Enough records that the first reader is still reading when the second joins (the mock takes about a second to
    /// rebalance): the first cooperative rebalance gives the newcomer nothing and takes half of the partitions from the
    /// first reader; a later round hands them to the newcomer. No reader may finish before every partition was read to
    /// its end — the newcomer did, and the rest of the moved partitions was never emitted (`sluice bench kafka
    /// --parallelism 2` lost ~25 % of the records in every run). Timing decides whether the move happens while the
    /// first reader still reads: without the fix this test failed in about one run in four on a 2-core machine.
    /// </summary>
    [Fact]
    public async Task Bounded_Parallelism2_PartitionsMovedToAReaderThatOwnedNothing_AreReadToTheEnd()
    {
        const int records = 200_000;
        var topic = kafka.NewTopic(8);
        foreach (var part in Texts(records, 8).Chunk(50_000))
        {
            kafka.ProduceText(topic, part); // in parts: the producer's queue holds 100 000 messages
        }
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var source = new KafkaSource<string>(kafka.Connection,
            new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup(), StartingPosition = KafkaStartingPosition.Earliest, Bounded = true },
            MessageDeserializers.Utf8String());
        var seen = new bool[records];
        var duplicates = 0;
        env.FromSource(source).SinkTo(new CallbackSink<string>(value =>
        {
            var index = int.Parse(value.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            lock (seen)
            {
                duplicates += seen[index] ? 1 : 0;
                seen[index] = true;
            }
        }));

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        duplicates.ShouldBe(0);
        Array.FindAll(seen, s => !s).Length.ShouldBe(0, "records never emitted");
    }

    [Fact]
    public async Task Bounded_Finish_PositionsAreEndOffsetsAndCommittedToTheGroup()
    {
        var topic = kafka.NewTopic(3);
        kafka.ProduceText(topic, Texts(30, 3));
        var group = kafka.NewGroup();
        var env = StreamEnvironment.Create();
        var source = new KafkaSource<string>(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = group, Bounded = true }, MessageDeserializers.Utf8String());
        env.FromSource(source).Collect();

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        var positions = source.Readers.Single().GetPositions().OrderBy(p => p.Partition.Value).ToList();
        positions.Select(p => (p.Partition.Value, p.Offset.Value)).ShouldBe([(0, 10L), (1, 10L), (2, 10L)]);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.Cluster.BootstrapServers, GroupId = group }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
        committed.Select(c => c.Offset.Value).ShouldBe([10L, 10L, 10L]);
    }

    [Fact]
    public async Task Committed_SecondRunOfTheGroup_ResumesAfterTheFirst()
    {
        var topic = kafka.NewTopic(2);
        var group = kafka.NewGroup();
        kafka.ProduceText(topic, Texts(10, 2));
        (await RunBounded(topic, group, KafkaStartingPosition.Committed())).Count.ShouldBe(10);

        kafka.ProduceText(topic, Enumerable.Range(10, 6).Select(i => ((string?)null, $"v{i}", (int?)(i % 2), (long?)null)));
        var second = await RunBounded(topic, group, KafkaStartingPosition.Committed());

        second.Order().ShouldBe(Enumerable.Range(10, 6).Select(i => $"v{i}").Order());
    }

    [Fact]
    public async Task StartingOffsets_RestoredPositions_WinOverTheStartingPosition()
    {
        var topic = kafka.NewTopic(2);
        kafka.ProduceText(topic, Texts(20, 2));
        var offsets = new Dictionary<TopicPartition, long> { [new TopicPartition(topic, 0)] = 8, [new TopicPartition(topic, 1)] = 5 };

        var items = await RunBounded(topic, kafka.NewGroup(), KafkaStartingPosition.Earliest, offsets);

        // Partition 0 holds v0, v2, … (offset k = v2k); partition 1 holds v1, v3, … (offset k = v(2k+1)).
        items.Order().ShouldBe(new[] { "v16", "v18", "v11", "v13", "v15", "v17", "v19" }.Order());
    }

    [Fact]
    public async Task Timestamp_PartitionsWithoutSuchRecord_StartAtTheirEnd()
    {
        // librdkafka's mock broker answers every timestamp lookup with "no offset" (its ListOffsets has a FIXME for
        // timestamps), so this checks the lookup path and its documented fallback; a real cluster is needed to check
        // that reading begins at the first record at or after the timestamp.
        var topic = kafka.NewTopic(2);
        kafka.ProduceText(topic, Texts(20, 2));

        var items = await RunBounded(topic, kafka.NewGroup(), KafkaStartingPosition.Timestamp(1_015));

        items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Latest_BoundedRun_ReadsNothingThatWasThereBefore()
    {
        var topic = kafka.NewTopic(2);
        kafka.ProduceText(topic, Texts(10, 2));

        (await RunBounded(topic, kafka.NewGroup(), KafkaStartingPosition.Latest)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Rows_RecordNotMatchingSchema_IsADeadLetterWithFieldPath()
    {
        var topic = kafka.NewTopic(1);
        kafka.ProduceText(topic, [(null, """{"id":1,"tags":["a"]}""", 0, null), ("k2", """{"id":2,"tags":["a",null,5]}""", 0, 1_700_000_000_123)]);
        var schema = Schema.Parse("id INT NOT NULL, tags ARRAY<STRING NOT NULL>");
        var env = StreamEnvironment.Create();
        var rows = env.FromKafka(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup(), Bounded = true },
            MessageDeserializers.Rows(RowFormats.Json.CreateDeserializer(schema)));
        var sink = rows.Collect();
        var letters = rows.GetSideOutput(DeadLetters.Tag).Collect();

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        sink.Items.ShouldBe([Row.Of(schema, 1, new List<object?> { "a" })]);
        var letter = letters.Items.ShouldHaveSingleItem();
        letter.Position.ShouldBe($"{topic}/0/1");
        letter.FieldPath.ShouldBe("tags[1]");
        letter.Reason.ShouldBe("Field 'tags[1]': The value is null but the type is VARCHAR NOT NULL.");
        // The envelope: a field at fault is a schema error; the origin position, the untouched bytes, the key, the broker timestamp.
        letter.Kind.ShouldBe(DeadLetterKind.Schema);
        letter.Origin.ShouldBe(new RecordOrigin(topic, 0, 1));
        Encoding.UTF8.GetString(letter.Original!).ShouldBe("""{"id":2,"tags":["a",null,5]}""");
        Encoding.UTF8.GetString(letter.OriginalKey!).ShouldBe("k2");
        letter.IngestTime.ShouldBe(1_700_000_000_123);
    }

    [Fact]
    public async Task ToDeadLetterQueue_UndecodableRecord_EnvelopeInSourceDotDlqWithJobKindAndOrigin()
    {
        var topic = kafka.NewTopic(1);
        kafka.Cluster.CreateTopic(topic + ".dlq", 1);
        kafka.ProduceText(topic, [("k1", "not a number", 0, 1_700_000_000_000)]);
        var env = StreamEnvironment.Create(new JobOptions { JobName = "kafka-dlq-job" });
        var values = env.FromKafka(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup(), Bounded = true },
            MessageDeserializers.Json<int>());
        values.GetSideOutput(DeadLetters.Tag).ToDeadLetterQueue(kafka.Connection, topic);
        values.Collect();

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        var letter = kafka.ReadAll(topic + ".dlq", 1, IsolationLevel.ReadCommitted).ShouldHaveSingleItem().Message;
        Encoding.UTF8.GetString(letter.Value!).ShouldBe("not a number");
        Encoding.UTF8.GetString(letter.Key!).ShouldBe("k1");
        string Header(string name) => Encoding.UTF8.GetString(letter.Headers.GetLastBytes(name));
        (Header(DeadLetterEnvelope.VersionHeader), Header(DeadLetterEnvelope.KindHeader), Header(DeadLetterEnvelope.OriginHeader)).ShouldBe(("2", "parse", "kafka-dlq-job"));
        (Header(DeadLetterEnvelope.OriginTopicHeader), Header(DeadLetterEnvelope.OriginPartitionHeader), Header(DeadLetterEnvelope.OriginOffsetHeader)).ShouldBe((topic, "0", "0"));
        (Header(DeadLetterEnvelope.SourceHeader), Header(DeadLetterEnvelope.IngestTimeHeader)).ShouldBe(($"kafka:{topic}", "1700000000000"));
    }

    [Fact]
    public async Task Record_ExposesKeyHeadersAndTimestamp()
    {
        var topic = kafka.NewTopic(1);
        using (var producer = kafka.Producer())
        {
            var headers = new Headers { { "trace", Encoding.UTF8.GetBytes("t-1") } };
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
            {
                Key = "k"u8.ToArray(),
                Value = "hello"u8.ToArray(),
                Headers = headers,
                Timestamp = new Timestamp(42_000, TimestampType.CreateTime),
            });
        }
        var env = StreamEnvironment.Create();
        var sink = env.FromKafka(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup(), Bounded = true },
            MessageDeserializers.WithMetadata(MessageDeserializers.Utf8String())).Collect();

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        var record = sink.Items.ShouldHaveSingleItem();
        record.Value.ShouldBe("hello");
        record.Key.ShouldBe("k"u8.ToArray());
        record.TimestampMs.ShouldBe(42_000);
        record.TimestampType.ShouldBe(MessageTimestampType.CreateTime);
        record.Headers.ShouldHaveSingleItem().Name.ShouldBe("trace");
        (record.Topic, record.Partition, record.Offset).ShouldBe((topic, 0, 0L));
    }

    [Fact]
    public void Create_MissingTopic_FailsWithTheTopicName()
    {
        var env = StreamEnvironment.Create();
        env.FromKafka(kafka.Connection, new KafkaSourceOptions { Topics = ["no-such-topic"], GroupId = kafka.NewGroup(), Bounded = true },
            MessageDeserializers.Utf8String()).Collect();

        var e = Should.Throw<Exception>(() => env.ExecuteAsync().WaitAsync(s_jobTimeout).GetAwaiter().GetResult());

        e.ToString().ShouldContain("no-such-topic");
    }

    [Fact]
    public async Task Deserializer_Throws_FailsTheJobInsteadOfTheProcess()
    {
        var topic = kafka.NewTopic(1);
        kafka.ProduceText(topic, [(null, "boom", 0, null)]);
        var env = StreamEnvironment.Create();
        env.FromKafka(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup(), Bounded = true }, new ThrowingDeserializer()).Collect();

        var e = await Should.ThrowAsync<JobExecutionException>(env.ExecuteAsync().WaitAsync(s_jobTimeout));

        e.ToString().ShouldContain("deserializer bug");
    }

    private sealed class ThrowingDeserializer : IMessageDeserializer<string>
    {
        public bool TryDeserialize(in MessageView message, [MaybeNullWhen(false)] out string value, [NotNullWhen(false)] out FormatError? error) =>
            throw new InvalidOperationException("deserializer bug");
    }

    private async Task<List<string>> RunBounded(string topic, string group, KafkaStartingPosition start, IReadOnlyDictionary<TopicPartition, long>? offsets = null)
    {
        var env = StreamEnvironment.Create();
        var sink = env.FromKafka(kafka.Connection,
            new KafkaSourceOptions { Topics = [topic], GroupId = group, StartingPosition = start, StartingOffsets = offsets, Bounded = true },
            MessageDeserializers.Utf8String()).Collect();
        await env.ExecuteAsync().WaitAsync(s_jobTimeout);
        return [.. sink.Items];
    }
}
