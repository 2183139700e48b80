using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>A <c>sql_job</c> task whose job never finishes (a runner that waits for its token) and the default timeout.</summary>
public sealed class SqlJobTimeoutTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SqlJob_NoTaskTimeoutAndJobNeverEnds_CancelledAfterTheDefaultAndTimedOut()
    {
        using var f = new SchedulerFixture(s_jan1);
        var runner = new EndlessRunner();
        var dag = new DagBuilder("load").Task("load", new SqlJobAction("INSERT INTO t SELECT * FROM s")).Build();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            SqlJobRunner = runner,
        });
        await scheduler.TriggerAsync("load", s_jan1);
        await scheduler.StepAsync();
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // One advance to the documented default: a timeout firing earlier or later shows in the error and end time.
        f.Time.Advance(TimeSpan.FromHours(1));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var attempt = f.Store.ListTasks("load", s_jan1).Single().Attempts.Single();
        attempt.State.ShouldBe(AttemptState.TimedOut);
        attempt.Error.ShouldBe("timed out after 01:00:00 (the default sql_job timeout; set the task's `timeout`)");
        attempt.EndedAt.ShouldBe(s_jan1 + TimeSpan.FromHours(1));
        runner.Cancelled.ShouldBeTrue();
    }

    [Fact]
    public async Task SqlJob_NoTaskTimeout_UsesTheOptionsDefaultSqlJobTimeout()
    {
        using var f = new SchedulerFixture(s_jan1);
        var runner = new EndlessRunner();
        var dag = new DagBuilder("load").Task("load", new SqlJobAction("INSERT INTO t SELECT * FROM s")).Build();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            SqlJobRunner = runner,
            DefaultSqlJobTimeout = TimeSpan.FromMinutes(10),
        });
        await scheduler.TriggerAsync("load", s_jan1);
        await scheduler.StepAsync();
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        f.Time.Advance(TimeSpan.FromMinutes(10));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var attempt = f.Store.ListTasks("load", s_jan1).Single().Attempts.Single();
        attempt.Error.ShouldBe("timed out after 00:10:00 (the default sql_job timeout; set the task's `timeout`)");
        attempt.EndedAt.ShouldBe(s_jan1 + TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task SqlJob_OwnTimeout_ErrorDoesNotBlameTheDefault()
    {
        using var f = new SchedulerFixture(s_jan1);
        var runner = new EndlessRunner();
        var dag = new DagBuilder("load")
            .Task("load", new SqlJobAction("INSERT INTO t SELECT * FROM s"), t => t.Controls(TaskControls.Default with { Timeout = TimeSpan.FromMinutes(5) }))
            .Build();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            SqlJobRunner = runner,
        });
        await scheduler.TriggerAsync("load", s_jan1);
        await scheduler.StepAsync();
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        f.Time.Advance(TimeSpan.FromMinutes(5));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var attempt = f.Store.ListTasks("load", s_jan1).Single().Attempts.Single();
        attempt.State.ShouldBe(AttemptState.TimedOut);
        attempt.Error.ShouldBe("timed out after 00:05:00");
    }

    [Fact]
    public async Task Options_DefaultSqlJobTimeoutAboveTheTaskMaximum_RefusedNamingTheOption()
    {
        using var f = new SchedulerFixture(s_jan1);

        var e = Should.Throw<ArgumentOutOfRangeException>(() => new DagScheduler([], f.Store, new DagSchedulerOptions { DefaultSqlJobTimeout = TimeSpan.MaxValue }));
        e.ParamName.ShouldBe("DefaultSqlJobTimeout");
        e.Message.ShouldContain("DagSchedulerOptions.DefaultSqlJobTimeout must be above 0 and at most 49 days");
        // The maximum itself is accepted (the same bound as a task's 'timeout').
        await using var accepted = new DagScheduler([], f.Store, new DagSchedulerOptions { DefaultSqlJobTimeout = TimeSpan.FromDays(49) });
    }

    [Fact]
    public void Options_NonPositiveDefaultSqlJobTimeout_Refused()
    {
        using var f = new SchedulerFixture(s_jan1);

        Should.Throw<ArgumentOutOfRangeException>(() => new DagScheduler([], f.Store, new DagSchedulerOptions { DefaultSqlJobTimeout = TimeSpan.Zero }));
    }
}
