using Sluice.Checkpoints;
using Sluice.Connectors.Log;
using Sluice.Connectors.Redis;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Ml;
using Sluice.State;

namespace Sluice.Examples.Decision;

/// <summary>
/// The decision path on topic <c>transactions</c>: per user (keyed by user id), the spend and count of the last 10
/// minutes and the last location, computed exactly per transaction (the window is <c>(ts − 10 min, ts]</c> of each
/// transaction's event time) → Redis <c>user:{user_id}</c>; each transaction scored on those features by the trained
/// ONNX model (<see cref="Score"/>, <see cref="DecisionModel"/>) and decided by <see cref="DecisionThresholds"/> → Redis
/// <c>decision:{user_id}</c>. Both sinks write as records arrive, effectively once (docs/connectors/redis.md).
/// </summary>
public static class DecisionPipeline
{
    /// <summary>The job's name.</summary>
    public const string JobName = "decision";

    /// <summary>The length of the feature window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>The key pattern of the users' feature hashes.</summary>
    public const string FeaturesKeyPattern = "user:{user_id}";

    /// <summary>The key pattern of the users' decision hashes (what <c>GET /api/decide/{user}</c> reads).</summary>
    public const string DecisionKeyPattern = "decision:{user_id}";

    /// <summary>The job's options: checkpoints every <paramref name="checkpointInterval"/> in <paramref name="checkpointDirectory"/>.</summary>
    public static JobOptions JobOptions(string checkpointDirectory, int parallelism, TimeSpan checkpointInterval) => new()
    {
        JobName = JobName,
        Parallelism = parallelism,
        Checkpoints = CheckpointOptions.InDirectory(checkpointDirectory, checkpointInterval),
    };

    /// <summary>Adds the pipeline to <paramref name="env"/>, reading <see cref="DecisionInput.Topic"/> of <paramref name="log"/> (it must exist).</summary>
    /// <param name="env">The job's environment.</param>
    /// <param name="log">The log holding the topic; kept open by the caller until the job ended.</param>
    /// <param name="redis">The StackExchange.Redis configuration of the feature store.</param>
    /// <param name="model">The decision model (<see cref="DecisionModel.EnsureOnnx"/>, then <see cref="OnnxModel.Load"/>); it must take <see cref="DecisionModel.FeatureCount"/> features.</param>
    /// <param name="thresholds">The verdicts' thresholds; null uses the defaults.</param>
    /// <param name="bounded">True to stop at the end of what the topic holds when the job starts (tests); false to follow it.</param>
    /// <exception cref="OnnxModelMismatchException"><paramref name="model"/> does not take <see cref="DecisionModel.FeatureCount"/> features.</exception>
    public static void Build(StreamEnvironment env, PartitionedLog log, string redis, OnnxModel model, DecisionThresholds? thresholds = null, bool bounded = false)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(redis);
        var transactions = env.FromLog(log, DecisionInput.Topic, MessageDeserializers.Json<CardTransaction>(), new LogSourceOptions { Bounded = bounded })
            .Uid("transactions-source");
        var features = transactions.KeyBy(static t => t.UserId).Process(new RecentActivity(), "Features").Uid("features");
        features.Map(static f => f.ToUserFeatures(), "UserFeatures").Uid("user-features")
            .ToRedis(new RedisSinkOptions { Configuration = redis, KeyPattern = FeaturesKeyPattern }).Uid("user-features-sink");
        var decide = thresholds ?? new DecisionThresholds();
        Score(features, model)
            .Map(s => new UserDecision(s.Features.Transaction.UserId, s.Score, Name(decide.Decide(s.Score)), s.Features.Transaction.TransactionId, s.Features.Transaction.Ts), "Decide")
            .Uid("decide")
            .ToRedis(new RedisSinkOptions { Configuration = redis, KeyPattern = DecisionKeyPattern }).Uid("decisions-sink");
    }

    /// <summary>
    /// Scores each transaction with <paramref name="model"/> in process (ONNX Runtime, one session per subtask, batches of
    /// up to 256 held at most 20 ms): the input is <see cref="TransactionFeatures.WriteVector"/>, the score the model's
    /// fraud probability. The operator is chained forward, in input order, so the stream stays keyed by user on its
    /// subtask and the decisions sink keeps one user's writes in order.
    /// </summary>
    /// <exception cref="OnnxModelMismatchException"><paramref name="model"/> does not take <see cref="DecisionModel.FeatureCount"/> features.</exception>
    public static DataStream<ScoredTransaction> Score(DataStream<TransactionFeatures> features, OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(model);
        return features.Score(model, DecisionModel.FeatureCount, static (f, vector) => f.WriteVector(vector),
            static (f, probability) => new ScoredTransaction(f, probability), name: "Score").Uid("score");
    }

    /// <summary>The lower-case name of <paramref name="verdict"/>, as written to Redis.</summary>
    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Approve => "approve",
        Verdict.Review => "review",
        _ => "decline",
    };

    /// <summary>
    /// The user's transactions of the last <see cref="Window"/> (event time and amount) and last location, in keyed
    /// state. Transactions of one user arrive in event-time order (the ingest keys them by user, so they share a
    /// partition); entries older than the window of the newest transaction are dropped.
    /// </summary>
    private sealed class RecentActivity : KeyedProcessFunction<string, CardTransaction, TransactionFeatures>
    {
        private IListState<(long Ts, long Cents)> _recent = null!;
        private IValueState<string> _lastLocation = null!;

        public override void Open(IRuntimeContext context)
        {
            _recent = context.State.GetListState(new ListStateDescriptor<(long, long)>("recent"));
            _lastLocation = context.State.GetState(new ValueStateDescriptor<string>("last-location"));
        }

        public override void ProcessElement(CardTransaction value, KeyedProcessContext<string> context, ICollector<TransactionFeatures> output)
        {
            var kept = new List<(long, long)>();
            var previous = _lastLocation.TryGet(out var location) ? location : null;
            var features = TransactionFeatures.Compute(value, _recent.Get(), previous, kept);
            _recent.Update(kept);
            _lastLocation.Update(value.Location);
            output.Collect(features);
        }
    }
}

/// <summary>A transaction's features and its score.</summary>
/// <param name="Features">The features scored.</param>
/// <param name="Score">The fraud score in [0, 1].</param>
public sealed record ScoredTransaction(TransactionFeatures Features, double Score);
