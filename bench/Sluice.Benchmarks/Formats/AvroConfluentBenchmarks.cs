using System.Buffers;
using Avro.Generic;
using Avro.IO;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sluice.Formats;
using Sluice.Formats.Registry;
using Sluice.SchemaRegistry.Server;
using Row = Sluice.Schemas.Row;
using Schema = Sluice.Schemas.Schema;

namespace Sluice.Benchmarks.Formats;

/// <summary>
/// avro-confluent on a 10-field record (long, int, string, nullable string, double, nullable int, boolean, nullable
/// string, timestamp-millis, double): Sluice's deserializer and serializer against Confluent's
/// <c>AvroDeserializer&lt;GenericRecord&gt;</c>/<c>AvroSerializer&lt;GenericRecord&gt;</c> (2.16.0) and Apache.Avro's
/// generic reader, on the same messages, in the same run. Both sides use a real Sluice registry on loopback, hit once
/// per schema id in the setup (later records come from the clients' caches). An operation is
/// <see cref="RecordsPerOperation"/> records, so the columns are per record.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("formats")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AvroConfluentBenchmarks
{
    /// <summary>Records per benchmark operation.</summary>
    public const int RecordsPerOperation = 1024;

    private static readonly Schema s_schema = Schema.Parse(
        "id BIGINT NOT NULL, user_id INT NOT NULL, name STRING NOT NULL, city STRING, amount DOUBLE NOT NULL, qty INT, active BOOLEAN NOT NULL, note STRING, ts TIMESTAMP_LTZ(3) NOT NULL, score DOUBLE NOT NULL");

    private static readonly string[] s_cities = ["paris", "lima", "oslo", null!, "kyoto"];

    private readonly SerializationContext _context = new(MessageComponentType.Value, "orders");
    private string _directory = null!;
    private SchemaRegistryServer _registry = null!;
    private CachedSchemaRegistryClient _client = null!;
    private IRowDeserializer _sluiceReader = null!;
    private IRowSerializer _sluiceWriter = null!;
    private AvroDeserializer<GenericRecord> _confluentReader = null!;
    private AvroSerializer<GenericRecord> _confluentWriter = null!;
    private GenericDatumReader<GenericRecord> _apacheReader = null!;
    private byte[][] _messages = null!;
    private Row[] _rows = null!;
    private GenericRecord[] _records = null!;
    private ArrayBufferWriter<byte> _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "sluice-bench-avro-" + Guid.NewGuid().ToString("N"));
        _registry = SchemaRegistryServer.StartAsync(new SchemaRegistryServerOptions { DataDirectory = _directory, Port = 0 }).GetAwaiter().GetResult();
        var url = _registry.BaseAddress.ToString().TrimEnd('/');
        _client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = url });
        var format = new AvroConfluentFormat();
        var options = new Dictionary<string, string> { ["avro-confluent.url"] = url, ["avro-confluent.subject"] = "orders-value" };
        _sluiceReader = format.CreateDeserializer(s_schema, options);
        _sluiceWriter = format.CreateSerializer(s_schema, options);
        _confluentReader = new AvroDeserializer<GenericRecord>(_client);
        // Confluent's writer uses the schema Sluice's registered (no registration in the loop on either side).
        _confluentWriter = new AvroSerializer<GenericRecord>(_client, new AvroSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true });
        _buffer = new ArrayBufferWriter<byte>(4096);

        _rows = new Row[RecordsPerOperation];
        for (var i = 0; i < _rows.Length; i++)
        {
            _rows[i] = Row.Of(s_schema, 1_000_000L + i, i % 977, "customer-" + (i % 100), s_cities[i % s_cities.Length], i * 0.25,
                i % 3 == 0 ? null : i % 50, i % 2 == 0, i % 4 == 0 ? "deliver to the back door" : null,
                DateTimeOffset.UnixEpoch.AddMilliseconds(1_700_000_000_000L + i), i / 7.0);
        }
        // Sluice's serializer registers the table's schema; the messages are what it writes, and Confluent's reader reads them.
        _messages = new byte[_rows.Length][];
        for (var i = 0; i < _rows.Length; i++)
        {
            _buffer.ResetWrittenCount();
            _sluiceWriter.Serialize(_rows[i], _buffer);
            _messages[i] = _buffer.WrittenSpan.ToArray();
        }
        _records = new GenericRecord[_rows.Length];
        for (var i = 0; i < _records.Length; i++)
        {
            _records[i] = _confluentReader.DeserializeAsync(_messages[i], false, _context).GetAwaiter().GetResult();
        }
        var writerSchema = _records[0].Schema;
        _apacheReader = new GenericDatumReader<GenericRecord>(writerSchema, writerSchema);
        // Both writers must produce the same bytes, or the comparison is unfair.
        var confluent = _confluentWriter.SerializeAsync(_records[0], _context).GetAwaiter().GetResult();
        if (!confluent.AsSpan().SequenceEqual(_messages[0]))
        {
            throw new InvalidOperationException("Confluent's serializer and Sluice's wrote different bytes for the same record.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = RecordsPerOperation), BenchmarkCategory("decode")]
    public int SluiceDecode()
    {
        var fields = 0;
        foreach (var message in _messages)
        {
            if (_sluiceReader.TryDeserialize(message, out var row, out _))
            {
                fields += row!.FieldCount;
            }
        }
        return fields;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordsPerOperation), BenchmarkCategory("decode")]
    public int ConfluentDecode()
    {
        var fields = 0;
        foreach (var message in _messages)
        {
            fields += _confluentReader.DeserializeAsync(message, false, _context).GetAwaiter().GetResult().Schema.Count;
        }
        return fields;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerOperation), BenchmarkCategory("decode")]
    public int ApacheGenericDecode()
    {
        var fields = 0;
        foreach (var message in _messages)
        {
            using var stream = new MemoryStream(message, 5, message.Length - 5, writable: false);
            fields += _apacheReader.Read(null!, new BinaryDecoder(stream)).Schema.Count;
        }
        return fields;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerOperation), BenchmarkCategory("encode")]
    public int SluiceEncode()
    {
        var bytes = 0;
        foreach (var row in _rows)
        {
            _buffer.ResetWrittenCount();
            _sluiceWriter.Serialize(row, _buffer);
            bytes += _buffer.WrittenCount;
        }
        return bytes;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordsPerOperation), BenchmarkCategory("encode")]
    public int ConfluentEncode()
    {
        var bytes = 0;
        foreach (var record in _records)
        {
            bytes += _confluentWriter.SerializeAsync(record, _context).GetAwaiter().GetResult().Length;
        }
        return bytes;
    }
}
