using Microsoft.Extensions.Logging;

namespace Sluice.Cli;

/// <summary>
/// The CLI's <see cref="ILogger"/> for libraries it hosts in-process (the embedded log): warnings and errors as one
/// line each on stderr (<c>warning: …</c>, <c>error: …</c>), nothing below <see cref="LogLevel.Warning"/>. Secrets
/// never reach it: libraries log names, paths and offsets only. Thread-safe.
/// </summary>
internal sealed class StderrLogger : ILogger
{
    public static readonly StderrLogger Instance = new();

    private StderrLogger()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"{(logLevel >= LogLevel.Error ? "error" : "warning")}: {formatter(state, exception)}");
        }
    }
}
