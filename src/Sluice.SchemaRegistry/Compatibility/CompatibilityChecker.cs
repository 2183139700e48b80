using System.Globalization;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>
/// Checks a candidate schema against a subject's earlier versions under a <see cref="CompatibilityLevel"/>, with
/// Confluent's semantics. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// A BACKWARD check reads with the candidate data written with an earlier version; a FORWARD check reads with the
/// earlier version data written with the candidate; FULL does both. Avro pairs follow the Avro specification's schema
/// resolution (see <c>docs/schema-compatibility.md</c>); JSON Schema pairs follow Confluent's JSON Schema diff, where
/// "reads" means "accepts every document the writer accepted".
/// </remarks>
public static class CompatibilityChecker
{
    /// <summary>
    /// The reasons <paramref name="candidate"/> is incompatible with <paramref name="previous"/> under
    /// <paramref name="level"/>; empty when it is compatible. Each reason is one sentence naming the version, the
    /// direction (which side reads, which wrote), the incompatibility type (Confluent's <c>errorType</c>, such as
    /// <c>READER_FIELD_MISSING_DEFAULT_VALUE</c>), the location (<c>/fields/1/type</c>) and the change, as Confluent's
    /// <c>messages</c> of <c>?verbose=true</c>.
    /// </summary>
    /// <remarks>
    /// Non-transitive levels check only the last of <paramref name="previous"/>; transitive ones check every version,
    /// latest first, and stop at the first incompatible version (as Confluent does), so the reasons name one version.
    /// An empty <paramref name="previous"/> and <see cref="CompatibilityLevel.None"/> are always compatible. A previous
    /// schema of another <see cref="SchemaType"/> than the candidate is incompatible, with one reason saying so.
    /// </remarks>
    /// <param name="level">The subject's compatibility level.</param>
    /// <param name="candidate">The schema about to be registered or tested.</param>
    /// <param name="previous">The subject's live (not soft-deleted) versions, oldest first, with their version numbers.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not a defined level.</exception>
    /// <exception cref="NotSupportedException">The schemas are of a type without a compatibility checker (PROTOBUF).</exception>
    public static IReadOnlyList<string> Check(CompatibilityLevel level, ParsedSchema candidate, IReadOnlyList<(int Version, ParsedSchema Schema)> previous)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);
        var (transitive, backward, forward) = level switch
        {
            CompatibilityLevel.None => (false, false, false),
            CompatibilityLevel.Backward => (false, true, false),
            CompatibilityLevel.BackwardTransitive => (true, true, false),
            CompatibilityLevel.Forward => (false, false, true),
            CompatibilityLevel.ForwardTransitive => (true, false, true),
            CompatibilityLevel.Full => (false, true, true),
            CompatibilityLevel.FullTransitive => (true, true, true),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, $"Unknown compatibility level {level}."),
        };
        if (!(backward || forward) || previous.Count == 0)
        {
            return [];
        }
        var oldest = transitive ? 0 : previous.Count - 1;
        for (var i = previous.Count - 1; i >= oldest; i--)
        {
            var (version, schema) = previous[i];
            ArgumentNullException.ThrowIfNull(schema, nameof(previous));
            var reasons = CheckVersion(level, candidate, version, schema, backward, forward);
            if (reasons.Count > 0)
            {
                return reasons;
            }
        }
        return [];
    }

    private static List<string> CheckVersion(CompatibilityLevel level, ParsedSchema candidate, int version, ParsedSchema previous, bool backward, bool forward)
    {
        var levelName = Name(level);
        var versionName = string.Create(CultureInfo.InvariantCulture, $"version {version}");
        if (candidate.Type != previous.Type)
        {
            return [$"{levelName} check against {versionName}: SCHEMA_TYPE_MISMATCH: the new schema is {Name(candidate.Type)} but {versionName} is {Name(previous.Type)}; a subject's versions must keep one schema type."];
        }
        var reasons = new List<string>();
        if (backward)
        {
            Describe(reasons, levelName, versionName, $"the new schema reading data written with {versionName}", Compare(reader: candidate, writer: previous));
        }
        if (forward)
        {
            Describe(reasons, levelName, versionName, $"{versionName} reading data written with the new schema", Compare(reader: previous, writer: candidate));
        }
        return reasons;
    }

    private static void Describe(List<string> reasons, string level, string version, string direction, IReadOnlyList<SchemaIncompatibility> issues)
    {
        foreach (var issue in issues)
        {
            reasons.Add($"{level} check against {version} ({direction}): {issue.Type} at '{issue.Location}': {issue.Description}.");
        }
    }

    private static IReadOnlyList<SchemaIncompatibility> Compare(ParsedSchema reader, ParsedSchema writer) => (reader, writer) switch
    {
        (AvroSchema r, AvroSchema w) => AvroCompatibility.Check(r.Schema, w.Schema),
        (JsonSchemaDocument r, JsonSchemaDocument w) => JsonSchemaCompatibility.Check(r.Document, w.Document),
        _ => throw new NotSupportedException($"Compatibility checks of {Name(reader.Type)} schemas are not supported; use AVRO or JSON."),
    };

    /// <summary>A level as Confluent spells it: <c>BACKWARD_TRANSITIVE</c>.</summary>
    private static string Name(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.FullTransitive => "FULL_TRANSITIVE",
        _ => level.ToString().ToUpperInvariant(),
    };

    private static string Name(SchemaType type) => type.ToString().ToUpperInvariant();
}
