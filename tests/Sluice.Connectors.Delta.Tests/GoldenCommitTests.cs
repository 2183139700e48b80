using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>The exact bytes of the commits Sluice writes: a change to the log format shows up here first.</summary>
public sealed class GoldenCommitTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Commits_CreateAndIdempotentAppend_AreExactlyThisJson()
    {
        using var temp = new TempDirectory();
        var guids = new Queue<Guid>([Guid.Parse("11111111-2222-3333-4444-555555555555"), Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")]);
        var options = new DeltaTableOptions { TimeProvider = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000)), NewGuid = guids.Dequeue };
        var schema = Schema.Parse("id BIGINT NOT NULL, region STRING COMMENT 'sales region', amount DECIMAL(10, 2)");
        var table = DeltaTable.Create(temp.File("t"), schema, ["region"], new Dictionary<string, string?> { ["delta.appendOnly"] = "true" }, options);

        table.Append([Row.Of(schema, 7L, "eu west", 12.5m), Row.Of(schema, 9L, "eu west", null)], new DeltaAppendOptions { AppId = "job/sink/0", TransactionVersion = 42 });

        var log = Path.Combine(table.Path, "_delta_log");
        File.ReadAllText(Path.Combine(log, "00000000000000000000.json")).ShouldBe(
            """
            {"protocol":{"minReaderVersion":1,"minWriterVersion":2}}
            {"metaData":{"id":"11111111-2222-3333-4444-555555555555","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},{\"name\":\"region\",\"type\":\"string\",\"nullable\":true,\"metadata\":{\"comment\":\"sales region\"}},{\"name\":\"amount\",\"type\":\"decimal(10,2)\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":["region"],"configuration":{"delta.appendOnly":"true"},"createdTime":1780000000000}}
            {"commitInfo":{"timestamp":1780000000000,"operation":"CREATE TABLE","operationParameters":{"partitionBy":["region"]},"isBlindAppend":true,"engineInfo":"Sluice"}}

            """.ReplaceLineEndings("\n"));
        var size = new FileInfo(Path.Combine(table.Path, "region=eu west", "part-00000-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-c000.snappy.parquet")).Length;
        File.ReadAllText(Path.Combine(log, "00000000000000000001.json")).ShouldBe(
            $$$"""
            {"add":{"path":"region=eu%20west/part-00000-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-c000.snappy.parquet","partitionValues":{"region":"eu west"},"size":{{{size}}},"modificationTime":1780000000000,"dataChange":true,"stats":"{\"numRecords\":2,\"minValues\":{\"id\":7,\"amount\":12.50},\"maxValues\":{\"id\":9,\"amount\":12.50},\"nullCount\":{\"id\":0,\"amount\":1}}"}}
            {"txn":{"appId":"job/sink/0","version":42,"lastUpdated":1780000000000}}
            {"commitInfo":{"timestamp":1780000000000,"operation":"WRITE","operationParameters":{"mode":"Append"},"readVersion":0,"isBlindAppend":true,"operationMetrics":{"numFiles":"1","numOutputRows":"2","numOutputBytes":"{{{size}}}"},"engineInfo":"Sluice"}}

            """.ReplaceLineEndings("\n"));
    }
}
