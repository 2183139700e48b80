using System.Collections.Concurrent;
using Sluice.Lineage;
using Sluice.Runtime.Tests.Support;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>A job with <see cref="JobOptions.Lineage"/> reports its run: START, then COMPLETE or FAIL, with its file datasets.</summary>
public sealed class JobLineageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-job-lineage-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public sealed record Line(int N);

    private sealed class CollectingEmitter : ILineageEmitter
    {
        public ConcurrentQueue<RunEvent> Events { get; } = new();

        public void Emit(RunEvent runEvent) => Events.Enqueue(runEvent);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task BoundedJob_Finishes_EmitsStartThenCompleteWithItsFileDatasets()
    {
        var input = Path.Combine(_root, "in.jsonl");
        await File.WriteAllLinesAsync(input, ["{\"n\":1}", "{\"n\":2}"]);
        var output = Path.Combine(_root, "out");
        var emitter = new CollectingEmitter();
        var env = StreamEnvironment.Create(new JobOptions { JobName = "copy-lines", Lineage = emitter, LineageNamespace = "tests" });
        env.FromSource(new JsonLinesFileSource<Line>(input)).Map(l => l with { N = l.N * 2 }).SinkTo(new JsonLinesDirectorySink<Line>(output));

        await env.ExecuteAsync().OrTimeout();

        var events = emitter.Events.ToArray();
        events.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Complete]);
        events.Select(e => e.Run.RunId).Distinct().Count().ShouldBe(1);
        foreach (var e in events)
        {
            (e.Job.Namespace, e.Job.Name).ShouldBe(("tests", "copy-lines"));
            e.Job.Facets.JobType!.ProcessingType.ShouldBe(ProcessingType.Batch);
            e.Job.Facets.JobType.JobType.ShouldBe("JOB");
            e.Inputs.Select(d => d.ToString()).ShouldBe(["file/" + input]);
            e.Outputs.Select(d => d.ToString()).ShouldBe(["file/" + output]);
        }
    }

    [Fact]
    public async Task FailingJob_EmitsFailWithTheError()
    {
        var emitter = new CollectingEmitter();
        var env = StreamEnvironment.Create(new JobOptions { JobName = "divide", Lineage = emitter, Mode = ExecutionMode.Deterministic });
        env.FromCollection(new[] { 1, 0 }).Map(i => 10 / i, "Divide").Collect();

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        var events = emitter.Events.ToArray();
        events.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Fail]);
        var facet = events[1].Run.Facets.ErrorMessage.ShouldNotBeNull();
        facet.Message.ShouldBe(error.Message);
        facet.Message.ShouldContain("'Divide'");
        facet.StackTrace.ShouldNotBeNull().ShouldContain("DivideByZeroException");
        events[1].Inputs.ShouldBeEmpty(); // a collection source names no dataset
    }

    [Fact]
    public async Task UnboundedJob_Stopped_IsStreamingAndCompletes()
    {
        var emitter = new CollectingEmitter();
        var env = StreamEnvironment.Create(new JobOptions { JobName = "endless", Lineage = emitter });
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.FromSource(new AsyncEnumerableSource<int>(Endless(), isBounded: false)).Map(i =>
        {
            first.TrySetResult();
            return i;
        }).Collect();
        var client = env.Start();
        await first.Task.OrTimeout();

        await client.StopAsync().OrTimeout();

        var events = emitter.Events.ToArray();
        events.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Complete]);
        events[0].Job.Facets.JobType!.ProcessingType.ShouldBe(ProcessingType.Streaming);
    }

    private static async IAsyncEnumerable<int> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            yield return i;
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_BlankLineageNamespace_IsRefusedBeforeTheJobRuns(string lineageNamespace)
    {
        var options = new JobOptions { Lineage = new CollectingEmitter(), LineageNamespace = lineageNamespace };

        Should.Throw<ArgumentException>(options.Validate).ParamName.ShouldBe(nameof(JobOptions.LineageNamespace));
    }
}
