namespace Sluice.Examples.Decision;

/// <summary>
/// The decision path's fraud model: a <see cref="LogisticFraudModel"/> over exactly the features the pipeline computes
/// per transaction (<see cref="TransactionFeatures.WriteVector"/>: amount, 10-minute spend and count, location changed,
/// the amount's share of the spend). It is trained from transactions of the example's own generator
/// (<see cref="DecisionInput.GenerateLabelled"/>) whose features are computed by the pipeline's own code
/// (<see cref="TransactionFeatures.Compute"/>), so what the stream scores is what the model learned from.
/// <see cref="EnsureOnnx"/> trains it on first use into the data directory (about a second; nothing is downloaded).
/// </summary>
public static class DecisionModel
{
    /// <summary>Features per transaction: <see cref="TransactionFeatures.VectorLength"/>.</summary>
    public const int FeatureCount = TransactionFeatures.VectorLength;

    /// <summary>The seed <see cref="EnsureOnnx"/> trains with.</summary>
    public const int DefaultSeed = 42;

    /// <summary>
    /// The model's file name in its directory. The version names the feature layout: a change to
    /// <see cref="TransactionFeatures.WriteVector"/> or to the training data changes it, so a data directory of an older
    /// layout trains a new file instead of scoring with a stale one.
    /// </summary>
    public const string FileName = "decision-model-v1.onnx";

    /// <summary>The features' names, in vector order.</summary>
    public static IReadOnlyList<string> Features { get; } = ["amount", "spend_10m", "count_10m", "location_changed", "amount_share_10m"];

    /// <summary>
    /// Trains the model on <paramref name="transactions"/> generated transactions of <paramref name="transactions"/>/40
    /// users (<see cref="Generate"/> with <paramref name="seed"/>) and measures it on a quarter as many more.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transactions"/> is below 1,000.</exception>
    public static LogisticFraudModel Train(int seed = DefaultSeed, int transactions = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(transactions, 1_000);
        var users = transactions / 40;
        return LogisticFraudModel.Train(Generate(transactions, users, seed), Generate(transactions / 4, users, seed + 1), FeatureCount, seed);
    }

    /// <summary>Trains the model (<see cref="Train"/>) and writes it as ONNX to <paramref name="path"/>, replacing a file there.</summary>
    /// <returns>The trained model, to compare scores with (<see cref="LogisticFraudModel.Predict"/>).</returns>
    public static LogisticFraudModel TrainToOnnx(string path, int seed = DefaultSeed, int transactions = 20_000)
    {
        var model = Train(seed, transactions);
        model.SaveOnnx(path);
        return model;
    }

    /// <summary>
    /// The path of the model in <paramref name="directory"/> (<see cref="FileName"/>), trained with
    /// <see cref="DefaultSeed"/> and written there first when missing. The file is written under a temporary name and
    /// renamed, so a crash never leaves a partial model behind. Not safe against two processes training into the same
    /// directory at once (the later rename wins; both files are the same model).
    /// </summary>
    public static string EnsureOnnx(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.Combine(Path.GetFullPath(directory), FileName);
        if (!File.Exists(path))
        {
            var partial = path + ".partial";
            TrainToOnnx(partial);
            File.Move(partial, path, overwrite: true);
        }
        return path;
    }

    /// <summary>
    /// <paramref name="count"/> labelled feature vectors, deterministic for <paramref name="seed"/>: the transactions of
    /// <see cref="DecisionInput.GenerateLabelled"/>, each one's features computed as the pipeline computes them (per user,
    /// in event-time order, with <see cref="TransactionFeatures.Compute"/>) and written with
    /// <see cref="TransactionFeatures.WriteVector"/>; labelled fraud when the generator made it suspicious (about 4 %).
    /// </summary>
    public static List<LabelledFeatures> Generate(int count, int users, int seed)
    {
        var history = new Dictionary<string, (List<(long Ts, long Cents)> Recent, string Location)>(StringComparer.Ordinal);
        var rows = new List<LabelledFeatures>(count);
        foreach (var (transaction, fraud) in DecisionInput.GenerateLabelled(count, users, seed))
        {
            var known = history.TryGetValue(transaction.UserId, out var user);
            var kept = new List<(long Ts, long Cents)>();
            var features = TransactionFeatures.Compute(transaction, known ? user.Recent : [], known ? user.Location : null, kept);
            history[transaction.UserId] = (kept, transaction.Location);
            var vector = new float[FeatureCount];
            features.WriteVector(vector);
            rows.Add(new LabelledFeatures { Features = vector, Label = fraud });
        }
        return rows;
    }
}
