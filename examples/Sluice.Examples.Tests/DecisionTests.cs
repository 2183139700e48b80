using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
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

    /// <summary>
    /// Each user's latest transaction (the last in input order, the order the user's partition holds them), the spend and
    /// count of its window, and the location of the user's transaction before it (null for a single one), from the input alone.
    /// </summary>
    private static Dictionary<string, (CardTransaction Last, long Spend, long Count, string? Previous)> ExpectedFeatures(IReadOnlyList<CardTransaction> input)
    {
        var expected = new Dictionary<string, (CardTransaction, long, long, string?)>(StringComparer.Ordinal);
        foreach (var user in input.GroupBy(t => t.UserId))
        {
            var transactions = user.ToList();
            var last = transactions[^1];
            var window = transactions.Where(t => t.Ts > last.Ts - WindowMs && t.Ts <= last.Ts).ToList();
            expected[user.Key] = (last, window.Sum(t => t.AmountCents), window.Count, transactions.Count > 1 ? transactions[^2].Location : null);
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
        foreach (var (user, (last, spend, count, _)) in expected)
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
        foreach (var (user, (last, _, _, _)) in ExpectedFeatures(run.Input))
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
    public async Task Run_EachUser_ScoreEqualsTheTrainedModelsOwnOutputOnFeaturesComputedHere()
    {
        run.Decided.ShouldBeTrue();
        // The model the host trained into its data directory, trained again here with the same seed (deterministic), for
        // ML.NET's own prediction; and ONNX Runtime called directly on the host's file, one row at a time.
        var trained = DecisionModel.Train(DecisionModel.DefaultSeed);
        using var session = new InferenceSession(run.Host.ModelPath);
        var scores = new List<double>();
        foreach (var (user, (last, spend, count, previous)) in ExpectedFeatures(run.Input))
        {
            // amount, 10-minute spend (currency units), 10-minute count, location changed, the amount's share of the spend
            float[] vector = [last.AmountCents / 100f, spend / 100f, count, previous is not null && previous != last.Location ? 1f : 0f, (float)last.AmountCents / spend];
            var score = double.Parse((await run.Host.ReadHashAsync("decision:" + user))["score"], CultureInfo.InvariantCulture);

            score.ShouldBe(trained.Predict(vector), 1e-5, $"decision:{user}, ML.NET on [{string.Join(", ", vector)}]");
            using var input = OrtValue.CreateTensorValueFromMemory(vector, [1, DecisionModel.FeatureCount]);
            using var outputs = session.Run(new RunOptions(), [LogisticFraudModel.InputName], [input], [LogisticFraudModel.OutputName]);
            score.ShouldBe(outputs[0].GetTensorDataAsSpan<float>()[0], 1e-6, $"decision:{user}, ONNX Runtime on [{string.Join(", ", vector)}]");
            scores.Add(score);
        }
        scores.Max().ShouldBeGreaterThan(0.8, "some latest transactions are suspicious enough to decline");
        scores.Min().ShouldBeLessThan(0.1);
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

/// <summary>The decision model's features and the thresholds, against values worked out by hand.</summary>
public sealed class DecisionScoringTests
{
    private const long WindowMs = 10 * 60 * 1000;

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

    [Fact]
    public void Compute_EntriesOutsideTheWindow_AreDroppedAndTheTransactionCounted()
    {
        const long Now = DecisionInput.StartMs + WindowMs + 5_000;
        List<(long Ts, long Cents)> recent = [(Now - WindowMs, 700), (Now - WindowMs + 1, 300), (Now - 10, 200)];
        var kept = new List<(long Ts, long Cents)> { (1, 1) };

        var features = TransactionFeatures.Compute(new CardTransaction("t9", "u1", 1_000, "Rome", Now), recent, "Paris", kept);

        features.Spend10mCents.ShouldBe(300 + 200 + 1_000); // (now − 10 min, now]: the first entry is exactly 10 min old, out
        features.Count10m.ShouldBe(3);
        features.PreviousLocation.ShouldBe("Paris");
        kept.ShouldBe([(Now - WindowMs + 1, 300L), (Now - 10, 200L), (Now, 1_000L)]);
    }

    [Fact]
    public void DecisionModel_Train_LearnsTheGeneratedFraudFromThePipelinesFeatures()
    {
        var rows = DecisionModel.Generate(4_000, 100, seed: 5);
        rows.ShouldAllBe(r => r.Features.Length == DecisionModel.FeatureCount);
        rows.Count(r => r.Label).ShouldBeInRange(80, 250, "about 4 % fraud");
        rows.ShouldContain(r => r.Features[2] > 1, "some windows hold several transactions");

        var model = DecisionModel.Train(seed: 5, transactions: 4_000);

        model.TestAuc.ShouldBeGreaterThan(0.95);
        model.FeatureCount.ShouldBe(TransactionFeatures.VectorLength);
    }
}
