using System.Text;
using Sluice.Cli.Log;
using Sluice.Log;

namespace Sluice.Cli.Tests;

/// <summary>The producer's key extraction, read straight from the log (the CLI tests cover values and accounting).</summary>
public sealed class JsonLinesProducerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-producer-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Run_KeyFieldValues_KeyIsUnescapedStringTextOrRawJsonOfOtherValues()
    {
        string[] lines =
        [
            """{"k":"user-1","v":1}""",
            """{"v":2,"k":"us\u0065r-1"}""",
            """{"k":{"a":[1, 2]},"v":3}""",
            """{"k":12.5e1}""",
            """{"nested":{"k":"inner"}}""",
            """[{"k":"in an array"}]""",
        ];
        using var log = PartitionedLog.Open(_dir, new LogOptions { MaintenanceInterval = null });
        var topic = log.CreateTopic("t", new TopicConfig { Partitions = 1 });
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)));

        new JsonLinesProducer(topic, "k", skipMalformed: false).Run(input).ShouldBe(0);

        using var result = new FetchResult();
        topic.GetPartition(0).Fetch(0, new FetchOptions(100), result);
        var keys = new List<string?>();
        foreach (LogRecordView record in result)
        {
            keys.Add(record.HasKey ? Encoding.UTF8.GetString(record.Key) : null);
        }

        keys.ShouldBe(["user-1", "user-1", """{"a":[1, 2]}""", "12.5e1", null, null]);
    }
}
