using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Sluice.Operators;
using Sluice.Testing;

namespace Sluice.Ml.Tests;

/// <summary>The scoring operator: scores equal the model's own, batching, flushes, one session per subtask.</summary>
public sealed class OnnxScoringTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly FeatureWriter<Tx> s_features = static (tx, features) => tx.Features.CopyTo(features);
    private static readonly Func<Tx, float, Scored> s_result = static (tx, p) => new Scored(tx.Id, p);

    public sealed record Tx(int Id, float[] Features);

    public sealed record Scored(int Id, float Probability);

    private OnnxModel Model() => OnnxModel.Load(models.LogisticPath, outputName: "Probability.output");

    private static List<Tx> Transactions(int count, int seed) =>
        [.. TestModels.Rows(count, seed).Select((r, i) => new Tx(i, r.Features))];

    [Fact]
    public async Task Score_TwoSubtasks_ScoresEqualTheModelsOwnOutputAndOneSessionEach()
    {
        var model = Model();
        var transactions = Transactions(1_000, seed: 99);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, BatchSize = 50 });
        var sink = env.FromCollection(transactions)
            .Score(model, TestModels.FeatureCount, s_features, s_result, new OnnxScoringOptions { BatchSize = 64 })
            .Collect();
        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var scores = sink.Items.ToDictionary(s => s.Id, s => s.Probability);
        scores.Count.ShouldBe(transactions.Count);
        // The model's own output: ML.NET's prediction engine on the trained model, and ONNX Runtime on the file, row by row.
        var engine = models.Context.Model.CreatePredictionEngine<TestModels.FeatureRow, TestModels.Prediction>(models.Logistic);
        using var session = new InferenceSession(models.LogisticPath);
        foreach (var tx in transactions)
        {
            var expected = engine.Predict(new TestModels.FeatureRow { Features = tx.Features }).Probability;
            scores[tx.Id].ShouldBe(expected, 1e-5f, $"transaction {tx.Id}");
            using var input = OrtValue.CreateTensorValueFromMemory(tx.Features, [1, TestModels.FeatureCount]);
            using var outputs = session.Run(new RunOptions(), ["Features"], [input], ["Probability.output"]);
            scores[tx.Id].ShouldBe(outputs[0].GetTensorDataAsSpan<float>()[0], 1e-6f, $"transaction {tx.Id}");
        }
        model.SessionsOpened.ShouldBe(2);
        model.SessionsClosed.ShouldBe(2);
    }

    [Fact]
    public void Score_FullBatches_RunAsOneModelCallEachInInputOrder()
    {
        var model = Model();
        using var driver = new OperatorTestDriver<Tx, Scored>(s => s.Score(model, TestModels.FeatureCount, s_features, s_result,
            new OnnxScoringOptions { BatchSize = 100, MaxBatchDelay = TimeSpan.Zero }));
        var transactions = Transactions(250, seed: 3);
        foreach (var tx in transactions.Take(199))
        {
            driver.ProcessElement(tx, tx.Id * 10L);
        }
        model.BatchesRun.ShouldBe(1);
        driver.Output.Select(o => (o.Value.Id, o.Timestamp)).ShouldBe(transactions.Take(100).Select(t => (t.Id, t.Id * 10L)));

        foreach (var tx in transactions.Skip(199))
        {
            driver.ProcessElement(tx, tx.Id * 10L);
        }
        model.BatchesRun.ShouldBe(2);
        driver.Output.Count.ShouldBe(200);

        driver.Finish();
        model.BatchesRun.ShouldBe(3); // the end of input runs the last 50
        driver.Output.Select(o => o.Value.Id).ShouldBe(transactions.Select(t => t.Id));
    }

    [Fact]
    public void Score_Watermark_RunsThePartialBatchBeforeForwardingIt()
    {
        var model = Model();
        var recorder = new Recorded();
        using var driver = new OperatorTestDriver<Tx, Scored>(s => s
            .Score(model, TestModels.FeatureCount, s_features, s_result, new OnnxScoringOptions { BatchSize = 100, MaxBatchDelay = TimeSpan.Zero })
            .Transform("Recorder", () => new Recorder(recorder)));
        foreach (var tx in Transactions(3, seed: 4))
        {
            driver.ProcessElement(tx, 5);
        }
        driver.Output.ShouldBeEmpty();
        driver.ProcessWatermark(10);
        recorder.SeenAtWatermark.ShouldBe([(10L, 3)]); // the three records arrived before the watermark
        driver.Output.Count.ShouldBe(3);
        model.BatchesRun.ShouldBe(1);
    }

    [Fact]
    public void Score_CheckpointBarrier_BufferedRecordsReachTheNextOperatorBeforeItsSnapshot()
    {
        var model = Model();
        var recorder = new Recorded();
        using var driver = new OperatorTestDriver<Tx, Scored>(s => s
            .Score(model, TestModels.FeatureCount, s_features, s_result, new OnnxScoringOptions { BatchSize = 100, MaxBatchDelay = TimeSpan.Zero })
            .Transform("Recorder", () => new Recorder(recorder)));
        foreach (var tx in Transactions(3, seed: 5))
        {
            driver.ProcessElement(tx, 5);
        }
        driver.Output.ShouldBeEmpty();
        driver.Snapshot();
        recorder.SeenAtSnapshot.ShouldBe([3]);
        driver.Output.Count.ShouldBe(3);
    }

    [Fact]
    public void Score_MaxBatchDelay_RunsAPartialBatchOnceTheFirstRecordWaitedThatLong()
    {
        var model = Model();
        using var driver = new OperatorTestDriver<Tx, Scored>(s => s.Score(model, TestModels.FeatureCount, s_features, s_result,
            new OnnxScoringOptions { BatchSize = 100, MaxBatchDelay = TimeSpan.FromMilliseconds(20) }));
        var transactions = Transactions(2, seed: 6);
        driver.ProcessElement(transactions[0], 1);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(10));
        driver.ProcessElement(transactions[1], 2);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(9));
        driver.Output.ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        driver.Output.Select(o => o.Value.Id).ShouldBe([0, 1]);
    }

    [Fact]
    public void Score_MaxBatchDelay_ABatchStartedAfterAFullOneStillLeavesOnItsOwnDeadline()
    {
        var model = Model();
        using var driver = new OperatorTestDriver<Tx, Scored>(s => s.Score(model, TestModels.FeatureCount, s_features, s_result,
            new OnnxScoringOptions { BatchSize = 2, MaxBatchDelay = TimeSpan.FromMilliseconds(20) }));
        var transactions = Transactions(3, seed: 7);
        driver.ProcessElement(transactions[0], 1); // batch A asks for a timer at +20 ms
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(5));
        driver.ProcessElement(transactions[1], 2); // A is full and leaves; its timer stays registered
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        driver.ProcessElement(transactions[2], 3); // batch B: its deadline is +26 ms
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(14)); // A's timer fires at +20: B is not due
        driver.Output.Select(o => o.Value.Id).ShouldBe([0, 1]);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(6));
        driver.Output.Select(o => o.Value.Id).ShouldBe([0, 1, 2]);
    }

    [Fact]
    public void Score_FeaturesNotWritten_AreZeroNotTheLastRecords()
    {
        var model = Model();
        using var driver = new OperatorTestDriver<Tx, Scored>(s => s.Score(model, TestModels.FeatureCount,
            static (tx, features) => tx.Features.AsSpan(0, tx.Features.Length).CopyTo(features), s_result,
            new OnnxScoringOptions { BatchSize = 2, MaxBatchDelay = TimeSpan.Zero }));
        var full = Transactions(1, seed: 7)[0];
        var partial = new Tx(1, [.. full.Features.Take(5)]);
        driver.ProcessElement(full, 1).ProcessElement(partial, 2);
        var engine = models.Context.Model.CreatePredictionEngine<TestModels.FeatureRow, TestModels.Prediction>(models.Logistic);
        var padded = new float[TestModels.FeatureCount];
        partial.Features.CopyTo(padded, 0);
        driver.Values[1].Probability.ShouldBe(engine.Predict(new TestModels.FeatureRow { Features = padded }).Probability, 1e-5f);
    }

    /// <summary>What a <see cref="Recorder"/> saw: records seen at each snapshot and at each watermark.</summary>
    private sealed class Recorded
    {
        public List<int> SeenAtSnapshot { get; } = [];

        public List<(long Watermark, int Seen)> SeenAtWatermark { get; } = [];
    }

    /// <summary>Passes records on and notes how many it had seen at each snapshot and watermark.</summary>
    private sealed class Recorder(Recorded recorded) : OneInputStreamOperator<Scored, Scored>
    {
        private int _seen;

        public override void ProcessElement(Scored value, long timestamp)
        {
            _seen++;
            Output.Collect(value, timestamp);
        }

        public override void ProcessWatermark(long watermark)
        {
            if (watermark != EventTime.MaxWatermark)
            {
                recorded.SeenAtWatermark.Add((watermark, _seen));
            }
            Output.EmitWatermark(watermark);
        }

        public override void SnapshotState(long checkpointId) => recorded.SeenAtSnapshot.Add(_seen);
    }
}
