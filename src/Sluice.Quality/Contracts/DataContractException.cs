namespace Sluice.Quality;

/// <summary>A data contract that cannot be read or applied; the message names the file, line and field, and the fix.</summary>
public sealed class DataContractException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataContractException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public DataContractException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public DataContractException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
