using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Sluice.Ml;

/// <summary>
/// An ONNX model file and the input and output a scorer uses: a float tensor input of shape [batch, features] and a
/// float output with one value per row ([batch] or [batch, 1]). <see cref="Load"/> reads the model's signature once,
/// when the job graph is built, so a model that does not fit the stream is rejected before the job runs
/// (<see cref="OnnxModelMismatchException"/>); each scoring subtask then opens its own session on the file.
/// </summary>
/// <remarks>Immutable and thread-safe: one instance may be used by many operators and subtasks.</remarks>
public sealed class OnnxModel
{
    private readonly Dictionary<string, NodeMetadata> _inputs;
    private readonly Dictionary<string, NodeMetadata> _outputs;
    private int _sessionsOpened;
    private int _sessionsClosed;
    private long _batchesRun;

    private OnnxModel(string path, Dictionary<string, NodeMetadata> inputs, Dictionary<string, NodeMetadata> outputs, string inputName, string outputName)
    {
        Path = path;
        _inputs = inputs;
        _outputs = outputs;
        InputName = inputName;
        OutputName = outputName;
    }

    /// <summary>The model file (full path).</summary>
    public string Path { get; }

    /// <summary>The input the features are fed to: a float tensor [batch, features].</summary>
    public string InputName { get; }

    /// <summary>The output read as the score: a float tensor with one value per row.</summary>
    public string OutputName { get; }

    /// <summary>The input's shape as the model declares it (−1 for a dynamic dimension, e.g. the batch).</summary>
    public IReadOnlyList<int> InputShape => _inputs[InputName].Dimensions;

    /// <summary>Subtasks that opened a session on this model (one each, in their operator's Open).</summary>
    internal int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    /// <summary>Sessions disposed again (in the operator's Close).</summary>
    internal int SessionsClosed => Volatile.Read(ref _sessionsClosed);

    /// <summary>Batches run through the model by every subtask (one ONNX Runtime call each).</summary>
    internal long BatchesRun => Interlocked.Read(ref _batchesRun);

    /// <summary>
    /// Reads the signature of the model at <paramref name="path"/> and picks its input and output: by name, or the
    /// only one when the name is null.
    /// </summary>
    /// <param name="path">An ONNX model file.</param>
    /// <param name="inputName">The input to feed; null when the model has exactly one input.</param>
    /// <param name="outputName">The output to read as the score; null when the model has exactly one output.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="OnnxModelMismatchException">
    /// The file is not a valid ONNX model, the named input or output does not exist, a name is null and the model has
    /// several, or the input or output is not a float tensor of a usable shape.
    /// </exception>
    public static OnnxModel Load(string path, string? inputName = null, string? outputName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The ONNX model file '{full}' does not exist.", full);
        }
        Dictionary<string, NodeMetadata> inputs, outputs;
        try
        {
            using var session = new InferenceSession(full);
            inputs = new Dictionary<string, NodeMetadata>(session.InputMetadata, StringComparer.Ordinal);
            outputs = new Dictionary<string, NodeMetadata>(session.OutputMetadata, StringComparer.Ordinal);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelMismatchException($"Model '{full}' cannot be loaded by ONNX Runtime: {e.Message}", e);
        }
        var input = Pick(full, "input", inputName, inputs);
        var output = Pick(full, "output", outputName, outputs);
        var model = new OnnxModel(full, inputs, outputs, input, output);
        model.CheckSignature();
        return model;
    }

    /// <summary>
    /// Checks the model against a stream that writes <paramref name="featureCount"/> features per record; called when
    /// the job graph is built.
    /// </summary>
    /// <exception cref="OnnxModelMismatchException">The input's feature dimension is not <paramref name="featureCount"/>.</exception>
    internal void CheckFeatureCount(int featureCount)
    {
        var dims = InputShape;
        if (dims[1] >= 0 && dims[1] != featureCount)
        {
            throw new OnnxModelMismatchException(
                $"Model '{Path}' does not match the stream: input '{InputName}' expects float{Shape(dims)} but the stream writes {featureCount} features per record (float[batch, {featureCount}]). Write {dims[1]} features, or use a model trained on {featureCount}.");
        }
    }

    /// <summary>Opens this subtask's session (the caller disposes it with <see cref="CloseSession"/>).</summary>
    internal InferenceSession OpenSession(int intraOpThreads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var session = new InferenceSession(Path, options);
        Interlocked.Increment(ref _sessionsOpened);
        return session;
    }

    /// <summary>Disposes a session from <see cref="OpenSession"/>.</summary>
    internal void CloseSession(InferenceSession session)
    {
        session.Dispose();
        Interlocked.Increment(ref _sessionsClosed);
    }

    /// <summary>Counts one batch run (any thread).</summary>
    internal void CountBatch() => Interlocked.Increment(ref _batchesRun);

    /// <summary>The output's rank: 1 ([batch]) or 2 ([batch, 1]).</summary>
    internal int OutputRank => _outputs[OutputName].Dimensions.Length;

    private void CheckSignature()
    {
        var input = _inputs[InputName];
        var others = _inputs.Keys.Where(k => k != InputName).Order(StringComparer.Ordinal).ToList();
        if (others.Count > 0)
        {
            throw new OnnxModelMismatchException(
                $"Model '{Path}' does not match the stream: it has inputs '{string.Join("', '", _inputs.Keys.Order(StringComparer.Ordinal))}' but a scorer feeds only '{InputName}'. Export the model with the feature vector as its only input (e.g. convert it with a data view that has no label column).");
        }
        if (input.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || input.ElementDataType != TensorElementType.Float)
        {
            throw new OnnxModelMismatchException(
                $"Model '{Path}' does not match the stream: input '{InputName}' is {Describe(input)} but a scorer feeds float[batch, features]. Export the model with a float feature vector (e.g. convert doubles to float in the training pipeline).");
        }
        if (input.Dimensions.Length != 2 || input.Dimensions[0] > 0)
        {
            throw new OnnxModelMismatchException(
                $"Model '{Path}' does not match the stream: input '{InputName}' has shape {Shape(input.Dimensions)} but a scorer feeds float[batch, features] with a dynamic batch dimension (-1).");
        }
        var output = _outputs[OutputName];
        var dims = output.Dimensions;
        var oneValuePerRow = dims.Length == 1 || (dims.Length == 2 && dims[1] == 1);
        if (output.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || output.ElementDataType != TensorElementType.Float || !oneValuePerRow)
        {
            throw new OnnxModelMismatchException(
                $"Model '{Path}' does not match the scorer: output '{OutputName}' is {Describe(output)} but a score is one float per row (float[batch] or float[batch, 1]). Outputs: {DescribeAll(_outputs)}.");
        }
    }

    private static string Pick(string path, string kind, string? name, Dictionary<string, NodeMetadata> nodes)
    {
        if (name is null)
        {
            if (nodes.Count == 1)
            {
                return nodes.Keys.First();
            }
            throw new OnnxModelMismatchException(
                $"Model '{path}' has {nodes.Count} {kind}s ({DescribeAll(nodes)}); name the one to use ({kind}Name).");
        }
        if (!nodes.ContainsKey(name))
        {
            throw new OnnxModelMismatchException(
                $"Model '{path}' has no {kind} '{name}'; its {kind}s are {DescribeAll(nodes)}.");
        }
        return name;
    }

    private static string DescribeAll(Dictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"'{n.Key}' {Describe(n.Value)}"));

    private static string Describe(NodeMetadata node) => node.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR
        ? $"{node.ElementDataType.ToString().ToLowerInvariant()}{Shape(node.Dimensions)}"
        : node.OnnxValueType.ToString();

    private static string Shape(IReadOnlyList<int> dims) => $"[{string.Join(", ", dims)}]";

    /// <inheritdoc />
    public override string ToString() => $"{System.IO.Path.GetFileName(Path)} ({InputName} → {OutputName})";
}
