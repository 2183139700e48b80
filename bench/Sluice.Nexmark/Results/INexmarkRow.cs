using System.Text.Json;

namespace Sluice.Nexmark.Results;

/// <summary>A result row of a Nexmark query.</summary>
public interface INexmarkRow
{
    /// <summary>
    /// A 64-bit hash of the row. A query's checksum is the wrapping sum of its rows' fingerprints: independent of the
    /// order in which an engine produced them, so equal for engines that agree on the (sorted) result multiset.
    /// </summary>
    ulong Fingerprint();

    /// <summary>Writes the row as one JSON object (the Flink sink table's columns).</summary>
    void WriteJson(Utf8JsonWriter writer);
}
