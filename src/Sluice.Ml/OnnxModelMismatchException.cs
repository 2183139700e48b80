namespace Sluice.Ml;

/// <summary>
/// An ONNX model does not fit the stream or the scorer: a wrong feature count, input name or type, or a missing
/// output. Thrown when the job graph is built, before the job runs; the message names the model file, the input or
/// output, and the expected and actual shapes.
/// </summary>
public sealed class OnnxModelMismatchException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public OnnxModelMismatchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public OnnxModelMismatchException(string message, Exception inner) : base(message, inner)
    {
    }
}
