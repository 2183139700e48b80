using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>
/// Where the store calls <see cref="CompatibilityChecker.Check"/>: one place, so the registry never depends on more of
/// the checker than its one method.
/// </summary>
internal static class CompatibilitySeam
{
    /// <summary>The reasons <paramref name="candidate"/> is incompatible with <paramref name="previous"/> under <paramref name="level"/>.</summary>
    public static IReadOnlyList<string> Check(CompatibilityLevel level, ParsedSchema candidate, IReadOnlyList<(int Version, ParsedSchema Schema)> previous) =>
        CompatibilityChecker.Check(level, candidate, previous);
}
