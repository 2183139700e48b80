using System.Text;
using Sluice.Log;
using Sluice.SchemaRegistry.Api;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;
using Sluice.SchemaRegistry.Storage;
using Sluice.SchemaRegistry.Tests.Support;

namespace Sluice.SchemaRegistry.Tests;

/// <summary>
/// Pins the _schemas record format, magic 1, with a checked-in sample (Golden/schemas-magic1.tsv: key TAB value, value
/// 'null' for a tombstone). A registry must keep reading it, and must keep writing exactly these bytes.
/// </summary>
public sealed class SchemaLogGoldenTests
{
    private static readonly string s_golden = Path.Combine(AppContext.BaseDirectory, "Golden", "schemas-magic1.tsv");

    private static List<(string Key, string? Value)> GoldenRecords() =>
        [.. File.ReadAllLines(s_golden).Where(l => l.Length > 0).Select(l =>
        {
            var parts = l.Split('\t');
            return (parts[0], parts[1] == "null" ? null : parts[1]);
        })];

    [Fact]
    public void GoldenRecords_Replayed_GiveTheRegistryTheyDescribe()
    {
        using var directory = new TempDirectory();
        using var log = PartitionedLog.Open(directory.Path);
        var topic = log.CreateTopic(SchemaStore.TopicName, new TopicConfig { CleanupPolicy = CleanupPolicy.Compact, RetentionTime = null });
        var records = GoldenRecords()
            .Select(r => ProducerRecord.FromArrays(Encoding.UTF8.GetBytes(r.Key), r.Value is null ? null : Encoding.UTF8.GetBytes(r.Value)))
            .ToArray();
        topic.GetPartition(0).Append(records);

        var store = SchemaStore.Open(log);

        store.Subjects(includeDeleted: false).ShouldBe(["customers-value", "orders-value", "people-value"]);
        store.Versions("people-value", includeDeleted: true).ShouldBe([1]);
        store.HighestId.ShouldBe(4);
        Should.Throw<RegistryException>(() => store.SchemaById(4)).ErrorCode.ShouldBe(40403);
        var order = store.Version("orders-value", "latest", includeDeleted: false);
        (order.Id, order.References.Single()).ShouldBe((2, new SchemaReference("shop.Customer", "customers-value", 1)));
        store.SchemaById(3).Type.ShouldBe(SchemaType.Json);
        store.GlobalLevel.ShouldBe(CompatibilityLevel.None);
        store.SubjectLevel("orders-value").ShouldBe(CompatibilityLevel.FullTransitive);
        store.SubjectMode("customers-value").ShouldBe(RegistryMode.ReadOnly);
        store.Register("people-value", new SchemaRequest(SchemaType.Json, """{"type":"string"}""", [])).ShouldBe(5);
    }

    [Fact]
    public void GoldenRecords_Reencoded_AreTheSameBytes()
    {
        long offset = 0;
        foreach (var (keyText, valueText) in GoldenRecords())
        {
            var key = SchemaLogRecord.DecodeKey(Encoding.UTF8.GetBytes(keyText), offset);
            Encoding.UTF8.GetString(SchemaLogRecord.EncodeKey(key)).ShouldBe(keyText);
            if (valueText is not null)
            {
                var value = Encoding.UTF8.GetBytes(valueText);
                byte[] reencoded = key.Type switch
                {
                    SchemaLogKeyType.Schema => SchemaLogRecord.EncodeSchema(SchemaLogRecord.DecodeSchema(value, offset)),
                    SchemaLogKeyType.Config => SchemaLogRecord.EncodeConfig(SchemaLogRecord.DecodeConfig(value, offset)),
                    SchemaLogKeyType.Mode => SchemaLogRecord.EncodeMode(SchemaLogRecord.DecodeMode(value, offset)),
                    SchemaLogKeyType.IdHighWater => SchemaLogRecord.EncodeIdHighWater(SchemaLogRecord.DecodeIdHighWater(value, offset)),
                    _ => throw new InvalidOperationException($"Unexpected key type {key.Type}."),
                };
                Encoding.UTF8.GetString(reencoded).ShouldBe(valueText);
            }
            offset++;
        }
    }

    [Fact]
    public void KeyOfANewerMagic_IsRefusedNamingTheOffset()
    {
        var error = Should.Throw<InvalidDataException>(() =>
            SchemaLogRecord.DecodeKey("""{"keytype":"SCHEMA","subject":"a","version":1,"magic":2}"""u8, 17));

        error.Message.ShouldBe("The _schemas record at offset 17 has key magic 2, newer than this build reads (1); upgrade Sluice.");
    }

    [Fact]
    public void WriteAfterTheLogClosed_Is50001()
    {
        using var directory = new TempDirectory();
        var log = PartitionedLog.Open(directory.Path);
        var store = SchemaStore.Open(log);
        store.Register("a", new SchemaRequest(SchemaType.Avro, "\"string\"", [])).ShouldBe(1);
        log.Dispose();

        var error = Should.Throw<RegistryException>(() => store.Register("b", new SchemaRequest(SchemaType.Avro, "\"int\"", [])));

        (error.ErrorCode, error.HttpStatus).ShouldBe((50001, 500));
        store.HighestId.ShouldBe(1);
    }
}
