using System.Text.Json;
using Sluice.Connectors.Delta.Log;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Reading;

/// <summary>
/// Reads the statistics of an <c>add</c> action (its <c>stats</c> JSON): the row count and one column's bounds. Missing
/// or unreadable statistics give nulls, which callers treat as "unknown" (the file may hold anything). Stateless.
/// </summary>
internal static class FileStatistics
{
    /// <summary>The file's <c>numRecords</c>, or null when unknown.</summary>
    public static long? NumRecords(AddFile file)
    {
        if (file.Stats is null)
        {
            return null;
        }
        try
        {
            using var stats = JsonDocument.Parse(file.Stats);
            return stats.RootElement.TryGetProperty("numRecords", out var records) && records.ValueKind == JsonValueKind.Number ? records.GetInt64() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The minimum and maximum of column <paramref name="column"/> (of <paramref name="type"/>) in the file, each null when
    /// unknown; a timestamp maximum is widened by 1 ms (writers truncate it); string bounds that UTF-16 and UTF-8 order
    /// may disagree on are both unknown (<see cref="Writing.Utf8Order.TrustedBounds"/>).
    /// </summary>
    public static (IComparable? Min, IComparable? Max) Bounds(AddFile file, string column, DataType type)
    {
        if (file.Stats is null)
        {
            return (null, null);
        }
        try
        {
            using var stats = JsonDocument.Parse(file.Stats);
            var root = stats.RootElement;
            IComparable? min = null, max = null;
            if (root.TryGetProperty("minValues", out var mins) && mins.ValueKind == JsonValueKind.Object && mins.TryGetProperty(column, out var m))
            {
                min = DeltaPredicate.StatValue(m, type, isMax: false);
            }
            if (root.TryGetProperty("maxValues", out var maxes) && maxes.ValueKind == JsonValueKind.Object && maxes.TryGetProperty(column, out var x))
            {
                max = DeltaPredicate.StatValue(x, type, isMax: true);
            }
            return Writing.Utf8Order.TrustedBounds(min, max);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
