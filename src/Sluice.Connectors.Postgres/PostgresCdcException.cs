namespace Sluice.Connectors.Postgres;

/// <summary>The PostgreSQL CDC source cannot work as configured, or lost its position: the message names the table, slot or setting, and the fix.</summary>
public sealed class PostgresCdcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public PostgresCdcException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="inner">The cause.</param>
    public PostgresCdcException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
