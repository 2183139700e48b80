using Microsoft.Extensions.Logging;

namespace Sluice.Cli;

/// <summary>
/// The CLI's one logging output: each entry as one line on stderr — <c>error: …</c>, <c>warning: …</c>, or (with
/// <c>--verbose</c>) <c>info: …</c> — from the libraries the CLI hosts in-process (the runtime, the embedded log, the
/// connectors). Only the message is written (no category, no exception: the messages name what failed and why).
/// Secrets never reach it: libraries log names, paths, ids and offsets only. Thread-safe.
/// </summary>
internal sealed class StderrLoggerProvider : ILoggerProvider
{
    /// <summary>
    /// The runtime's "job failed" event (category <c>Sluice.Runtime.JobExecution</c>, id 1005, stable): not written,
    /// because a command whose job fails reports that failure itself as its one <c>error:</c> line.
    /// </summary>
    private const int JobFailedEventId = 1005;

    private readonly LogLevel _minimumLevel;

    /// <param name="verbose">Also write <see cref="LogLevel.Information"/> entries (otherwise warnings and errors only).</param>
    public StderrLoggerProvider(bool verbose) => _minimumLevel = verbose ? LogLevel.Information : LogLevel.Warning;

    /// <summary>The CLI's logger factory: this provider alone, warnings and errors (information too with <paramref name="verbose"/>).</summary>
    public static ILoggerFactory CreateFactory(bool verbose)
    {
        var provider = new StderrLoggerProvider(verbose);
        return new LoggerFactory([provider], new LoggerFilterOptions { MinLevel = provider._minimumLevel });
    }

    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class StderrLogger(StderrLoggerProvider provider, string category) : ILogger
    {
        private readonly bool _isJobExecution = category == "Sluice.Runtime.JobExecution";

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || (_isJobExecution && eventId.Id == JobFailedEventId))
            {
                return;
            }
            var prefix = logLevel switch
            {
                >= LogLevel.Error => "error",
                LogLevel.Warning => "warning",
                _ => "info",
            };
            Console.Error.WriteLine($"{prefix}: {formatter(state, exception)}");
        }
    }
}
