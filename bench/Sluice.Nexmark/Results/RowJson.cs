using System.Text;
using System.Text.Json;

namespace Sluice.Nexmark.Results;

/// <summary>Formats rows as JSON lines.</summary>
public static class RowJson
{
    /// <summary>One row as a JSON object string.</summary>
    public static string Format(INexmarkRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            row.WriteJson(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes rows sorted by their JSON text (ordinal), one per line, to <paramref name="path"/>.</summary>
    public static void WriteSorted(string path, IEnumerable<INexmarkRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lines = rows.Select(Format).ToList();
        lines.Sort(StringComparer.Ordinal);
        File.WriteAllLines(path, lines);
    }
}
