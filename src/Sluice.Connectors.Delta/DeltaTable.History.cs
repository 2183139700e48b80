using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    /// <summary>
    /// The table's history, newest first: one entry per JSON commit still in the log (commits a checkpoint replaced and
    /// a log cleanup deleted are gone), at most <paramref name="limit"/> when given.
    /// </summary>
    /// <exception cref="DeltaException">A commit in the range is corrupt or truncated, naming it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit below 1.</exception>
    public IReadOnlyList<DeltaHistoryEntry> History(int? limit = null)
    {
        if (limit is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(l, 1, nameof(limit));
        }
        var latest = GetSnapshot();
        var ict = latest.Configuration.TryGetValue("delta.enableInCommitTimestamps", out var enabled) && string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase);
        var entries = new List<DeltaHistoryEntry>();
        foreach (var version in _log.Files.List().Commits.Reverse())
        {
            if (version > latest.Version)
            {
                continue;
            }
            if (entries.Count == limit)
            {
                break;
            }
            var info = _log.ReadCommit(version).OfType<CommitInfoAction>().FirstOrDefault()?.Value;
            entries.Add(new DeltaHistoryEntry(
                version,
                _log.CommitTimestamp(version, ict),
                info?["operation"] is JsonValue op && op.TryGetValue<string>(out var name) ? name : null,
                Texts(info?["operationParameters"]),
                Texts(info?["operationMetrics"]),
                info?["readVersion"] is JsonValue rv && rv.TryGetValue<long>(out var read) ? read : null,
                info?["isBlindAppend"] is JsonValue ba && ba.TryGetValue<bool>(out var blind) ? blind : null,
                info?["engineInfo"] is JsonValue ei && ei.TryGetValue<string>(out var engine) ? engine : null));
        }
        return entries;
    }

    private static Dictionary<string, string> Texts(JsonNode? node)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                texts[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "null";
            }
        }
        return texts;
    }
}
