using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sluice.Tests.Shared;

/// <summary>One entry a <see cref="CollectingLoggerFactory"/> received.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>
/// A logger factory that keeps every entry at or above <see cref="LogLevel.Debug"/> (all categories) in memory, for
/// tests that assert on what was logged; also a provider, to collect what a host logs. Thread-safe.
/// </summary>
internal sealed class CollectingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Raised on the logging thread for each entry, after it was added to <see cref="Entries"/>.</summary>
    public event Action<LogEntry>? Logged;

    /// <summary>The entries so far, in the order they were logged.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>The entries with event id <paramref name="eventId"/>.</summary>
    public IReadOnlyList<LogEntry> WithEventId(int eventId) => [.. _entries.Where(e => e.EventId.Id == eventId)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The collecting factory takes no providers.");

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Debug and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var entry = new LogEntry(category, logLevel, eventId, formatter(state, exception), exception);
                owner._entries.Enqueue(entry);
                owner.Logged?.Invoke(entry);
            }
        }
    }
}
