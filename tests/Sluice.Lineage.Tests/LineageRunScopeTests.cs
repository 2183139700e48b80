using System.Collections.Concurrent;
using Sluice.Lineage;

namespace Sluice.Lineage.Tests;

public sealed class LineageRunScopeTests
{
    private sealed class CollectingEmitter : ILineageEmitter
    {
        public ConcurrentQueue<RunEvent> Events { get; } = new();

        public void Emit(RunEvent runEvent) => Events.Enqueue(runEvent);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public void StartThenFail_EmitsOneStartAndOneFailWithTheErrorAndParent()
    {
        var emitter = new CollectingEmitter();
        var dag = LineageRunScope.Start(emitter, LineageJobNames.Job("ns", "nightly", ProcessingType.Batch, LineageJobTypes.Dag), [], []);
        var input = DatasetNames.Kafka("b:9092", "in");

        var task = LineageRunScope.Start(emitter, LineageJobNames.Job("ns", "nightly.load", ProcessingType.Batch, LineageJobTypes.Task), [input], [], dag.AsParent());
        task.Fail(new InvalidOperationException("table locked"));
        task.Complete();

        var events = emitter.Events.Where(e => e.Run.RunId == task.RunId).ToList();
        events.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Fail]);
        events[1].Run.Facets.ErrorMessage!.Message.ShouldBe("table locked");
        events[1].Run.Facets.ErrorMessage!.StackTrace!.ShouldStartWith("System.InvalidOperationException: table locked");
        events[0].Run.Facets.ErrorMessage.ShouldBeNull();
        events.ShouldAllBe(e => e.Run.Facets.Parent!.Run.RunId == dag.RunId && e.Run.Facets.Parent.Job.Name == "nightly");
        events.ShouldAllBe(e => e.Inputs.Single() == input);
        task.HasEnded.ShouldBeTrue();
        dag.HasEnded.ShouldBeFalse();
    }

    [Fact]
    public void Complete_WithOutputs_ReplacesTheStartOutputs()
    {
        var emitter = new CollectingEmitter();
        var table = DatasetNames.DuckDb("/w.duckdb", "main", "t");
        var scope = LineageRunScope.Start(emitter, LineageJobNames.Job("ns", "m", ProcessingType.Batch, LineageJobTypes.Model), [], [table]);

        scope.Complete([table.WithSchema([new SchemaField("id", "INTEGER")])]);

        var events = emitter.Events.ToArray();
        events[0].Outputs.Single().Facets.Schema.ShouldBeNull();
        events[1].Outputs.Single().Facets.Schema!.Fields.ShouldBe([new SchemaField("id", "INTEGER")]);
    }
}
