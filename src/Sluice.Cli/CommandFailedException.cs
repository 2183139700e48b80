namespace Sluice.Cli;

/// <summary>
/// A command cannot do what was asked for a reason the user can fix (a missing or unwritable directory, a data
/// directory made with other options). Its message is shown as is after <c>error: </c>: one sentence naming the
/// option or path, plus the fix. The top-level handler in <see cref="Program"/> turns it into exit code 1.
/// </summary>
internal sealed class CommandFailedException(string message, Exception? innerException = null) : Exception(message, innerException);
