using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Ml.Tests;

/// <summary>Scoring rows: feature columns by name, the score written to a column of the same schema.</summary>
public sealed class OnnxRowScoringTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly string[] s_featureColumns = [.. Enumerable.Range(0, TestModels.FeatureCount).Select(i => $"f{i}")];

    // id, f0 … f19 (f0 a DOUBLE, f1 an INT, f2 a BOOLEAN, the rest FLOAT), score DOUBLE.
    private static readonly Schema s_schema = Schema.Parse(
        "id BIGINT, f0 DOUBLE, f1 INT, f2 BOOLEAN, " + string.Join(", ", Enumerable.Range(3, TestModels.FeatureCount - 3).Select(i => $"f{i} FLOAT")) + ", score DOUBLE, city STRING");

    private OnnxModel Model() => OnnxModel.Load(models.LogisticPath, outputName: "Probability.output");

    [Fact]
    public void ScoreRows_NumericColumns_ScoreEqualsTheModelsOnTheConvertedFeaturesAndOtherColumnsKept()
    {
        var model = Model();
        using var driver = new OperatorTestDriver<Row, Row>(s => s.ScoreRows(model, s_schema, s_featureColumns, "score",
            new OnnxScoringOptions { BatchSize = 4, MaxBatchDelay = TimeSpan.Zero }));
        var inputs = TestModels.Rows(6, seed: 8).Select((r, i) => Row(i, r.Features)).ToList();
        inputs.Add(Row(6, new float[TestModels.FeatureCount], nullFeature: true));
        foreach (var row in inputs)
        {
            driver.ProcessElement(row, 1);
        }
        driver.Finish();

        var engine = models.Context.Model.CreatePredictionEngine<TestModels.FeatureRow, TestModels.Prediction>(models.Logistic);
        driver.Values.Count.ShouldBe(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var output = driver.Values[i];
            output.ShouldNotBeSameAs(inputs[i]);
            inputs[i].IsNull(s_schema.IndexOf("score")).ShouldBeTrue(); // the input row is not changed
            output.GetInt64(0).ShouldBe(i);
            output.GetString(s_schema.IndexOf("city")).ShouldBe($"city-{i}");
            var expected = engine.Predict(new TestModels.FeatureRow { Features = Features(inputs[i]) }).Probability;
            output.GetDouble(s_schema.IndexOf("score")).ShouldBe(expected, 1e-5, $"row {i}");
        }
    }

    [Fact]
    public void ScoreRows_MissingFeatureColumn_RejectedWhenTheGraphIsBuilt()
    {
        var stream = StreamEnvironment.Create().FromCollection(Array.Empty<Row>());
        var error = Should.Throw<OnnxModelMismatchException>(() => stream.ScoreRows(Model(), s_schema, [.. s_featureColumns[..19], "f99"], "score"));
        error.Message.ShouldStartWith($"Model '{models.LogisticPath}' cannot be applied: the feature column 'f99' is not in the stream's schema (id, f0, f1, ");
    }

    [Fact]
    public void ScoreRows_TextFeatureColumn_RejectedNamingItsType()
    {
        var stream = StreamEnvironment.Create().FromCollection(Array.Empty<Row>());
        var error = Should.Throw<OnnxModelMismatchException>(() => stream.ScoreRows(Model(), s_schema, [.. s_featureColumns[..19], "city"], "score"));
        error.Message.ShouldBe(
            $"Model '{models.LogisticPath}' cannot be fed feature column 'city': it is VARCHAR, and a feature column must be BOOLEAN, INT, BIGINT, FLOAT, DOUBLE or DECIMAL.");
    }

    [Fact]
    public void ScoreRows_ScoreColumnNotFloatingPoint_Rejected()
    {
        var stream = StreamEnvironment.Create().FromCollection(Array.Empty<Row>());
        var error = Should.Throw<OnnxModelMismatchException>(() => stream.ScoreRows(Model(), s_schema, s_featureColumns, "id"));
        error.Message.ShouldBe(
            $"Model '{models.LogisticPath}' cannot write its score to column 'id': it is BIGINT, and the score column must be FLOAT or DOUBLE.");
    }

    [Fact]
    public void ScoreRows_FewerColumnsThanTheModelTakes_RejectedNamingTheShapes()
    {
        var stream = StreamEnvironment.Create().FromCollection(Array.Empty<Row>());
        var error = Should.Throw<OnnxModelMismatchException>(() => stream.ScoreRows(Model(), s_schema, s_featureColumns[..19], "score"));
        error.Message.ShouldStartWith($"Model '{models.LogisticPath}' does not match the stream: input 'Features' expects float[-1, 20] but the stream writes 19 features per record");
    }

    private static Row Row(long id, float[] features, bool nullFeature = false)
    {
        var row = new Row(s_schema);
        row.SetInt64(0, id);
        row.SetDouble(1, features[0]);
        row.SetInt32(2, (int)MathF.Round(features[1] * 10));
        row.SetBoolean(3, features[2] > 0.5f);
        for (var j = 3; j < TestModels.FeatureCount; j++)
        {
            row.SetSingle(j + 1, features[j]);
        }
        if (nullFeature)
        {
            row.SetNull(5);
        }
        row.SetNull(s_schema.IndexOf("score"));
        row.SetString(s_schema.IndexOf("city"), $"city-{id}");
        return row;
    }

    // The features the row holds, converted independently of the scorer: f1 is an INT, f2 a BOOLEAN, a null is 0.
    private static float[] Features(Row row)
    {
        var features = new float[TestModels.FeatureCount];
        features[0] = (float)row.GetDouble(1);
        features[1] = row.GetInt32(2);
        features[2] = row.GetBoolean(3) ? 1 : 0;
        for (var j = 3; j < TestModels.FeatureCount; j++)
        {
            features[j] = row.IsNull(j + 1) ? 0 : row.GetSingle(j + 1);
        }
        return features;
    }
}
