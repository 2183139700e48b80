using System.Globalization;
using System.Text;
using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// A topic: a name, a configuration and a fixed set of partitions. Thread-safe. Obtain from
/// <see cref="PartitionedLog.CreateTopic"/> or <see cref="PartitionedLog.GetTopic"/>.
/// </summary>
public sealed class TopicLog : IDisposable
{
    private const string ConfigFileName = "topic.config";
    private const string ConfigHeader = "sluice-topic-config 1";
    private readonly PartitionLog[] _partitions;

    private TopicLog(string name, string directory, TopicConfig config, PartitionLog[] partitions)
    {
        Name = name;
        Directory = directory;
        Config = config;
        _partitions = partitions;
    }

    /// <summary>Topic name.</summary>
    public string Name { get; }

    /// <summary>The topic's directory under the data directory.</summary>
    public string Directory { get; }

    /// <summary>The topic's configuration (persisted in <c>topic.config</c>).</summary>
    public TopicConfig Config { get; }

    /// <summary>Number of partitions.</summary>
    public int PartitionCount => _partitions.Length;

    /// <summary>All partitions, by number.</summary>
    public IReadOnlyList<PartitionLog> Partitions => _partitions;

    /// <summary>Partitioner for this topic's null-key records (keyed records always use murmur2).</summary>
    public KafkaPartitioner Partitioner { get; } = new();

    /// <summary>Returns a partition.</summary>
    /// <param name="partition">0 ≤ partition &lt; <see cref="PartitionCount"/>.</param>
    public PartitionLog GetPartition(int partition) =>
        (uint)partition < (uint)_partitions.Length
            ? _partitions[partition]
            : throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Topic '{Name}' has partitions 0..{_partitions.Length - 1}.");

    /// <summary>The partition Kafka's default partitioner picks for a key (null key: sticky/round-robin).</summary>
    /// <param name="key">Key bytes.</param>
    /// <param name="keyIsNull">True for a record without key (then <paramref name="key"/> is ignored).</param>
    public int PartitionFor(ReadOnlySpan<byte> key, bool keyIsNull = false) =>
        keyIsNull ? Partitioner.PartitionForNullKey(_partitions.Length) : KafkaPartitioner.PartitionForKey(key, _partitions.Length);

    internal static bool IsValidName(string name) =>
        name.Length is > 0 and <= 249 && name is not "." and not ".." && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    internal static TopicLog Create(string name, string directory, TopicConfig config, LogOptions options)
    {
        System.IO.Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, ConfigFileName), Encoding.UTF8.GetBytes(FormatConfig(config)));
        return Open(name, directory, options, CleanShutdownMarker.NewTopic);
    }

    /// <summary>Opens an existing topic; <paramref name="cleanShutdown"/> is what the last clean close recorded, null
    /// after an unclean one (only after a clean close is a damaged tail of an active segment corruption rather than a
    /// torn write).</summary>
    internal static TopicLog Open(string name, string directory, LogOptions options, CleanShutdownMarker? cleanShutdown)
    {
        string configPath = Path.Combine(directory, ConfigFileName);
        TopicConfig config = ParseConfig(File.ReadAllText(configPath), configPath);
        var partitions = new PartitionLog[config.Partitions];
        try
        {
            for (int i = 0; i < partitions.Length; i++)
            {
                partitions[i] = PartitionLog.Open(name, i, Path.Combine(directory, i.ToString(CultureInfo.InvariantCulture)), config, options, cleanShutdown);
            }
        }
        catch
        {
            foreach (PartitionLog? p in partitions)
            {
                p?.Dispose();
            }

            throw;
        }

        return new TopicLog(name, directory, config, partitions);
    }

    private static string FormatConfig(TopicConfig c) => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        {ConfigHeader}
        partitions={c.Partitions}
        segment.bytes={c.SegmentBytes}
        segment.ms={(long)c.SegmentTime.TotalMilliseconds}
        retention.ms={(c.RetentionTime is { } r ? (long)r.TotalMilliseconds : -1)}
        retention.bytes={c.RetentionBytes ?? -1}
        cleanup.policy={c.CleanupPolicy}
        delete.retention.ms={(long)c.TombstoneRetention.TotalMilliseconds}

        """);

    private static TopicConfig ParseConfig(string text, string path)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || lines[0] != ConfigHeader)
        {
            throw new LogCorruptionException($"Topic config '{path}' does not start with '{ConfigHeader}'.");
        }

        var values = lines.Skip(1).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        long Get(string key) => long.Parse(values[key], CultureInfo.InvariantCulture);
        try
        {
            return new TopicConfig
            {
                Partitions = (int)Get("partitions"),
                SegmentBytes = Get("segment.bytes"),
                SegmentTime = TimeSpan.FromMilliseconds(Get("segment.ms")),
                RetentionTime = Get("retention.ms") < 0 ? null : TimeSpan.FromMilliseconds(Get("retention.ms")),
                RetentionBytes = Get("retention.bytes") < 0 ? null : Get("retention.bytes"),
                CleanupPolicy = Enum.Parse<CleanupPolicy>(values["cleanup.policy"]),
                TombstoneRetention = TimeSpan.FromMilliseconds(Get("delete.retention.ms")),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or ArgumentException or OverflowException)
        {
            throw new LogCorruptionException($"Topic config '{path}' is invalid: {e.Message}");
        }
    }

    /// <summary>False when a partition could not be closed cleanly (see <see cref="PartitionLog.Dispose"/>).</summary>
    internal bool ClosedCleanly => _partitions.All(p => p.ClosedCleanly);

    /// <summary>Closes all partitions (see <see cref="PartitionLog.Dispose"/>).</summary>
    public void Dispose()
    {
        foreach (PartitionLog p in _partitions)
        {
            p.Dispose();
        }
    }
}
