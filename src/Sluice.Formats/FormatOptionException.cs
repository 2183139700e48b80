namespace Sluice.Formats;

/// <summary>
/// An option given to a <see cref="RowFormat"/> is unknown or has a value it does not accept, or the schema cannot be
/// used with the format. The message names the option, the value and what is valid.
/// </summary>
public sealed class FormatOptionException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence naming the option, the value and the valid choices or keys.</param>
    /// <param name="option">The option's key, or null when the schema is at fault.</param>
    public FormatOptionException(string message, string? option = null) : base(message) => Option = option;

    /// <summary>The option at fault, or null when the error is about the schema.</summary>
    public string? Option { get; }
}
