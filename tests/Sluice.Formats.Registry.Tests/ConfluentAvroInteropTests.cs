using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using Sluice.Schemas;
using Sluice.Sinks;
using AvroSchema = Avro.Schema;
using Compatibility = Confluent.SchemaRegistry.Compatibility;

namespace Sluice.Formats.Registry.Tests;

/// <summary>
/// avro-confluent against Confluent's official serdes (Confluent.SchemaRegistry.Serdes.Avro 2.16.0), through Sluice's
/// own registry and the mock Kafka cluster: what one writes the other reads.
/// </summary>
public sealed class ConfluentAvroInteropTests(RegistryAndKafka env) : IClassFixture<RegistryAndKafka>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromSeconds(60);

    private static readonly AvroSchema s_v1 = AvroSchema.Parse("""
        {"type":"record","name":"Order","namespace":"shop","fields":[
          {"name":"id","type":"long"},
          {"name":"customer","type":"string"},
          {"name":"amount","type":"double"},
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]}
        """);

    private static readonly AvroSchema s_v2 = AvroSchema.Parse("""
        {"type":"record","name":"Order","namespace":"shop","fields":[
          {"name":"id","type":"long"},
          {"name":"customer","type":"string"},
          {"name":"amount","type":"double"},
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"coupon","type":["null","string"],"default":null}]}
        """);

    private static GenericRecord Order(AvroSchema schema, long id, string customer, double amount, string? coupon = null)
    {
        var record = new GenericRecord((global::Avro.RecordSchema)schema);
        record.Add("id", id);
        record.Add("customer", customer);
        record.Add("amount", amount);
        record.Add("ts", DateTime.UnixEpoch.AddSeconds(id));
        if (((global::Avro.RecordSchema)schema).Contains("coupon"))
        {
            record.Add("coupon", coupon);
        }
        return record;
    }

    private readonly Dictionary<string, long> _produced = [];

    private async Task ProduceAsync(string topic, params GenericRecord[] records)
    {
        _produced[topic] = _produced.GetValueOrDefault(topic) + records.Length;
        using var client = env.Client();
        using var producer = new ProducerBuilder<Null, GenericRecord>(new ProducerConfig { BootstrapServers = env.Kafka.BootstrapServers })
            .SetValueSerializer(new AvroSerializer<GenericRecord>(client))
            .Build();
        foreach (var record in records)
        {
            await producer.ProduceAsync(topic, new Message<Null, GenericRecord> { Value = record });
        }
    }

    private async Task<(List<Row> Rows, List<DeadLetter> Letters)> ReadAsync(string topic, Schema schema, params (string, string)[] options)
    {
        env.WaitForEnd(topic, _produced[topic]);
        var job = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var rows = job.FromSource(env.Connectors.CreateSource("orders", schema, env.KafkaTable(topic, "avro-confluent", options)));
        var sink = rows.Collect();
        var letters = rows.GetSideOutput(DeadLetters.Tag).Collect();
        await job.ExecuteAsync().WaitAsync(s_jobTimeout);
        return ([.. sink.Items], [.. letters.Items]);
    }

    [Fact]
    public async Task KafkaSource_RecordsOfConfluentsAvroSerializer_AreDecodedWithTheTableSchema()
    {
        var topic = env.NewTopic();
        await ProduceAsync(topic, Order(s_v1, 1, "ada", 9.5), Order(s_v1, 2, "bo", 0.25));
        var schema = Schema.Parse("id BIGINT NOT NULL, customer STRING, amount DOUBLE, ts TIMESTAMP_LTZ(3), note STRING");

        var (rows, letters) = await ReadAsync(topic, schema);

        letters.ShouldBeEmpty();
        rows.ShouldBe([
            Row.Of(schema, 1L, "ada", 9.5, DateTimeOffset.UnixEpoch.AddSeconds(1), null),
            Row.Of(schema, 2L, "bo", 0.25, DateTimeOffset.UnixEpoch.AddSeconds(2), null),
        ]);
    }

    [Fact]
    public async Task KafkaSource_WrongMagicByteAndUnknownId_AreDeadLettersWithTheOffset()
    {
        var topic = env.NewTopic();
        await ProduceAsync(topic, Order(s_v1, 1, "ada", 9.5));
        using (var producer = env.Producer())
        {
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = [1, 0, 0, 0, 1, 2] });
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = [0, 0, 0, 0x27, 0x0F, 2] });
            producer.Flush(TimeSpan.FromSeconds(10));
        }
        _produced[topic] += 2;
        var schema = Schema.Parse("id BIGINT NOT NULL, customer STRING");

        var (rows, letters) = await ReadAsync(topic, schema);

        rows.ShouldBe([Row.Of(schema, 1L, "ada")]);
        letters.Count.ShouldBe(2);
        letters[0].Position.ShouldBe($"{topic}/0/1");
        letters[0].Reason.ShouldBe("The record starts with byte 1, not Confluent's magic byte 0: it was not written by a schema-registry serializer.");
        letters[1].Position.ShouldBe($"{topic}/0/2");
        letters[1].Reason.ShouldStartWith($"Unknown writer schema id 9999: the schema registry at {env.Url} has no schema with id 9999");
    }

    [Fact]
    public async Task KafkaSource_WriterTypeTheTableCannotRead_IsADeadLetterNamingFieldAndSchema()
    {
        var topic = env.NewTopic();
        await ProduceAsync(topic, Order(s_v1, 1, "ada", 9.5));
        var schema = Schema.Parse("id BIGINT NOT NULL, customer INT");

        var (rows, letters) = await ReadAsync(topic, schema, ($"value.avro-confluent.subject", $"{topic}-value"));

        rows.ShouldBeEmpty();
        var letter = letters.ShouldHaveSingleItem();
        letter.Position.ShouldBe($"{topic}/0/0");
        letter.FieldPath.ShouldBe("customer");
        letter.Reason.ShouldMatch(@$"^Field 'customer': The writer's string cannot be read as INT\. \(writer schema subject '{topic}-value' version 1 \(id \d+\)\)$");
    }

    [Fact]
    public async Task KafkaSource_ProducerMovesToV2_FixedKeepsTheTableSchemaAndFollowWidensFromThatRecordOn()
    {
        var topic = env.NewTopic();
        using (var client = env.Client())
        {
            await client.UpdateCompatibilityAsync(Compatibility.None, $"{topic}-value");
        }
        await ProduceAsync(topic, Order(s_v1, 1, "ada", 9.5));
        await ProduceAsync(topic, Order(s_v2, 2, "bo", 1.5, "SAVE10"), Order(s_v2, 3, "cy", 2.5));
        var table = Schema.Parse("id BIGINT NOT NULL, customer STRING, coupon STRING");

        var (fixedRows, _) = await ReadAsync(topic, table);
        fixedRows.Select(static r => r.GetString(2)).ShouldBe([null, "SAVE10", null]);

        var v1Table = Schema.Parse("id BIGINT NOT NULL, customer STRING, amount DOUBLE, ts TIMESTAMP_LTZ(3)");
        var (followed, letters) = await ReadAsync(topic, v1Table, ("value.avro-confluent.schema-evolution", "follow"));

        letters.ShouldBeEmpty();
        followed[0].Schema.Select(static f => f.Name).ShouldBe(["id", "customer", "amount", "ts"]);
        followed[0].Schema.Origin!.ShouldMatch(@$"^subject '{topic}-value' version 1 \(id \d+\)$");
        followed[1].Schema.Select(static f => f.Name).ShouldBe(["id", "customer", "amount", "ts", "coupon"]);
        followed[1].Schema[4].Type.ShouldBe(DataType.Varchar);
        followed[1].Schema.Origin!.ShouldMatch(@$"^subject '{topic}-value' version 2 \(id \d+\)$");
        followed[1].GetString(4).ShouldBe("SAVE10");
        followed[2].Schema.ShouldBeSameAs(followed[1].Schema);

        // A writer adding a NOT NULL column without a default is not let through: its records are dead letters.
        var narrow = Schema.Parse("id BIGINT NOT NULL, customer STRING");
        var (none, refused) = await ReadAsync(topic, narrow, ("value.avro-confluent.schema-evolution", "follow"));
        none.ShouldBeEmpty();
        refused.Count.ShouldBe(3);
        refused[0].Reason.ShouldMatch(@$"^Writer schema subject '{topic}-value' version 1 \(id \d+\) cannot be read into the table: it adds field 'amount' \(DOUBLE NOT NULL\) without a default and not nullable");
    }

    [Fact]
    public async Task KafkaSink_RowsAreReadByConfluentsAvroDeserializer()
    {
        var topic = env.NewTopic();
        var schema = Schema.Parse("id BIGINT NOT NULL, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP_LTZ(3), tags ARRAY<STRING>");
        Row[] rows =
        [
            Row.Of(schema, 1L, "ada", 12.34m, DateTimeOffset.UnixEpoch.AddDays(1), new object?[] { "a", null }),
            Row.Of(schema, 2L, null, null, null, null),
        ];
        var job = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        job.FromCollection(rows).SinkTo(env.Connectors.CreateSink("orders", schema, env.KafkaTable(topic, "avro-confluent")));
        await job.ExecuteAsync().WaitAsync(s_jobTimeout);

        using var client = env.Client();
        var records = env.ReadAll(topic, new AvroDeserializer<GenericRecord>(client).AsSyncOverAsync());

        records.Count.ShouldBe(2);
        var first = records[0].Message.Value;
        first["id"].ShouldBe(1L);
        first["customer"].ShouldBe("ada");
        ((global::Avro.AvroDecimal)first["amount"]).ToString(null, System.Globalization.CultureInfo.InvariantCulture).ShouldBe("12.34");
        first["ts"].ShouldBe(DateTime.UnixEpoch.AddDays(1));
        first["tags"].ShouldBe(new object?[] { "a", null });
        var second = records[1].Message.Value;
        second["id"].ShouldBe(2L);
        second["customer"].ShouldBeNull();
        (await client.GetLatestSchemaAsync($"{topic}-value")).Version.ShouldBe(1);
    }
}
