using System.Net;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>An <c>http</c> task against a real local server that accepts the request and never answers.</summary>
public sealed class HttpTaskTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task HttpTask_NoTimeoutAndNoAnswer_CancelledAfterTheDefaultTimeoutAndTimedOut()
    {
        using var f = new SchedulerFixture(s_jan1);
        using var server = new SilentServer();
        var dag = new DagBuilder("call").Task("call", new HttpAction("GET", server.Url)).Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("call", s_jan1);
        await scheduler.StepAsync();
        var request = await server.NextRequestAsync();

        // One advance: the error names the timeout that fired and the end time is when the clock reached it, so an
        // earlier or later timeout shows without racing a check in between.
        f.Time.Advance(TimeSpan.FromMinutes(5));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var attempt = f.Store.ListTasks("call", s_jan1).Single().Attempts.Single();
        attempt.State.ShouldBe(AttemptState.TimedOut);
        attempt.Error.ShouldBe("timed out after 00:05:00");
        attempt.EndedAt.ShouldBe(s_jan1 + TimeSpan.FromMinutes(5));
        f.Store.GetRun("call", s_jan1)!.State.ShouldBe(DagRunState.Failed);
        request.Response.Abort();
    }

    [Fact]
    public async Task HttpTask_NoTaskTimeout_UsesTheOptionsDefaultHttpTimeout()
    {
        using var f = new SchedulerFixture(s_jan1);
        using var server = new SilentServer();
        var dag = new DagBuilder("call").Task("call", new HttpAction("GET", server.Url)).Build();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            DefaultHttpTimeout = TimeSpan.FromSeconds(30),
        });
        await scheduler.TriggerAsync("call", s_jan1);
        await scheduler.StepAsync();
        var request = await server.NextRequestAsync();

        f.Time.Advance(TimeSpan.FromSeconds(30));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var attempt = f.Store.ListTasks("call", s_jan1).Single().Attempts.Single();
        attempt.Error.ShouldBe("timed out after 00:00:30");
        attempt.EndedAt.ShouldBe(s_jan1 + TimeSpan.FromSeconds(30));
        request.Response.Abort();
    }

    [Fact]
    public void Options_DefaultHttpTimeoutAboveTheTaskMaximum_RefusedNamingTheOption()
    {
        using var f = new SchedulerFixture(s_jan1);

        var e = Should.Throw<ArgumentOutOfRangeException>(() => new DagScheduler([], f.Store, new DagSchedulerOptions { DefaultHttpTimeout = TimeSpan.MaxValue }));
        e.ParamName.ShouldBe("DefaultHttpTimeout");
        e.Message.ShouldContain("DagSchedulerOptions.DefaultHttpTimeout must be above 0 and at most 49 days");
    }

    [Fact]
    public void Options_NonPositiveDefaultHttpTimeout_Refused()
    {
        using var f = new SchedulerFixture(s_jan1);

        Should.Throw<ArgumentOutOfRangeException>(() => new DagScheduler([], f.Store, new DagSchedulerOptions { DefaultHttpTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public async Task HttpTask_TaskTimeout_TakesPrecedenceOverTheDefault()
    {
        using var f = new SchedulerFixture(s_jan1);
        using var server = new SilentServer();
        var dag = new DagBuilder("call").Task("call", new HttpAction("POST", server.Url) { Body = "{}" }, t => t.Timeout(TimeSpan.FromSeconds(10))).Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("call", s_jan1);
        await scheduler.StepAsync();
        var request = await server.NextRequestAsync();

        f.Time.Advance(TimeSpan.FromSeconds(10));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        f.Store.ListTasks("call", s_jan1).Single().Attempts.Single().Error.ShouldBe("timed out after 00:00:10");
        request.Response.Abort();
    }

    [Fact]
    public async Task Dispose_WhileARequestHangs_CancelsItAndTheAttemptStaysRunningForTheNextScheduler()
    {
        using var f = new SchedulerFixture(s_jan1);
        using var server = new SilentServer();
        var dag = new DagBuilder("call").Task("call", new HttpAction("GET", server.Url)).Build();
        var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("call", s_jan1);
        await scheduler.StepAsync();
        var request = await server.NextRequestAsync();

        await scheduler.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        f.Store.ListTasks("call", s_jan1).Single().Attempts.Single().State.ShouldBe(AttemptState.Running);
        request.Response.Abort();
    }

    [Fact]
    public async Task JobSavepointOverHttp_ListsTheJobsWithTheTokenToo()
    {
        using var f = new SchedulerFixture(s_jan1);
        using var server = new SilentServer();
        var variable = "SLUICE_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "token-of-the-test-42");
        try
        {
            var dag = new DagBuilder("save").Task("save", new JobSavepointAction("endless") { ServerUrl = server.BaseUrl, TokenVariable = variable }).Build();
            await using var scheduler = f.Scheduler(dag);
            await scheduler.TriggerAsync("save", s_jan1);
            await scheduler.StepAsync();

            // A server reached from another host answers reads only with the token: the list of jobs must carry it.
            var list = await server.NextRequestAsync();
            (list.Request.HttpMethod, list.Request.Url!.AbsolutePath).ShouldBe(("GET", "/api/jobs"));
            list.Request.Headers["Authorization"].ShouldBe("Bearer token-of-the-test-42");
            list.Response.StatusCode = 401;
            list.Response.Close();
            await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

            var attempt = f.Store.ListTasks("save", s_jan1).Single().Attempts.Single();
            attempt.Error.ShouldNotBeNull().ShouldContain("answered 401 to the list of its jobs");
            attempt.Error.ShouldNotContain("token-of-the-test-42");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>An HTTP server on 127.0.0.1 that takes requests and answers none (until the test aborts them).</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly HttpListener _listener;

        public SilentServer()
        {
            (_listener, var port) = LoopbackHttpListener.Start();
            BaseUrl = $"http://127.0.0.1:{port}/";
            Url = BaseUrl + "hang";
        }

        public string BaseUrl { get; }

        public string Url { get; }

        public Task<HttpListenerContext> NextRequestAsync() => _listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(20));

        public void Dispose() => _listener.Close();
    }
}
