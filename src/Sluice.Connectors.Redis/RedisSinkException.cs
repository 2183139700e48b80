namespace Sluice.Connectors.Redis;

/// <summary>
/// The Redis sink cannot work as configured or cannot reach its server: the message names the endpoint, the key or the
/// field, and the fix. It never holds the password.
/// </summary>
public sealed class RedisSinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public RedisSinkException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="inner">The cause.</param>
    public RedisSinkException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
