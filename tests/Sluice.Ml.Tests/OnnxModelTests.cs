namespace Sluice.Ml.Tests;

/// <summary>A model that does not fit the stream is rejected when the job graph is built, with a message naming it.</summary>
public sealed class OnnxModelTests(TestModels models) : IClassFixture<TestModels>
{
    private static readonly FeatureWriter<float[]> s_copy = static (row, features) => row.CopyTo(features);

    [Fact]
    public void Load_ModelWithSeveralOutputs_PicksTheNamedOneAndReadsTheInputShape()
    {
        var model = OnnxModel.Load(models.LogisticPath, outputName: "Probability.output");
        model.InputName.ShouldBe("Features");
        model.OutputName.ShouldBe("Probability.output");
        model.InputShape.ShouldBe([-1, 20]);
        model.Path.ShouldBe(models.LogisticPath);
    }

    [Fact]
    public void Score_WrongFeatureCount_RejectedWhenTheGraphIsBuiltNamingFileInputAndShapes()
    {
        var model = OnnxModel.Load(models.LogisticPath, outputName: "Probability.output");
        var env = StreamEnvironment.Create();
        var stream = env.FromCollection(new[] { new float[19] });
        var error = Should.Throw<OnnxModelMismatchException>(() => stream.Score(model, 19, s_copy, static (_, p) => p));
        error.Message.ShouldBe(
            $"Model '{models.LogisticPath}' does not match the stream: input 'Features' expects float[-1, 20] but the stream writes 19 features per record (float[batch, 19]). Write 20 features, or use a model trained on 19.");
    }

    [Fact]
    public void Load_UnknownInputName_RejectedNamingTheModelsInputs()
    {
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(models.LogisticPath, "features", "Probability.output"));
        error.Message.ShouldBe($"Model '{models.LogisticPath}' has no input 'features'; its inputs are 'Features' float[-1, 20].");
    }

    [Fact]
    public void Load_MissingOutput_RejectedNamingTheModelsOutputs()
    {
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(models.LogisticPath, outputName: "Fraud.output"));
        error.Message.ShouldStartWith($"Model '{models.LogisticPath}' has no output 'Fraud.output'; its outputs are ");
        error.Message.ShouldContain("'Probability.output' float[-1, 1]");
        error.Message.ShouldContain("'PredictedLabel.output' bool[-1, 1]");
    }

    [Fact]
    public void Load_SeveralOutputsAndNoName_RejectedAskingForTheName()
    {
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(models.LogisticPath));
        error.Message.ShouldBe(
            $"Model '{models.LogisticPath}' has 4 outputs ('Features.output' float[-1, 20], 'PredictedLabel.output' bool[-1, 1], 'Probability.output' float[-1, 1], 'Score.output' float[-1, 1]); name the one to use (outputName).");
    }

    [Fact]
    public void Load_OutputWithAVectorPerRow_RejectedAsNotAScore()
    {
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(models.LogisticPath, outputName: "Features.output"));
        error.Message.ShouldStartWith(
            $"Model '{models.LogisticPath}' does not match the scorer: output 'Features.output' is float[-1, 20] but a score is one float per row (float[batch] or float[batch, 1]).");
    }

    [Fact]
    public void Load_DoubleInput_RejectedNamingTheInputType()
    {
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(models.DoubleInputPath, outputName: "Probability.output"));
        error.Message.ShouldStartWith(
            $"Model '{models.DoubleInputPath}' does not match the stream: input 'Features' is double[-1, 20] but a scorer feeds float[batch, features].");
    }

    [Fact]
    public void Load_TwoInputs_RejectedNamingBoth()
    {
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(models.TwoInputsPath, "A", "Probability.output"));
        error.Message.ShouldStartWith($"Model '{models.TwoInputsPath}' does not match the stream: it has inputs 'A', 'B' but a scorer feeds only 'A'.");
    }

    [Fact]
    public void Load_NoFile_NamesThePath()
    {
        var path = Path.Combine(models.Directory, "absent.onnx");
        var error = Should.Throw<FileNotFoundException>(() => OnnxModel.Load(path));
        error.Message.ShouldBe($"The ONNX model file '{path}' does not exist.");
    }

    [Fact]
    public void Load_NotAModel_RejectedNamingTheFile()
    {
        var path = Path.Combine(models.Directory, "not-a-model.onnx");
        File.WriteAllText(path, "this is not protobuf");
        var error = Should.Throw<OnnxModelMismatchException>(() => OnnxModel.Load(path));
        error.Message.ShouldStartWith($"Model '{path}' cannot be loaded by ONNX Runtime: ");
    }

    [Fact]
    public void Score_InvalidBatchSize_Rejected()
    {
        var model = OnnxModel.Load(models.LogisticPath, outputName: "Probability.output");
        var stream = StreamEnvironment.Create().FromCollection(new[] { new float[20] });
        Should.Throw<ArgumentOutOfRangeException>(() => stream.Score(model, 20, s_copy, static (_, p) => p, new OnnxScoringOptions { BatchSize = 0 }))
            .ParamName.ShouldBe("BatchSize");
    }
}
