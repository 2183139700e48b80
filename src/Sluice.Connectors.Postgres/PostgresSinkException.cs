namespace Sluice.Connectors.Postgres;

/// <summary>The PostgreSQL sink cannot work as configured: the message names the table, the column or the login, and the fix.</summary>
public sealed class PostgresSinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public PostgresSinkException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="inner">The cause.</param>
    public PostgresSinkException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
