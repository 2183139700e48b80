using Microsoft.ML.OnnxRuntime;
using Sluice.Examples.Decision;
using Sluice.Ml;

namespace Sluice.Examples.Tests;

/// <summary>The decision path's fraud model: trained from generated data, exported to ONNX, scored in the stream.</summary>
public sealed class FraudModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sluice-tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record Tx(int Id, float[] Features);

    [Fact]
    public async Task Score_GeneratedTransactions_StreamScoresEqualTheModelsOwnOutput()
    {
        var path = Path.Combine(_directory, "fraud.onnx");
        var trained = FraudModel.TrainToOnnx(path, seed: 42, transactions: 5_000);
        trained.TestAuc.ShouldBeGreaterThan(0.8); // it learned the generated signal, so the scores below are not all alike

        var model = OnnxModel.Load(path, FraudModel.InputName, FraudModel.OutputName);
        model.InputShape.ShouldBe([-1, FraudModel.FeatureCount]);
        var transactions = FraudModel.Generate(1_000, seed: 7).Select((t, i) => new Tx(i, t.Features)).ToList();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var sink = env.FromCollection(transactions)
            .Score(model, FraudModel.FeatureCount, static (tx, f) => tx.Features.CopyTo(f), static (tx, p) => (tx.Id, Probability: p),
                new OnnxScoringOptions { BatchSize = 128 })
            .Collect();
        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var scores = sink.Items.ToDictionary(s => s.Id, s => s.Probability);
        scores.Count.ShouldBe(transactions.Count);
        using var session = new InferenceSession(path);
        foreach (var tx in transactions)
        {
            // ML.NET's own prediction on the trained model, and ONNX Runtime called directly on the file, one row at a time.
            scores[tx.Id].ShouldBe(trained.Predict(tx.Features), 1e-5f, $"transaction {tx.Id}");
            using var input = OrtValue.CreateTensorValueFromMemory(tx.Features, [1, FraudModel.FeatureCount]);
            using var outputs = session.Run(new RunOptions(), [FraudModel.InputName], [input], [FraudModel.OutputName]);
            scores[tx.Id].ShouldBe(outputs[0].GetTensorDataAsSpan<float>()[0], 1e-6f, $"transaction {tx.Id}");
        }
        scores.Values.Max().ShouldBeGreaterThan(0.5f);
        scores.Values.Min().ShouldBeLessThan(0.05f);
    }

    [Fact]
    public void TrainToOnnx_SameSeed_WritesTheSameModel()
    {
        var first = Path.Combine(_directory, "a.onnx");
        var second = Path.Combine(_directory, "b.onnx");
        FraudModel.TrainToOnnx(first, seed: 3, transactions: 2_000);
        FraudModel.TrainToOnnx(second, seed: 3, transactions: 2_000);
        File.ReadAllBytes(second).ShouldBe(File.ReadAllBytes(first));
    }

    [Fact]
    public void Generate_SameSeed_SameTransactionsAndAboutFivePercentFraud()
    {
        var a = FraudModel.Generate(4_000, seed: 9);
        var b = FraudModel.Generate(4_000, seed: 9);
        a.Select(t => (t.Label, t.Features.Sum())).ShouldBe(b.Select(t => (t.Label, t.Features.Sum())));
        a.ShouldAllBe(t => t.Features.Length == FraudModel.FeatureCount);
        var fraudShare = a.Count(t => t.Label) / (double)a.Count;
        fraudShare.ShouldBeInRange(0.02, 0.12);
    }
}
