using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Lineage;
using Sluice.Server.Lineage;

namespace Sluice.Server.Tests.Lineage;

/// <summary>The server's lineage store: {data}/lineage/events.jsonl repaired, bounded and read back; the graph of every job.</summary>
public sealed class ServerLineageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-server-lineage-store-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string EventsPath => Path.Combine(_directory, "lineage", "events.jsonl");

    private ServerLineage Open() => new(EventsPath, NullLoggerFactory.Instance, NoLineageEmitter.Instance);

    private static RunEvent Event(RunEventType type, string job, bool withDatasets = false) => new()
    {
        EventType = type,
        EventTime = DateTimeOffset.UtcNow,
        Run = new LineageRun { RunId = LineageRun.NewRunId() },
        Job = LineageJobNames.Job("test", job, ProcessingType.Streaming, LineageJobTypes.Job),
        Inputs = withDatasets ? [DatasetNames.Kafka("broker:9092", job + "-in")] : [],
        Outputs = withDatasets ? [DatasetNames.File("/lake/" + job)] : [],
    };

    private static LineageGraphNode? JobNode(LineageGraph graph, string name) => graph.Nodes.SingleOrDefault(n => n.Kind == "job" && n.Name == name);

    [Fact]
    public async Task Startup_TornLastLine_IsCutSoTheNextEventIsReadBack()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(EventsPath)!);
        await File.WriteAllTextAsync(EventsPath, LineageJson.Serialize(Event(RunEventType.Start, "first")) + "\n{\"eventType\":\"COMPL");

        await using (var lineage = Open())
        {
            lineage.Emit(Event(RunEventType.Start, "second"));
        }
        await using var reopened = Open();

        reopened.Events().Select(e => e.Job.Name).ShouldBe(["first", "second"]);
    }

    [Fact]
    public async Task Startup_NullAndBrokenLines_AreSkipped()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(EventsPath)!);
        var valid = LineageJson.Serialize(Event(RunEventType.Start, "kept"));
        await File.WriteAllLinesAsync(EventsPath, ["null", valid.Replace("\"job\":{", "\"job\":null,\"x\":{", StringComparison.Ordinal), "[]", valid]);

        await using var lineage = Open();

        lineage.Events().ShouldHaveSingleItem().Job.Name.ShouldBe("kept");
    }

    [Fact]
    public async Task Graph_LongRunningJobOlderThanCapacityEvents_StaysWithItsDatasets()
    {
        await using (var lineage = Open())
        {
            lineage.Emit(Event(RunEventType.Start, "long-running", withDatasets: true));
            for (var i = 0; i <= ServerLineage.Capacity; i++)
            {
                lineage.Emit(Event(RunEventType.Complete, "busy"));
            }

            AssertLongRunningShown(lineage.Graph());
        }
        await using var reopened = Open();

        AssertLongRunningShown(reopened.Graph());

        static void AssertLongRunningShown(LineageGraph graph)
        {
            JobNode(graph, "long-running").ShouldNotBeNull().State.ShouldBe("START");
            graph.Edges.ShouldContain(new LineageGraphEdge("dataset:kafka://broker:9092/long-running-in", "job:test/long-running"));
            graph.Edges.ShouldContain(new LineageGraphEdge("job:test/long-running", "dataset:file//lake/long-running"));
        }
    }

    [Fact]
    public async Task Startup_FileLongerThanCapacity_IsCompactedKeepingEveryJob()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(EventsPath)!);
        var lines = new List<string> { LineageJson.Serialize(Event(RunEventType.Complete, "old", withDatasets: true)) };
        for (var i = 0; i < ServerLineage.Capacity + 500; i++)
        {
            lines.Add(LineageJson.Serialize(Event(RunEventType.Running, "busy")));
        }
        await File.WriteAllLinesAsync(EventsPath, lines);

        await using var lineage = Open();

        var kept = await File.ReadAllLinesAsync(EventsPath);
        kept.Length.ShouldBe(ServerLineage.Capacity + 1);
        kept[0].ShouldBe(lines[0]);
        kept[^1].ShouldBe(lines[^1]);
        File.Exists(EventsPath + ".tmp").ShouldBeFalse();
        JobNode(lineage.Graph(), "old").ShouldNotBeNull().State.ShouldBe("COMPLETE");
    }

    [Fact]
    public async Task Emit_FileGrowsPastTwiceCapacity_IsCompactedWhileRunning()
    {
        await using var lineage = Open();

        for (var i = 0; i < 2 * ServerLineage.Capacity + 10; i++)
        {
            lineage.Emit(Event(RunEventType.Running, "busy"));
        }

        File.ReadLines(EventsPath).Count().ShouldBeLessThanOrEqualTo(ServerLineage.Capacity + 10);
    }

    [Fact]
    public async Task Graph_NoNewEvent_ReturnsTheCachedGraph()
    {
        await using var lineage = Open();
        lineage.Emit(Event(RunEventType.Start, "a"));

        var first = lineage.Graph();
        lineage.Graph().ShouldBeSameAs(first);
        lineage.Emit(Event(RunEventType.Complete, "a"));

        var second = lineage.Graph();
        second.ShouldNotBeSameAs(first);
        JobNode(second, "a").ShouldNotBeNull().State.ShouldBe("COMPLETE");
    }

    [Fact]
    public void ForwardFromEnvironment_BadUrl_WarnsAndDoesNotForward()
    {
        var logs = new CollectingLoggerFactory();

        var forward = ServerLineage.ForwardFromEnvironment(logs, name => name == "OPENLINEAGE_URL" ? "ftp://lineage.example" : null);

        forward.ShouldBeSameAs(NoLineageEmitter.Instance);
        logs.Entries.ShouldHaveSingleItem().Message.ShouldContain("OPENLINEAGE_URL");
    }
}
