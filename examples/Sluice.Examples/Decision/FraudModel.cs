namespace Sluice.Examples.Decision;

/// <summary>
/// The score bench's fraud model: a <see cref="LogisticFraudModel"/> over <see cref="FeatureCount"/> = 20 transaction
/// features drawn at random per the layout below (not computed from a stream), trained in about a second. The decision
/// path uses <see cref="DecisionModel"/> instead, whose features are the ones its pipeline computes.
/// </summary>
/// <remarks>
/// Feature layout (<see cref="FeatureCount"/> floats; <see cref="Features"/> names them):
/// 0 amount (currency units) · 1 spend in the user's last 10 minutes before this transaction · 2 the user's
/// transactions in the last 10 minutes · 3 location changed since the user's last transaction (0/1) · 4 the amount's
/// share of the 10-minute spend including it (0..1) · 5 hour of day / 24 · 6 at night, 0–5 h (0/1) · 7 merchant risk
/// (0..1) · 8 card age in years · 9 distance from home (100 km) · 10 foreign merchant (0/1) · 11 card not present
/// (0/1) · 12 declined attempts in the last hour · 13 the user's average amount over 30 days · 14 amount / that
/// average · 15–19 device and session signals (0..1; they carry no fraud signal, as such signals often do not).
/// </remarks>
public static class FraudModel
{
    /// <summary>Features per transaction.</summary>
    public const int FeatureCount = 20;

    /// <summary>The ONNX model's input: float[-1, 20].</summary>
    public const string InputName = LogisticFraudModel.InputName;

    /// <summary>The ONNX model's output read as the score: the fraud probability, float[-1, 1].</summary>
    public const string OutputName = LogisticFraudModel.OutputName;

    /// <summary>The features' names, in vector order.</summary>
    public static IReadOnlyList<string> Features { get; } =
    [
        "amount", "spend_10m", "count_10m", "location_changed", "amount_share_10m", "hour_of_day", "night",
        "merchant_risk", "card_age_years", "distance_home_100km", "foreign", "card_not_present", "declines_1h",
        "avg_amount_30d", "amount_to_avg", "device_1", "device_2", "device_3", "device_4", "device_5",
    ];

    /// <summary>
    /// Trains the model on <paramref name="transactions"/> generated transactions (<see cref="Generate"/> with
    /// <paramref name="seed"/>) and measures it on a quarter as many more (its <see cref="LogisticFraudModel.TestAuc"/>
    /// is about 0.9 for the default sizes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transactions"/> is below 100.</exception>
    public static LogisticFraudModel Train(int seed, int transactions = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(transactions, 100);
        return LogisticFraudModel.Train(Generate(transactions, seed), Generate(transactions / 4, seed + 1), FeatureCount, seed);
    }

    /// <summary>Trains the model (<see cref="Train"/>) and writes it as ONNX to <paramref name="path"/>, replacing a file there.</summary>
    /// <returns>The trained model, to compare scores with (<see cref="LogisticFraudModel.Predict"/>).</returns>
    public static LogisticFraudModel TrainToOnnx(string path, int seed, int transactions = 20_000)
    {
        var model = Train(seed, transactions);
        model.SaveOnnx(path);
        return model;
    }

    /// <summary>
    /// Generates <paramref name="count"/> labelled transactions, deterministic for <paramref name="seed"/>: features drawn
    /// per the layout above, fraud drawn with a probability that rises with the amount (against the user's average),
    /// a burst of transactions, a new location, the night, a risky or foreign merchant and recent declines (about 5 %
    /// fraud).
    /// </summary>
    public static List<LabelledFeatures> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<LabelledFeatures>(count);
        Span<float> f = stackalloc float[FeatureCount];
        for (var i = 0; i < count; i++)
        {
            var average = (float)(20 + random.NextDouble() * 180);
            var amount = (float)(average * Math.Exp(Normal(random) * 0.8));
            var count10m = (float)Math.Min(Poisson(random, 0.6), 12);
            var spend10m = count10m * average * (float)(0.5 + random.NextDouble());
            var hour = random.Next(24);
            f[0] = amount;
            f[1] = spend10m;
            f[2] = count10m;
            f[3] = random.NextDouble() < 0.12 ? 1 : 0;
            f[4] = amount / (amount + spend10m);
            f[5] = hour / 24f;
            f[6] = hour < 6 ? 1 : 0;
            f[7] = (float)Math.Pow(random.NextDouble(), 3);
            f[8] = (float)(random.NextDouble() * 8);
            f[9] = (float)(-Math.Log(1 - random.NextDouble()) * 0.3);
            f[10] = random.NextDouble() < 0.05 ? 1 : 0;
            f[11] = random.NextDouble() < 0.3 ? 1 : 0;
            f[12] = random.NextDouble() < 0.03 ? random.Next(1, 4) : 0;
            f[13] = average;
            f[14] = amount / average;
            for (var j = 15; j < FeatureCount; j++)
            {
                f[j] = (float)random.NextDouble();
            }
            var z = -6.2 + 0.9 * Math.Log(f[14]) + 0.45 * f[2] + 2.0 * f[3] + 1.2 * f[6] + 2.5 * f[7] + 1.4 * f[10]
                + 0.6 * f[11] + 0.8 * f[12] + 0.5 * f[9] - 0.15 * f[8] + 0.002 * f[0];
            var fraud = random.NextDouble() < 1 / (1 + Math.Exp(-z));
            rows.Add(new LabelledFeatures { Features = f.ToArray(), Label = fraud });
        }
        return rows;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }
        return k;
    }
}
