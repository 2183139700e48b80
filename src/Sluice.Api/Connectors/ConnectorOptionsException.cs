namespace Sluice.Connectors;

/// <summary>
/// A connector's options are invalid: an unknown or missing key, a value that does not parse or is out of range, or
/// an unknown connector. The message is one sentence naming the connector, the option, the value and what is valid
/// (the valid keys, the choices or the range), so it can be shown to the user as is.
/// </summary>
public sealed class ConnectorOptionsException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence naming the option, the value and the valid choices.</param>
    /// <param name="connector">The connector identifier, when known.</param>
    /// <param name="key">The offending option key, when there is one.</param>
    public ConnectorOptionsException(string message, string? connector = null, string? key = null) : base(message)
    {
        Connector = connector;
        Key = key;
    }

    /// <summary>The connector whose options are invalid, when known.</summary>
    public string? Connector { get; }

    /// <summary>The offending option key, when there is one.</summary>
    public string? Key { get; }
}
