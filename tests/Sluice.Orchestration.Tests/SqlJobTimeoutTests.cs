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
        // One advance to the documented default: a timeout firing earlier or later shows in the error and end time.
        var (attempt, runner) = await TimeOutAsync(new DagBuilder("load").Task("load", Load).Build(), TimeSpan.FromHours(1));

        attempt.State.ShouldBe(AttemptState.TimedOut);
        attempt.Error.ShouldBe("timed out after 01:00:00 (the default sql_job timeout; set the task's `timeout`)");
        attempt.EndedAt.ShouldBe(s_jan1 + TimeSpan.FromHours(1));
        runner.Cancelled.ShouldBeTrue();
    }

    [Fact]
    public async Task SqlJob_NoTaskTimeout_UsesTheOptionsDefaultSqlJobTimeout()
    {
        var (attempt, _) = await TimeOutAsync(new DagBuilder("load").Task("load", Load).Build(), TimeSpan.FromMinutes(10), defaultTimeout: TimeSpan.FromMinutes(10));

        attempt.Error.ShouldBe("timed out after 00:10:00 (the default sql_job timeout; set the task's `timeout`)");
        attempt.EndedAt.ShouldBe(s_jan1 + TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task SqlJob_OwnTimeout_ErrorDoesNotBlameTheDefault()
    {
        var dag = new DagBuilder("load").Task("load", Load, t => t.Controls(TaskControls.Default with { Timeout = TimeSpan.FromMinutes(5) })).Build();

        var (attempt, _) = await TimeOutAsync(dag, TimeSpan.FromMinutes(5));

        attempt.State.ShouldBe(AttemptState.TimedOut);
        attempt.Error.ShouldBe("timed out after 00:05:00");
    }

    private static SqlJobAction Load => new("INSERT INTO t SELECT * FROM s");

    /// <summary>
    /// Triggers <paramref name="dag"/> (one task 'load') on a scheduler whose sql_job runner never ends, waits for the job
    /// to start, advances the clock by <paramref name="advance"/> and runs the scheduler until idle; returns the attempt.
    /// </summary>
    private static async Task<(TaskAttempt Attempt, EndlessRunner Runner)> TimeOutAsync(DagDefinition dag, TimeSpan advance, TimeSpan? defaultTimeout = null)
    {
        using var f = new SchedulerFixture(s_jan1);
        var runner = new EndlessRunner();
        var options = new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, SqlJobRunner = runner };
        await using var scheduler = new DagScheduler([dag], f.Store, defaultTimeout is { } timeout ? options with { DefaultSqlJobTimeout = timeout } : options);
        await scheduler.TriggerAsync("load", s_jan1);
        await scheduler.StepAsync();
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        f.Time.Advance(advance);
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        return (f.Store.ListTasks("load", s_jan1).Single().Attempts.Single(), runner);
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
