using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Tests;

/// <summary>
/// Issue 16's evolution end to end: a producer moves from v1 to v2 of its subject (a new nullable column) while a job
/// runs — Kafka source with avro-confluent in follow mode, into the DuckDB warehouse and the Parquet lake. Both show the
/// column from that record on; nothing is lost and the job never restarts.
/// </summary>
public sealed class EvolutionEndToEndTests(RegistryAndKafka env) : IClassFixture<RegistryAndKafka>, IDisposable
{
    private static readonly AvroSchema s_v1 = AvroSchema.Parse("""
        {"type":"record","name":"Click","namespace":"web","fields":[
          {"name":"id","type":"long"},{"name":"page","type":"string"}]}
        """);

    private static readonly AvroSchema s_v2 = AvroSchema.Parse("""
        {"type":"record","name":"Click","namespace":"web","fields":[
          {"name":"id","type":"long"},{"name":"page","type":"string"},
          {"name":"referrer","type":["null","string"],"default":null}]}
        """);

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-evolution-e2e-").FullName;

    private string Database => Path.Combine(_directory, "warehouse.duckdb");

    private string Lake => Path.Combine(_directory, "lake");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        Directory.Delete(_directory, recursive: true);
    }

    private async Task ProduceAsync(string topic, AvroSchema schema, params (long Id, string Page, string? Referrer)[] clicks)
    {
        using var client = env.Client();
        using var producer = new ProducerBuilder<Null, GenericRecord>(new ProducerConfig { BootstrapServers = env.Kafka.BootstrapServers })
            .SetValueSerializer(new AvroSerializer<GenericRecord>(client))
            .Build();
        foreach (var (id, page, referrer) in clicks)
        {
            var record = new GenericRecord((global::Avro.RecordSchema)schema);
            record.Add("id", id);
            record.Add("page", page);
            if (((global::Avro.RecordSchema)schema).Contains("referrer"))
            {
                record.Add("referrer", referrer);
            }
            await producer.ProduceAsync(topic, new Message<Null, GenericRecord> { Value = record });
        }
    }

    /// <summary>Polls (with a deadline) until the count query <paramref name="sql"/> gives <paramref name="count"/>.</summary>
    private void WaitForRows(string sql, long count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        long seen = -1;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var connection = DuckDbQueries.Open(Database);
                if ((seen = connection.Query(sql).GetInt64(0, 0)) == count)
                {
                    return;
                }
            }
            catch (DuckDB.NET.Data.DuckDBException)
            {
                // The table (or the lake's first file) does not exist before the first commit.
            }
            Thread.Yield();
        }
        throw new TimeoutException($"'{sql}' gave {seen} after 60 s, not {count}.");
    }

    [Fact]
    public async Task ProducerMovesToV2MidJob_WarehouseAndLakeShowTheColumnFromThatRecordOn_NothingLostNoRestart()
    {
        var topic = env.NewTopic();
        await ProduceAsync(topic, s_v1, (1, "/a", null), (2, "/b", null), (3, "/c", null));
        var table = Schema.Parse("id BIGINT NOT NULL, page STRING");
        var options = env.KafkaTable(topic, "avro-confluent", ("value.avro-confluent.schema-evolution", "follow"));
        options.Remove("scan.bounded.mode"); // unbounded: the job runs until cancelled
        var job = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = 1,
            Checkpoints = CheckpointOptions.InDirectory(Path.Combine(_directory, "checkpoints"), TimeSpan.FromMilliseconds(100)),
        });
        var rows = job.FromSource(env.Connectors.CreateSource("clicks", table, options));
        rows.ToDuckDb(Database, "clicks", table);
        rows.SinkTo(ParquetLakeSink.ForRows(Lake, "clicks", table, _ => 0L, new ParquetLakeOptions { PartitionByHour = false }));
        var restarts = 0;
        var client = job.Start(c => c.StatusChanged += change => { if (change.NewStatus == JobStatus.Restarting) Interlocked.Increment(ref restarts); });
        try
        {
            WaitForRows("SELECT count(*) FROM clicks", 3);

            await ProduceAsync(topic, s_v2, (4, "/d", "search"), (5, "/e", null));
            WaitForRows("SELECT count(*) FROM clicks", 5);

            using var warehouse = DuckDbQueries.Open(Database);
            var result = warehouse.Query("SELECT id, page, referrer FROM clicks ORDER BY id");
            Enumerable.Range(0, result.RowCount).Select(r => (result.GetInt64(r, 0), result.GetString(r, 1), result.IsNull(r, 2) ? null : result.GetString(r, 2)))
                .ShouldBe([(1L, "/a", null), (2L, "/b", null), (3L, "/c", null), (4L, "/d", "search"), (5L, "/e", null)]);
            var files = $"read_parquet('{Lake}/clicks/**/*.parquet', hive_partitioning = true, union_by_name = true)";
            WaitForRows($"SELECT count(*) FROM {files}", 5); // the lake commits at the same checkpoints, in its own step
            var lake = warehouse.Query($"SELECT id, referrer FROM {files} ORDER BY id");
            Enumerable.Range(0, lake.RowCount).Select(r => (lake.GetInt64(r, 0), lake.IsNull(r, 1) ? null : lake.GetString(r, 1)))
                .ShouldBe([(1L, null), (2L, null), (3L, null), (4L, "search"), (5L, null)]);
            client.Status.ShouldBe(JobStatus.Running);
            Volatile.Read(ref restarts).ShouldBe(0);
        }
        finally
        {
            client.Cancel();
            await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        }
    }
}
