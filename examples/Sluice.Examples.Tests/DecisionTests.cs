using System.Globalization;
using System.Text.Json;
using Sluice.Examples.Decision;
using Sluice.Server.Decisions;

namespace Sluice.Examples.Tests;

/// <summary>
/// Runs the decision example once for the class: a real redis-server, the server on a free loopback port, the
/// transactions posted to <c>POST /ingest/transactions</c>, the pipeline following the topic until every user's latest
/// transaction is decided in Redis.
/// </summary>
public sealed class DecisionRunFixture : IAsyncLifetime
{
    /// <summary>The generated input.</summary>
    public IReadOnlyList<CardTransaction> Input { get; } = DecisionInput.Generate(3000, 150, seed: 11);

    /// <summary>The Redis server.</summary>
    public RedisServer Redis { get; private set; } = null!;

    /// <summary>The running example.</summary>
    public DecisionHost Host { get; private set; } = null!;

    /// <summary>Whether every user's latest transaction was decided in time.</summary>
    public bool Decided { get; private set; }

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-decision-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Host = await DecisionHost.StartAsync(new DecisionOptions(_directory, Redis.Configuration));
        await Host.IngestAsync(Input, batchSize: 400);
        Decided = await Host.WaitUntilDecidedAsync(Input, TimeSpan.FromSeconds(90));
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>
/// The decision path end to end: the features in Redis equal features computed here from the generated input, each
/// user's decision is of their latest transaction and agrees with the thresholds, and <c>GET /api/decide/{user}</c>
/// answers it (404 naming an unknown user).
/// </summary>
public sealed class DecisionTests(DecisionRunFixture run) : IClassFixture<DecisionRunFixture>
{
    private const long WindowMs = 10 * 60 * 1000;

    /// <summary>Each user's latest transaction and the spend and count of their window, from the input alone.</summary>
    private static Dictionary<string, (CardTransaction Last, long Spend, long Count)> ExpectedFeatures(IReadOnlyList<CardTransaction> input)
    {
        var expected = new Dictionary<string, (CardTransaction, long, long)>(StringComparer.Ordinal);
        foreach (var user in input.GroupBy(t => t.UserId))
        {
            var last = user.MaxBy(t => t.Ts)!;
            var window = user.Where(t => t.Ts > last.Ts - WindowMs && t.Ts <= last.Ts).ToList();
            expected[user.Key] = (last, window.Sum(t => t.AmountCents), window.Count);
        }
        return expected;
    }

    [Fact]
    public async Task Run_TransactionsIngestedOverHttp_FeaturesInRedisEqualAnIndependentComputation()
    {
        run.Decided.ShouldBeTrue("every user's latest transaction is decided in Redis within 90 s");
        var expected = ExpectedFeatures(run.Input);
        expected.Count.ShouldBeGreaterThan(100);
        expected.Values.ShouldContain(e => e.Count > 1, "some windows hold several transactions");
        foreach (var (user, (last, spend, count)) in expected)
        {
            var features = await run.Host.ReadHashAsync("user:" + user);
            features.ShouldBe(new Dictionary<string, string>
            {
                ["spend_10m_cents"] = spend.ToString(CultureInfo.InvariantCulture),
                ["count_10m"] = count.ToString(CultureInfo.InvariantCulture),
                ["last_location"] = last.Location,
                ["last_ts"] = last.Ts.ToString(CultureInfo.InvariantCulture),
                ["_sluice_version"] = features.GetValueOrDefault("_sluice_version", "missing"),
            }, ignoreOrder: true, customMessage: $"user:{user}");
            features["_sluice_version"].ShouldNotBe("missing");
        }
    }

    [Fact]
    public async Task Run_EachUser_DecisionIsOfTheLatestTransactionAndFollowsTheThresholds()
    {
        run.Decided.ShouldBeTrue();
        var verdicts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (user, (last, _, _)) in ExpectedFeatures(run.Input))
        {
            var decision = await run.Host.ReadHashAsync("decision:" + user);
            decision["transaction_id"].ShouldBe(last.TransactionId);
            decision["ts"].ShouldBe(last.Ts.ToString(CultureInfo.InvariantCulture));
            var score = double.Parse(decision["score"], CultureInfo.InvariantCulture);
            score.ShouldBeInRange(0, 1);
            decision["decision"].ShouldBe(score >= 0.8 ? "decline" : score >= 0.5 ? "review" : "approve", $"decision:{user} with score {score}");
            verdicts.Add(decision["decision"]);
        }
        verdicts.ShouldContain("approve");
    }

    [Fact]
    public async Task Decide_KnownUser_AnswersTheLatestScoreAndDecisionFromRedis()
    {
        run.Decided.ShouldBeTrue();
        var last = run.Input[^1];
        var stored = await run.Host.ReadHashAsync("decision:" + last.UserId);

        var (status, body) = await run.Host.DecideAsync(last.UserId);

        status.ShouldBe(200, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        root.GetProperty("user").GetString().ShouldBe(last.UserId);
        root.GetProperty("transactionId").GetString().ShouldBe(last.TransactionId);
        root.GetProperty("ts").GetInt64().ShouldBe(last.Ts);
        root.GetProperty("decision").GetString().ShouldBe(stored["decision"]);
        root.GetProperty("score").GetDouble().ShouldBe(double.Parse(stored["score"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Decide_UnknownUser_Answers404NamingTheUser()
    {
        var (status, body) = await run.Host.DecideAsync("nobody-42");

        status.ShouldBe(404);
        body.ShouldContain("'nobody-42'");
    }

    [Fact]
    public void DecisionStoreOptions_ToString_NeverShowsThePassword()
    {
        var options = new DecisionStoreOptions { RedisConfiguration = "127.0.0.1:6390,password=s3cret-value" };

        var text = options.ToString();

        text.ShouldNotContain("s3cret-value");
        text.ShouldContain("127.0.0.1:6390");
    }
}

/// <summary>The built-in scorer and the thresholds, against values worked out by hand.</summary>
public sealed class DecisionScoringTests
{
    [Fact]
    public void LogisticScorer_ZeroFeatures_IsTheSigmoidOfTheBias()
    {
        // σ(−5) = 1 / (1 + e⁵) = 0.0066928509242848554
        LogisticScorer.Default.Score([0f, 0f, 0f, 0f, 0f]).ShouldBe(0.0066928509242848554, 1e-15);
    }

    [Fact]
    public void LogisticScorer_LargeAmountAtANewLocation_Scores()
    {
        // z = −5 + 0.003·2000 + 0.0005·2000 + 0.25·1 + 2.5·1 − 1·1 = 3.75; σ(3.75) = 0.97702263008997436
        LogisticScorer.Default.Score([2000f, 2000f, 1f, 1f, 1f]).ShouldBe(0.97702263008997436, 1e-6);
    }

    [Fact]
    public void LogisticScorer_WrongNumberOfFeatures_Throws() =>
        Should.Throw<ArgumentException>(() => LogisticScorer.Default.Score([1f, 2f])).Message.ShouldContain("takes 5 features, not 2");

    [Theory]
    [InlineData(0.0, Verdict.Approve)]
    [InlineData(0.4999, Verdict.Approve)]
    [InlineData(0.5, Verdict.Review)]
    [InlineData(0.7999, Verdict.Review)]
    [InlineData(0.8, Verdict.Decline)]
    [InlineData(1.0, Verdict.Decline)]
    public void Thresholds_Decide_ByTheBoundaries(double score, Verdict verdict) => new DecisionThresholds().Decide(score).ShouldBe(verdict);

    [Fact]
    public void WriteVector_FirstTransactionAndAMove_AreEncodedInTheDocumentedOrder()
    {
        var transaction = new CardTransaction("t1", "u1", 2500, "Paris", 0);
        Span<float> vector = stackalloc float[TransactionFeatures.VectorLength];

        new TransactionFeatures(transaction, 10_000, 3, "Berlin").WriteVector(vector);

        vector.ToArray().ShouldBe([25f, 100f, 3f, 1f, 0.25f]);
    }
}
