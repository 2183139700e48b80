using Microsoft.ML;
using Microsoft.ML.Data;

namespace Sluice.Ml.Tests;

/// <summary>
/// Small models trained once per test run with ML.NET on generated data and exported to ONNX (a second or two): the
/// 20-feature logistic model the scorer is tested with, and models whose signature does not fit it.
/// </summary>
public sealed class TestModels : IDisposable
{
    public const int FeatureCount = 20;
    private readonly TempDirectory _directory = new();

    public TestModels()
    {
        var ml = new MLContext(seed: 11);
        var rows = Rows(2_000, seed: 5);
        var data = ml.Data.LoadFromEnumerable(rows);
        Logistic = ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20).Fit(data);
        Context = ml;
        LogisticPath = _directory.File("logistic20.onnx");
        Export(ml, Logistic, ml.Data.LoadFromEnumerable(new[] { new FeatureRow { Features = new float[FeatureCount] } }), LogisticPath);

        // Doubles in, converted to float inside the model: its ONNX input is double[-1, 20].
        var doubles = ml.Data.LoadFromEnumerable(rows.Select(r => new DoubleRow { Features = [.. r.Features.Select(f => (double)f)], Label = r.Label }));
        var doubleModel = ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Single)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5)).Fit(doubles);
        DoubleInputPath = _directory.File("double-input.onnx");
        Export(ml, doubleModel, ml.Data.LoadFromEnumerable(new[] { new DoubleFeatureRow { Features = new double[FeatureCount] } }), DoubleInputPath);

        // Two inputs of 10 features each, concatenated inside the model.
        var split = ml.Data.LoadFromEnumerable(rows.Select(r => new SplitRow { A = r.Features[..10], B = r.Features[10..], Label = r.Label }));
        var splitModel = ml.Transforms.Concatenate("Features", "A", "B")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5)).Fit(split);
        TwoInputsPath = _directory.File("two-inputs.onnx");
        Export(ml, splitModel, ml.Data.LoadFromEnumerable(new[] { new SplitFeatureRow { A = new float[10], B = new float[10] } }), TwoInputsPath);
    }

    public MLContext Context { get; }

    /// <summary>The trained ML.NET model behind <see cref="LogisticPath"/>.</summary>
    public ITransformer Logistic { get; }

    /// <summary>Input 'Features' float[-1, 20]; outputs 'Probability.output', 'Score.output' (float[-1, 1]) and others.</summary>
    public string LogisticPath { get; }

    public string DoubleInputPath { get; }

    public string TwoInputsPath { get; }

    public string Directory => _directory.Path;

    /// <summary>Labelled rows: fraud when a weighted sum of a few features passes a threshold, with 5 % of labels flipped.</summary>
    public static List<LabelledRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<LabelledRow>(count);
        for (var i = 0; i < count; i++)
        {
            var features = new float[FeatureCount];
            for (var j = 0; j < FeatureCount; j++)
            {
                features[j] = (float)random.NextDouble();
            }
            var label = 2 * features[0] + features[3] - features[7] > 1.3f;
            rows.Add(new LabelledRow { Features = features, Label = random.NextDouble() < 0.05 ? !label : label });
        }
        return rows;
    }

    private static void Export(MLContext ml, ITransformer model, IDataView inputSchema, string path)
    {
        using var file = File.Create(path);
        ml.Model.ConvertToOnnx(model, inputSchema, file);
    }

    public void Dispose() => _directory.Dispose();

    public sealed class FeatureRow
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    public sealed class LabelledRow
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class Prediction
    {
        public float Probability { get; set; }
    }

    public sealed class DoubleFeatureRow
    {
        [VectorType(FeatureCount)]
        public double[] Features { get; set; } = [];
    }

    public sealed class DoubleRow
    {
        [VectorType(FeatureCount)]
        public double[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class SplitFeatureRow
    {
        [VectorType(10)]
        public float[] A { get; set; } = [];

        [VectorType(10)]
        public float[] B { get; set; } = [];
    }

    public sealed class SplitRow
    {
        [VectorType(10)]
        public float[] A { get; set; } = [];

        [VectorType(10)]
        public float[] B { get; set; } = [];

        public bool Label { get; set; }
    }
}
