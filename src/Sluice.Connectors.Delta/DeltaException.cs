namespace Sluice.Connectors.Delta;

/// <summary>
/// A Delta table cannot be read or written: its log is damaged (a corrupt or truncated commit, a missing version), it
/// needs a protocol feature Sluice does not implement, a schema change is not additive, or a concurrent writer changed
/// what a commit depends on. The message is one sentence naming the table, the file or version and the field, then the
/// fix; <see cref="Version"/> and <see cref="FileName"/> carry the same facts for code.
/// </summary>
public sealed class DeltaException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong (naming the table, file or version) and how to fix it.</param>
    /// <param name="version">The table version concerned, when one is.</param>
    /// <param name="fileName">The log or data file concerned, when one is.</param>
    /// <param name="inner">The cause, when there is one.</param>
    public DeltaException(string message, long? version = null, string? fileName = null, Exception? inner = null)
        : base(message, inner)
    {
        Version = version;
        FileName = fileName;
    }

    /// <summary>The table version concerned, or null.</summary>
    public long? Version { get; }

    /// <summary>The file concerned (a log file name such as <c>00000000000000000003.json</c>, or a data file path), or null.</summary>
    public string? FileName { get; }
}
