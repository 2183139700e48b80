using Microsoft.ML;
using Microsoft.ML.Data;

namespace Sluice.Examples.Decision;

/// <summary>
/// A logistic-regression fraud model over <see cref="FeatureCount"/> float features, trained with ML.NET (features
/// normalised by mean and variance, then SDCA) from labelled rows and exported to ONNX, so no model file is downloaded or
/// checked in. Training is deterministic for a seed. The ONNX file has one input, <see cref="InputName"/>
/// float[-1, <see cref="FeatureCount"/>], and the fraud probability in <see cref="OutputName"/> float[-1, 1]; score it
/// in a stream with <c>Sluice.Ml</c>'s <c>stream.Score(...)</c>. <see cref="FraudModel"/> (20 generated features, the
/// score bench) and <see cref="DecisionModel"/> (the decision path's features) are the two instances.
/// </summary>
public sealed class LogisticFraudModel
{
    /// <summary>The ONNX model's input: float[-1, <see cref="FeatureCount"/>].</summary>
    public const string InputName = "Features";

    /// <summary>The ONNX model's output read as the score: the fraud probability, float[-1, 1].</summary>
    public const string OutputName = "Probability.output";

    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _featureSchema;
    private PredictionEngine<FeatureVector, Prediction>? _engine;

    private LogisticFraudModel(MLContext ml, ITransformer model, SchemaDefinition featureSchema, int featureCount, double auc)
    {
        _ml = ml;
        _model = model;
        _featureSchema = featureSchema;
        FeatureCount = featureCount;
        TestAuc = auc;
    }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>The area under the ROC curve on the held-out rows given to <see cref="Train"/>.</summary>
    public double TestAuc { get; }

    /// <summary>Trains on <paramref name="training"/> and measures the area under the ROC curve on <paramref name="test"/>.</summary>
    /// <exception cref="ArgumentException">A row does not hold <paramref name="featureCount"/> features, or a set lacks one of the labels.</exception>
    public static LogisticFraudModel Train(IReadOnlyList<LabelledFeatures> training, IReadOnlyList<LabelledFeatures> test, int featureCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        Check(training, featureCount, nameof(training));
        Check(test, featureCount, nameof(test));
        var ml = new MLContext(seed);
        var pipeline = ml.Transforms.NormalizeMeanVariance(InputName)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(new Microsoft.ML.Trainers.SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = InputName,
                MaximumNumberOfIterations = 50,
                // SDCA picks a thread count of its own and is then not deterministic; one thread keeps "same seed, same model".
                NumberOfThreads = 1,
            }));
        var rowSchema = Schema<LabelledFeatures>(featureCount);
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(training, rowSchema));
        var auc = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test, rowSchema))).AreaUnderRocCurve;
        return new LogisticFraudModel(ml, model, Schema<FeatureVector>(featureCount), featureCount, auc);
    }

    /// <summary>
    /// Writes the model as ONNX to <paramref name="path"/>, replacing a file there. It is converted with a schema holding
    /// only the feature vector, so the graph has the one input a scorer feeds (the converter would make the label an
    /// input too).
    /// </summary>
    public void SaveOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var schema = _ml.Data.LoadFromEnumerable(new[] { new FeatureVector { Features = new float[FeatureCount] } }, _featureSchema);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        using var file = File.Create(path);
        _ml.Model.ConvertToOnnx(_model, schema, file);
    }

    /// <summary>The fraud probability ML.NET computes for <paramref name="features"/> (the model's own output). Not thread-safe.</summary>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not <see cref="FeatureCount"/> long.</exception>
    public float Predict(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"The fraud model takes {FeatureCount} features, not {features.Length}.", nameof(features));
        }
        _engine ??= _ml.Model.CreatePredictionEngine<FeatureVector, Prediction>(_model, inputSchemaDefinition: _featureSchema);
        return _engine.Predict(new FeatureVector { Features = features.ToArray() }).Probability;
    }

    private static void Check(IReadOnlyList<LabelledFeatures> rows, int featureCount, string name)
    {
        var fraud = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Features.Length != featureCount)
            {
                throw new ArgumentException($"Row {i} of the {name} set holds {rows[i].Features.Length} features, not {featureCount}.", name);
            }
            fraud += rows[i].Label ? 1 : 0;
        }
        if (fraud == 0 || fraud == rows.Count)
        {
            throw new ArgumentException($"The {name} set ({rows.Count} rows) needs both fraud and non-fraud rows; it has {fraud} fraud.", name);
        }
    }

    /// <summary>The schema of <typeparamref name="TRow"/> with its <c>Features</c> column a vector of exactly <paramref name="featureCount"/> floats.</summary>
    private static SchemaDefinition Schema<TRow>(int featureCount)
    {
        var schema = SchemaDefinition.Create(typeof(TRow));
        schema[nameof(FeatureVector.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return schema;
    }

    /// <summary>ML.NET's input row: the feature vector only (also the schema the model is exported with). Public because ML.NET binds it by reflection.</summary>
    public sealed class FeatureVector
    {
        /// <summary>The <see cref="FeatureCount"/> features.</summary>
        public float[] Features { get; set; } = [];
    }

    /// <summary>ML.NET's output row. Public because ML.NET binds it by reflection.</summary>
    public sealed class Prediction
    {
        /// <summary>The fraud probability.</summary>
        public float Probability { get; set; }
    }
}

/// <summary>A training row: features and whether it was fraud.</summary>
public sealed class LabelledFeatures
{
    /// <summary>The model's features, in its documented order.</summary>
    public float[] Features { get; set; } = [];

    /// <summary>Fraud.</summary>
    public bool Label { get; set; }
}
