using System.Globalization;
using Sluice.IO;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// File conventions of a sink's staging directory: <c>&lt;kind&gt;-&lt;subtask&gt;-&lt;sequence&gt;-…</c> names, ending in
/// <see cref="InProgressSuffix"/> while written and <see cref="StagedSuffix"/> once complete and durable. Neither
/// suffix matches <c>*.parquet</c>, so lake readers never see staged files.
/// </summary>
internal static class StagingArea
{
    /// <summary>Suffix of a file still being written (never part of a committable; deleted on every start).</summary>
    public const string InProgressSuffix = ".inprogress";

    /// <summary>Suffix of a complete, fsynced staged file.</summary>
    public const string StagedSuffix = ".staged";

    /// <summary>A random 12-hex-digit writer id.</summary>
    public static string NewWriterId() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>The sequence of a staged name <c>kind-subtask-sequence-…</c>, or null when the name is not one.</summary>
    public static long? SequenceOf(string fileName)
    {
        var parts = fileName.Split('-');
        return parts.Length >= 4 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;
    }

    /// <summary>
    /// Deletes every in-progress file and every staged file of a sequence above <paramref name="restoredCheckpointId"/>,
    /// then fsyncs the directory; returns the staged files that remain (sequence ≤ the restored id).
    /// </summary>
    public static List<string> DeleteAbandoned(string directory, long restoredCheckpointId)
    {
        var kept = new List<string>();
        if (!Directory.Exists(directory))
        {
            return kept;
        }
        foreach (var path in Directory.GetFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(InProgressSuffix, StringComparison.Ordinal)
                || (name.EndsWith(StagedSuffix, StringComparison.Ordinal) && SequenceOf(name) is { } sequence && sequence > restoredCheckpointId))
            {
                File.Delete(path);
            }
            else if (name.EndsWith(StagedSuffix, StringComparison.Ordinal))
            {
                kept.Add(path);
            }
        }
        AtomicFile.SyncDirectory(directory);
        return kept;
    }

    /// <summary>Fsyncs a file DuckDB wrote, then renames it from in-progress to staged and fsyncs the directory.</summary>
    public static void Seal(string inProgressPath, string stagedPath)
    {
        using (var handle = File.OpenHandle(inProgressPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(inProgressPath, stagedPath, overwrite: true);
    }
}
