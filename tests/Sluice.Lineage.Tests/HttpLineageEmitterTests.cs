using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Lineage;

namespace Sluice.Lineage.Tests;

/// <summary>The HTTP transport against a real Kestrel endpoint on 127.0.0.1 (one class: the failure counter is process-wide).</summary>
public sealed class HttpLineageEmitterTests : IAsyncLifetime
{
    private const string ApiKey = "sk-lineage-secret-7f3a";
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<(string Path, string? Authorization, string Body)> _received = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failuresLeft;
    private int _refuseWith;
    private int _requests;
    private bool _blockUntilGate;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpContext context) =>
        {
            if (_blockUntilGate)
            {
                await _gate.Task;
            }
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref _requests);
            if (_refuseWith != 0)
            {
                return Results.StatusCode(_refuseWith);
            }
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                return Results.StatusCode(503);
            }
            _received.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.ToString(), body));
            return Results.Created();
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        await _app.DisposeAsync();
    }

    private Uri Url => new(_app.Urls.Single());

    [Fact]
    public async Task Emit_ThenDispose_PostsEachEventWithBearerKey()
    {
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = Url, ApiKey = ApiKey });
        var start = FileLineageEmitterTests.Event(RunEventType.Start, "job-a");

        emitter.Emit(start);
        emitter.Emit(start with { EventType = RunEventType.Complete });
        await emitter.DisposeAsync();

        var received = _received.ToArray();
        received.Length.ShouldBe(2);
        received.ShouldAllBe(r => r.Path == "/api/v1/lineage" && r.Authorization == "Bearer " + ApiKey);
        received.Select(r => LineageJson.Deserialize(r.Body).EventType).ShouldBe([RunEventType.Start, RunEventType.Complete]);
    }

    [Fact]
    public async Task Emit_ServerFailsTwice_RetriesAndDelivers()
    {
        _failuresLeft = 2;
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = Url, MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(10) });

        emitter.Emit(FileLineageEmitterTests.Event(RunEventType.Start, "job-b"));
        await emitter.DisposeAsync();

        _received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Emit_ServerAlwaysFails_CountsAndLogsWithoutSecrets()
    {
        _failuresLeft = int.MaxValue;
        using var failures = new FailureCounter();
        var logs = new CollectingLoggerFactory();
        var url = new Uri($"http://lineage-user:pa55word@{Url.Authority}/base/?token=q-secret");
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = url, ApiKey = ApiKey, MaxAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(5) }, logs);

        emitter.Emit(FileLineageEmitterTests.Event(RunEventType.Fail, "job-c"));
        await emitter.DisposeAsync();

        failures.Value.ShouldBe(1);
        _received.ShouldBeEmpty();
        var warning = logs.Entries.ShouldHaveSingleItem();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.Message.ShouldContain("job-c");
        warning.Message.ShouldContain("HTTP 503");
        warning.Message.ShouldContain($"{Url.Authority}/base/api/v1/lineage");
        foreach (var secret in new[] { ApiKey, "pa55word", "lineage-user", "q-secret" })
        {
            warning.Message.ShouldNotContain(secret);
            emitter.Endpoint.ShouldNotContain(secret);
        }
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(413)]
    public async Task Emit_ServerRefusesRequest_DropsWithoutRetrying(int status)
    {
        _refuseWith = status;
        var logs = new CollectingLoggerFactory();
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = Url, MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(5) }, logs);

        emitter.Emit(FileLineageEmitterTests.Event(RunEventType.Start, "job-r"));
        await emitter.DisposeAsync();

        Volatile.Read(ref _requests).ShouldBe(1);
        logs.Entries.ShouldHaveSingleItem().Message.ShouldContain($"HTTP {status}");
    }

    [Fact]
    public async Task Emit_BaseUrlWithQuery_KeepsTheQueryButNeverShowsIt()
    {
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = new Uri($"http://{Url.Authority}/base?key=q-secret") });

        emitter.Emit(FileLineageEmitterTests.Event(RunEventType.Start, "job-q"));
        await emitter.DisposeAsync();

        _received.ShouldHaveSingleItem().Path.ShouldBe("/base/api/v1/lineage?key=q-secret");
        emitter.Endpoint.ShouldBe($"http://{Url.Authority}/base/api/v1/lineage");
    }

    [Theory]
    [InlineData("http://collector.example/steal")]
    [InlineData("//collector.example/steal")]
    [InlineData("api/v1/lineage?token=x")]
    public void Constructor_EndpointPathNotRelative_IsRefused(string endpointPath)
    {
        var error = Should.Throw<ArgumentException>(() => new HttpLineageEmitter(new HttpLineageOptions { Url = Url, EndpointPath = endpointPath }));

        error.Message.ShouldContain("OPENLINEAGE_ENDPOINT");
        error.Message.ShouldNotContain("token=x");
    }

    [Fact]
    public async Task DisposeAsync_Twice_IsIdempotentAndLaterEmitsAreDropped()
    {
        using var failures = new FailureCounter();
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = Url });
        await emitter.DisposeAsync();

        await emitter.DisposeAsync();
        emitter.Emit(FileLineageEmitterTests.Event(RunEventType.Start, "job-late"));

        failures.Value.ShouldBe(1);
        _received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Emit_ServerHangs_NeverBlocksAndDropsWhatOverflows()
    {
        _blockUntilGate = true;
        using var failures = new FailureCounter();
        var emitter = new HttpLineageEmitter(new HttpLineageOptions { Url = Url, QueueCapacity = 4, DrainTimeout = TimeSpan.FromMilliseconds(200) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 50; i++)
        {
            emitter.Emit(FileLineageEmitterTests.Event(RunEventType.Running, $"job-{i}"));
        }
        var emitTime = clock.Elapsed;
        await emitter.DisposeAsync();

        emitTime.ShouldBeLessThan(TimeSpan.FromSeconds(1)); // 50 emits against a hung server: queued or dropped, never waited on
        failures.Value.ShouldBe(50); // one in flight, 4 queued, 45 rejected: every one dropped by the drain timeout or the full queue
        _received.ShouldBeEmpty();
    }

    private sealed class FailureCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value;

        public FailureCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "sluice.lineage.events.failed")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "transport" && (string?)tag.Value == "http")
                    {
                        Interlocked.Add(ref _value, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Value => Interlocked.Read(ref _value);

        public void Dispose() => _listener.Dispose();
    }
}
