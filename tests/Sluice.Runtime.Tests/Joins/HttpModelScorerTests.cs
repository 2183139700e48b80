using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Connectors;
using Sluice.Connectors.Http;
using Sluice.Runtime.Tests.Support;
using Sluice.Schemas;

namespace Sluice.Runtime.Tests.Joins;

/// <summary>
/// <see cref="HttpModelScorer"/> on the async lookup machinery, against a model service running in the test (Kestrel on
/// 127.0.0.1, port 0): batching, exact scores, retries of an unavailable service, the timeout policy, and a refused request.
/// </summary>
public sealed class HttpModelScorerTests : IAsyncLifetime
{
    private static readonly Schema s_features = new([new Field("amount", DataType.Double), new Field("count", DataType.BigInt)]);
    private readonly ConcurrentQueue<int> _batches = new(); // rows per request received
    private readonly TaskCompletionSource _neverAnswered = new();
    private WebApplication? _app;
    private int _unavailable; // requests still to answer 503
    private int _hang; // requests still to leave unanswered (until the client gives up)
    private int _refuse; // requests still to answer 400

    private Uri Endpoint { get; set; } = null!;

    private sealed record Payment(long Id, double Amount, long Count);

    /// <summary>The model: 0.01 × amount + 0.5 × count, computed here independently of the scorer.</summary>
    private static double Model(double amount, long count) => (0.01 * amount) + (0.5 * count);

    private static Payment PaymentOf(int i) => new(i, i * 10.25, i % 4);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/v1/models/fraud:predict", async (HttpContext context) =>
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var instances = request.RootElement.GetProperty("instances");
            _batches.Enqueue(instances.GetArrayLength());
            if (Interlocked.Decrement(ref _unavailable) >= 0)
            {
                return Results.StatusCode(503);
            }
            if (Interlocked.Decrement(ref _refuse) >= 0)
            {
                return Results.BadRequest("feature 'count' must be an integer");
            }
            if (Interlocked.Decrement(ref _hang) >= 0)
            {
                await _neverAnswered.Task.WaitAsync(context.RequestAborted);
            }
            var predictions = instances.EnumerateArray().Select(f => Model(f[0].GetDouble(), f[1].GetInt64())).ToArray();
            return Results.Json(new { predictions });
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = new Uri(address + "/v1/models/fraud:predict");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<List<(long Id, double? Score)>> ScoreAsync(int payments, AsyncLookupOptions options)
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var scored = env.FromCollection(Enumerable.Range(0, payments).Select(PaymentOf))
            .LookupAsync(() => new HttpModelScorer(Endpoint, s_features), p => Row.Of(s_features, p.Amount, p.Count), (p, score) => (p.Id, score?.GetDouble(0)), options, "fraud-model")
            .Collect();
        await env.ExecuteAsync().OrTimeout();
        return [.. scored.Items];
    }

    [Fact]
    public async Task Scores_EqualTheModelsOwnOutput_OnePostPerBatch()
    {
        var scores = await ScoreAsync(100, new AsyncLookupOptions { BatchSize = 25, Linger = TimeSpan.FromHours(1) });

        scores.ShouldBe([.. Enumerable.Range(0, 100).Select(PaymentOf).Select(p => (p.Id, (double?)Model(p.Amount, p.Count)))]);
        _batches.ShouldBe([25, 25, 25, 25]);
    }

    [Fact]
    public async Task UnavailableService_IsRetriedWithBackoff_ThenScores()
    {
        _unavailable = 2;

        var scores = await ScoreAsync(10, new AsyncLookupOptions { BatchSize = 10, Linger = TimeSpan.FromHours(1), RetryBackoff = TimeSpan.FromMilliseconds(1) });

        scores.Select(s => s.Score).ShouldBe([.. Enumerable.Range(0, 10).Select(PaymentOf).Select(p => (double?)Model(p.Amount, p.Count))]);
        _batches.Count.ShouldBe(3, "two 503s, then the answer");
    }

    [Fact]
    public async Task HangingService_TimesOut_MissingPolicyGivesNoScore()
    {
        _hang = 1;

        var scores = await ScoreAsync(6, new AsyncLookupOptions
        {
            BatchSize = 3,
            Linger = TimeSpan.FromHours(1),
            Capacity = 3,
            Timeout = TimeSpan.FromMilliseconds(300),
            TimeoutPolicy = LookupTimeoutPolicy.Missing,
            Lookup = new LookupOptions { MaxRetries = 0 },
        });

        scores.Select(s => s.Score).ShouldBe([null, null, null, .. Enumerable.Range(3, 3).Select(PaymentOf).Select(p => (double?)Model(p.Amount, p.Count))]);
    }

    [Fact]
    public async Task RefusedRequest_FailsTheJobWithoutRetrying_NamingTheUrlAndStatus()
    {
        _refuse = 1;

        var error = await Should.ThrowAsync<JobExecutionException>(() => ScoreAsync(5, new AsyncLookupOptions { BatchSize = 5, Linger = TimeSpan.FromHours(1) }));

        error.Message.ShouldContain($"The model service at {Endpoint} answered 400");
        error.Message.ShouldContain("feature 'count' must be an integer");
        _batches.Count.ShouldBe(1, "a 400 is not retried");
    }
}
