using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>
/// Checks a candidate schema against a subject's earlier versions under a <see cref="CompatibilityLevel"/>, with
/// Confluent's semantics. Stateless and thread-safe.
/// </summary>
public static class CompatibilityChecker
{
    /// <summary>
    /// The reasons <paramref name="candidate"/> is incompatible with <paramref name="previous"/> under
    /// <paramref name="level"/>; empty when it is compatible. Each reason is one sentence naming the version, the
    /// field path and the change (as Confluent's <c>messages</c> of <c>?verbose=true</c>).
    /// </summary>
    /// <param name="level">The subject's compatibility level.</param>
    /// <param name="candidate">The schema about to be registered or tested.</param>
    /// <param name="previous">The subject's live (not soft-deleted) versions, oldest first, with their version numbers.</param>
    /// <exception cref="ArgumentException">The candidate and a previous schema are of different types (the registry
    /// rejects that before checking).</exception>
    public static IReadOnlyList<string> Check(CompatibilityLevel level, ParsedSchema candidate, IReadOnlyList<(int Version, ParsedSchema Schema)> previous)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);
        throw new NotImplementedException("The compatibility checker is being written (issue 16).");
    }
}
