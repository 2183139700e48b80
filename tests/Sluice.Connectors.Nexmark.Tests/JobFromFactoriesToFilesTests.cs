using System.Text.Json;
using Sluice.Checkpoints;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Nexmark.Tests;

/// <summary>A checkpointed job made only of connector factories and option dictionaries, writing exactly-once files.</summary>
public sealed class JobFromFactoriesToFilesTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-factories-files-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task NexmarkFilterFilesystem_WithCheckpoints_FilesHoldExactlyTheFilteredRows()
    {
        var registry = new ConnectorRegistry()
            .AddAssembly(typeof(NexmarkConnectorFactory).Assembly)
            .AddAssembly(typeof(ConnectorRegistry).Assembly);
        var source = registry.CreateSource("events", null, new Dictionary<string, string>
        {
            ["connector"] = "nexmark",
            ["events.num"] = "1000",
            ["rate.limited"] = "true",
            ["first-event.rate"] = "2000",
            ["next-event.rate"] = "2000",
        });
        var output = Path.Combine(_dir, "persons");
        var sink = registry.CreateSink("persons", NexmarkSchema.Table, new Dictionary<string, string>
        {
            ["connector"] = "filesystem",
            ["path"] = output,
            ["format"] = "json",
        });
        var env = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = 2,
            Checkpoints = CheckpointOptions.InDirectory(Path.Combine(_dir, "checkpoints"), TimeSpan.FromMilliseconds(50)),
        });
        env.FromSource(source, name: "nexmark").Filter(static row => row.GetInt32(0) == 0, "persons only").SinkTo(sink, "files");

        var client = env.Start();
        await client.Completion.WaitAsync(s_timeout);

        client.LastCheckpointId.ShouldBeGreaterThanOrEqualTo(1, "checkpoints completed while the job ran");
        var lines = PartFileSink<Row>.CommittedFiles(output, ".jsonl").SelectMany(File.ReadLines).ToList();
        var ids = new List<long>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            json.RootElement.GetProperty("event_type").GetInt32().ShouldBe(0);
            json.RootElement.GetProperty("bid").ValueKind.ShouldBe(JsonValueKind.Null);
            ids.Add(json.RootElement.GetProperty("person").GetProperty("id").GetInt64());
        }
        // 1000 events with proportions 1:3:46: events 0, 50, …, 950 are persons, with ids from 1000 on.
        ids.Order().ShouldBe([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016, 1017, 1018, 1019]);
    }
}
