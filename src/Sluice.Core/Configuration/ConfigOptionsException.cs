namespace Sluice.Configuration;

/// <summary>
/// Options given to a connector or a row format are invalid: an unknown or missing key, a value that does not parse
/// or is out of range, a combination the owner does not accept, an unknown connector or format, or a schema the format
/// cannot encode. The message is one sentence naming the owner, the option, the value and what is valid (the valid
/// keys, the choices or the range), so it can be shown to the user as is.
/// </summary>
public sealed class ConfigOptionsException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence naming the option, the value and the valid choices.</param>
    /// <param name="owner">The identifier of the connector or format whose options are invalid, when known.</param>
    /// <param name="key">The offending option key, when there is one (null when the schema is at fault).</param>
    public ConfigOptionsException(string message, string? owner = null, string? key = null) : base(message)
    {
        Owner = owner;
        Key = key;
    }

    /// <summary>The identifier of the connector or format whose options are invalid (<c>datagen</c>, <c>json</c>), when known.</summary>
    public string? Owner { get; }

    /// <summary>The offending option key, when there is one.</summary>
    public string? Key { get; }
}
