using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Checkpoints;
using Sluice.Hosting;
using Sluice.Sinks;
using Sluice.Windowing;

namespace Sluice.Hosting.Tests;

/// <summary>
/// <c>AddSluice</c>/<c>AddSluiceJob</c> in a real generic host: jobs start with the host, log through the host's
/// logging, report to the <see cref="JobRegistry"/>, and stop with the host. Waits are on registry events and host
/// signals, never sleeps.
/// </summary>
public sealed class SluiceHostTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-hosting-" + Guid.NewGuid().ToString("N"));
    private readonly CollectingLoggerFactory _logs = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Host_BoundedJob_RunsToFinishedWithTheHostsLogging()
    {
        var builder = NewBuilder();
        builder.Services.AddSluice();
        CollectSink<int>? sink = null;
        builder.Services.AddSluiceJob("doubler", _ => new JobOptions { JobName = "replaced", Parallelism = 2 },
            (_, env) => sink = env.FromCollection(Enumerable.Range(0, 100)).Map(x => x * 2).Collect());
        using var host = builder.Build();
        var registry = host.Services.GetRequiredService<JobRegistry>();
        var ended = EndOf(registry);

        await host.StartAsync();
        var change = await ended.WaitAsync(s_timeout);
        await host.StopAsync();

        change.NewStatus.ShouldBe(JobStatus.Finished);
        change.Job.JobName.ShouldBe("doubler", "the registration names the job");
        registry.List().ShouldBe([change.Job], "an ended job stays listed");
        sink.ShouldNotBeNull().Items.Order().ShouldBe(Enumerable.Range(0, 100).Select(x => x * 2));
        _logs.WithEventId(1000).ShouldHaveSingleItem().Message.ShouldStartWith($"Job 'doubler' ({change.Job.Id}) started: ", Case.Sensitive,
            "the job logs through the host's logger factory");
        _logs.WithEventId(3000).ShouldHaveSingleItem().Category.ShouldBe("Sluice.Hosting");
    }

    [Fact]
    public async Task Host_Shutdown_StopsAnUnboundedJobByDraining()
    {
        var builder = NewBuilder();
        builder.Services.AddSluice();
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        CollectSink<long>? sink = null;
        builder.Services.AddSluiceJob("endless", (_, env) => sink = HourlyCount(env, source));
        using var host = builder.Build();
        var registry = host.Services.GetRequiredService<JobRegistry>();
        var ended = EndOf(registry);
        await host.StartAsync();
        source.Paused.Wait(s_timeout).ShouldBeTrue("the source should reach 100");

        await host.StopAsync();

        var change = await ended.WaitAsync(s_timeout);
        change.NewStatus.ShouldBe(JobStatus.Finished, "stopped without checkpointing: nothing kept to resume from");
        sink.ShouldNotBeNull().Items.ShouldBe([100L], "draining fired the pending window");
        _logs.WithEventId(3003).ShouldHaveSingleItem().Message.ShouldBe("Stopping 1 hosted jobs (Drain).");
    }

    [Fact]
    public async Task Host_ShutdownModeSuspend_JobEndsSuspendedAndTheNextHostResumesIt()
    {
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        CollectSink<long>? first = null;
        var builder = NewBuilder();
        builder.Services.AddSluice(o => o.ShutdownMode = JobShutdownMode.Suspend);
        builder.Services.AddSluiceJob("suspended", _ => CheckpointedOptions(), (_, env) => first = HourlyCount(env, source));
        using (var host = builder.Build())
        {
            var ended = EndOf(host.Services.GetRequiredService<JobRegistry>());
            await host.StartAsync();
            source.Paused.Wait(s_timeout).ShouldBeTrue("the source should reach 100");

            await host.StopAsync();

            (await ended.WaitAsync(s_timeout)).NewStatus.ShouldBe(JobStatus.Suspended);
            first.ShouldNotBeNull().Items.ShouldBeEmpty("the window stays pending, in the final checkpoint");
        }

        var again = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        CollectSink<long>? second = null;
        var next = NewBuilder();
        next.Services.AddSluice();
        next.Services.AddSluiceJob("suspended", _ => CheckpointedOptions(), (_, env) => second = HourlyCount(env, again));
        using (var host = next.Build())
        {
            var ended = EndOf(host.Services.GetRequiredService<JobRegistry>());
            await host.StartAsync();
            again.Paused.Wait(s_timeout).ShouldBeTrue("the restored source is at 100 already");

            await host.StopAsync();

            (await ended.WaitAsync(s_timeout)).NewStatus.ShouldBe(JobStatus.Suspended);
            second.ShouldNotBeNull().Items.ShouldBe([100L], "the restored window held the first run's 100 records; this drain fired it");
        }
    }

    [Fact]
    public async Task Host_JobFails_TheJobIsFailedAndLoggedAndTheHostKeepsRunning()
    {
        var builder = NewBuilder();
        builder.Services.AddSluice();
        builder.Services.AddSluiceJob("divide", (_, env) => env.FromCollection(new[] { 1, 0 }).Map(i => 10 / i, "Divide").Collect());
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var ended = EndOf(host.Services.GetRequiredService<JobRegistry>());

        await host.StartAsync();
        var change = await ended.WaitAsync(s_timeout);
        await Should.ThrowAsync<JobExecutionException>(() => change.Job.Completion.WaitAsync(s_timeout)); // every handler has run

        change.NewStatus.ShouldBe(JobStatus.Failed);
        lifetime.ApplicationStopping.IsCancellationRequested.ShouldBeFalse();
        var warning = _logs.WithEventId(3001).ShouldHaveSingleItem();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.Message.ShouldContain($"Hosted job 'divide' ({change.Job.Id}) failed; the host keeps running");
        _logs.WithEventId(1005).ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Error, "the runtime logs the failure itself");
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_JobFailsWithStopApplicationOnJobFailure_StopsTheApplication()
    {
        var builder = NewBuilder();
        builder.Services.AddSluice(o => o.StopApplicationOnJobFailure = true);
        builder.Services.AddSluiceJob("divide", (_, env) => env.FromCollection(new[] { 0 }).Map(i => 10 / i, "Divide").Collect());
        using var host = builder.Build();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());

        await host.StartAsync();
        await stopping.Task.WaitAsync(s_timeout);

        _logs.WithEventId(3002).ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Critical);
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_JobDoesNotStopWithinTheShutdownTimeout_IsCancelled()
    {
        var builder = NewBuilder();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        builder.Services.AddSluice();
        var held = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        builder.Services.AddSluiceJob("stuck", (_, env) => env.FromSource(new PausableRangeSource(long.MaxValue), name: "Endless").Map(v =>
        {
            held.Set();
            release.Wait();
            return v;
        }).Collect());
        using var host = builder.Build();
        var registry = host.Services.GetRequiredService<JobRegistry>();
        var ended = EndOf(registry);
        await host.StartAsync();
        held.Wait(s_timeout).ShouldBeTrue("the job's task should be held");

        await host.StopAsync();

        var job = registry.List().ShouldHaveSingleItem();
        job.Status.ShouldBe(JobStatus.Cancelling, "the task is still held in user code");
        _logs.WithEventId(3004).ShouldHaveSingleItem().Message.ShouldStartWith($"Hosted job 'stuck' ({job.Id}) did not stop within the host's shutdown timeout");
        release.Set();
        (await ended.WaitAsync(s_timeout)).NewStatus.ShouldBe(JobStatus.Cancelled);
    }

    [Fact]
    public async Task Host_JobBuildThrows_StartFailsNamingTheJobAndNoJobRuns()
    {
        var builder = NewBuilder();
        builder.Services.AddSluiceJob("fine", (_, env) => env.FromCollection(new[] { 1 }).Collect());
        builder.Services.AddSluiceJob("broken", (_, _) => throw new InvalidOperationException("no such topic"));
        using var host = builder.Build();

        var error = await Should.ThrowAsync<InvalidOperationException>(() => host.StartAsync());

        error.Message.ShouldBe("Sluice job 'broken' could not be built: no such topic");
        host.Services.GetRequiredService<JobRegistry>().List().ShouldBeEmpty("jobs are built first and submitted only when all built");
    }

    [Fact]
    public void AddSluiceJob_NameTakenAlready_Throws()
    {
        var services = new ServiceCollection();
        services.AddSluiceJob("orders", (_, env) => env.FromCollection(new[] { 1 }).Collect());

        Should.Throw<ArgumentException>(() => services.AddSluiceJob("orders", (_, env) => env.FromCollection(new[] { 2 }).Collect()))
            .Message.ShouldStartWith("A Sluice job named 'orders' is already registered");
    }

    [Fact]
    public void AddSluice_Twice_RegistersOneRegistryAndOneHostedService()
    {
        var services = new ServiceCollection();
        services.AddSluice().AddSluice();

        services.Count(d => d.ServiceType == typeof(JobRegistry)).ShouldBe(1);
        services.Count(d => d.ServiceType == typeof(IHostedService)).ShouldBe(1);
    }

    private HostApplicationBuilder NewBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(_logs).SetMinimumLevel(LogLevel.Debug);
        return builder;
    }

    private JobOptions CheckpointedOptions() => new() { Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) };

    /// <summary>Counts the source's records per hour of event time (timestamp = value, in ms): one pending window until a drain.</summary>
    private static CollectSink<long> HourlyCount(StreamEnvironment env, PausableRangeSource source) =>
        env.FromSource(source, WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.Zero), "Range").Uid("range")
            .KeyBy(static _ => 0)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromHours(1)))
            .Aggregate(new Count(), static (_, _, count) => count).Uid("hourly")
            .Collect();

    /// <summary>Completes with the first terminal status change of any job in <paramref name="registry"/>.</summary>
    private static Task<JobStatusChange> EndOf(JobRegistry registry)
    {
        var ended = new TaskCompletionSource<JobStatusChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.JobStatusChanged += change =>
        {
            if (change.NewStatus.IsTerminal())
            {
                ended.TrySetResult(change);
            }
        };
        return ended.Task;
    }

    private sealed class Count : IAggregateFunction<long, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, long value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }
}
