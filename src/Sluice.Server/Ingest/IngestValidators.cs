using System.Collections.Concurrent;

namespace Sluice.Server.Ingest;

/// <summary>
/// The record validator of each topic (see <see cref="IRecordValidator"/>): empty unless one is set. Schema checks
/// against the registry are per request (<c>?format=</c>, <see cref="IngestSchemas"/>), not here. Thread-safe.
/// </summary>
internal sealed class IngestValidators
{
    private readonly ConcurrentDictionary<string, IRecordValidator> _byTopic = new(StringComparer.Ordinal);

    /// <summary>Sets (or, with null, removes) the validator of <paramref name="topic"/>.</summary>
    public void Set(string topic, IRecordValidator? validator)
    {
        if (validator is null)
        {
            _byTopic.TryRemove(topic, out _);
        }
        else
        {
            _byTopic[topic] = validator;
        }
    }

    /// <summary>The validator of <paramref name="topic"/>, or null when its records are not checked.</summary>
    public IRecordValidator? For(string topic) => _byTopic.TryGetValue(topic, out var v) ? v : null;
}
