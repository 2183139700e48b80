using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Execution;

/// <summary><see cref="JobRegistry"/>: jobs by id, their events, and ended jobs kept until removed.</summary>
public sealed class JobRegistryTests
{
    private readonly JobRegistry _registry = new();

    [Fact]
    public async Task Submit_BoundedJob_RaisesAddedThenEveryStatusChange_AndKeepsTheEndedJob()
    {
        var events = new List<string>();
        var finished = new TaskCompletionSource<JobStatusChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        _registry.JobAdded += job => events.Add($"added {job.Status}");
        _registry.JobStatusChanged += change =>
        {
            events.Add($"{change.OldStatus}->{change.NewStatus}");
            if (change.NewStatus.IsTerminal())
            {
                finished.TrySetResult(change);
            }
        };

        var client = _registry.Submit(Bounded("bounded"));

        (await finished.Task.OrTimeout()).Job.ShouldBeSameAs(client);
        events.ShouldBe(["added Created", "Created->Running", "Running->Finished"]);
        _registry.TryGet(client.Id, out var found).ShouldBeTrue();
        found.ShouldBeSameAs(client);
        _registry.List().ShouldBe([client], "an ended job stays listed until removed");
    }

    [Fact]
    public async Task List_SeveralJobs_InSubmissionOrderWithDistinctIds()
    {
        var first = _registry.Submit(Bounded("first"));
        var second = _registry.Submit(Bounded("second"));
        await Task.WhenAll(first.Completion, second.Completion).OrTimeout();

        _registry.List().Select(j => j.JobName).ShouldBe(["first", "second"]);
        first.Id.ShouldNotBe(second.Id);
    }

    [Fact]
    public async Task Remove_EndedJob_ForgetsItAndRaisesRemoved()
    {
        var client = _registry.Submit(Bounded("bounded"));
        await client.Completion.OrTimeout();
        JobClient? removed = null;
        _registry.JobRemoved += job => removed = job;

        _registry.Remove(client.Id).ShouldBeTrue();

        removed.ShouldBeSameAs(client);
        _registry.TryGet(client.Id, out _).ShouldBeFalse();
        _registry.List().ShouldBeEmpty();
        _registry.Remove(client.Id).ShouldBeFalse("it is gone");
    }

    [Fact]
    public async Task Remove_RunningJob_ThrowsAndKeepsIt()
    {
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 10 };
        var env = StreamEnvironment.Create(new JobOptions { JobName = "endless" });
        env.FromSource(source, name: "Endless").Collect();
        var client = _registry.Submit(env);
        source.Paused.WaitOrFail("the source to reach 10");

        Should.Throw<InvalidOperationException>(() => _registry.Remove(client.Id)).Message.ShouldContain("is Running");

        _registry.TryGet(client.Id, out _).ShouldBeTrue();
        client.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        _registry.Remove(client.Id).ShouldBeTrue();
    }

    [Fact]
    public void Submit_BeforeRunThrows_TheJobIsNotListedAndNeverRuns()
    {
        JobClient? submitted = null;

        Should.Throw<InvalidOperationException>(() => _registry.Submit(Bounded("bad"), job =>
        {
            submitted = job;
            throw new InvalidOperationException("setup failed");
        }));

        _registry.List().ShouldBeEmpty();
        submitted.ShouldNotBeNull().Status.ShouldBe(JobStatus.Created);
    }

    [Fact]
    public void JobId_ParseOfToString_RoundTrips()
    {
        var client = _registry.Submit(Bounded("bounded"));

        JobId.Parse(client.Id.ToString()).ShouldBe(client.Id);
        client.Id.ToString().Length.ShouldBe(32);
    }

    private static StreamEnvironment Bounded(string name)
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = name });
        env.FromCollection(Enumerable.Range(0, 10)).Collect();
        return env;
    }
}
