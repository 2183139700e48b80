using System.Globalization;
using System.Text;
using Sluice.IO;

namespace Sluice.Log.Storage;

/// <summary>
/// The <c>.clean-shutdown</c> file of a data directory: present only between a clean close of a writable log and the
/// next writable open. It records each partition's end offset at close, so an open can tell a segment that lost its
/// tail (a file cut at a batch boundary) from one that ends where it should. Format version 1, UTF-8 text:
/// <code>
/// sluice-clean-shutdown 1
/// {topic} {partition} {endOffset}      (one line per partition)
/// </code>
/// An unreadable or unknown file counts as absent (an unclean shutdown).
/// </summary>
internal sealed class CleanShutdownMarker
{
    private const string Header = "sluice-clean-shutdown 1";
    private readonly Dictionary<(string Topic, int Partition), long> _ends;

    private CleanShutdownMarker(Dictionary<(string Topic, int Partition), long> ends) => _ends = ends;

    /// <summary>For a topic created now: it has no files, so there is nothing to classify.</summary>
    public static CleanShutdownMarker NewTopic { get; } = new([]);

    /// <summary>The end offset recorded for a partition, or null.</summary>
    public long? EndOffset(string topic, int partition) => _ends.TryGetValue((topic, partition), out long end) ? end : null;

    public static CleanShutdownMarker? TryRead(string path)
    {
        string[] lines;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            lines = File.ReadAllLines(path, Encoding.UTF8);
        }
        catch (IOException)
        {
            return null;
        }

        if (lines.Length == 0 || lines[0] != Header)
        {
            return null;
        }

        var ends = new Dictionary<(string, int), long>();
        foreach (string line in lines.Skip(1))
        {
            string[] parts = line.Split(' ');
            if (parts.Length == 3
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long end))
            {
                ends[(parts[0], partition)] = end;
            }
        }

        return new CleanShutdownMarker(ends);
    }

    public static void Write(string path, IEnumerable<PartitionLog> partitions)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (PartitionLog p in partitions)
        {
            text.Append(CultureInfo.InvariantCulture, $"{p.Topic} {p.Partition} {p.EndOffset}\n");
        }

        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
