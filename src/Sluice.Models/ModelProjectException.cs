namespace Sluice.Models;

/// <summary>
/// A model project cannot be loaded or compiled: a file does not parse, a <c>ref</c> names no model, the models form
/// a cycle, a test names an unknown column argument. Raised before anything runs. <see cref="Exception.Message"/>
/// is one sentence that starts with the file and line (<c>models/orders.sql:12:5: …</c>) when there is one.
/// </summary>
public sealed class ModelProjectException : Exception
{
    /// <summary>Creates the error with its full message.</summary>
    public ModelProjectException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its full message and cause.</summary>
    public ModelProjectException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
