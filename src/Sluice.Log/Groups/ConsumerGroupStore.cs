using Sluice.IO;
using Sluice.Log.Groups;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// Durable committed offsets per consumer group and partition. A commit replaces the group's file atomically
/// (temp file, fsync, rename) before it returns, so after a crash a group has either its previous or its new
/// offsets, never a mix. Thread-safe; commits are serialised.
/// </summary>
public sealed class ConsumerGroupStore
{
    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly Dictionary<string, Dictionary<TopicPartition, long>> _groups = new(StringComparer.Ordinal);

    /// <param name="directory">The groups directory.</param>
    /// <param name="readOnlyLog">The log was opened read-only: nothing is created or cleaned up on open (the directory is
    /// created by the first commit).</param>
    internal ConsumerGroupStore(string directory, bool readOnlyLog)
    {
        _directory = directory;
        if (!readOnlyLog)
        {
            Directory.CreateDirectory(directory);
            foreach (string leftover in Directory.EnumerateFiles(directory, "*.tmp"))
            {
                File.Delete(leftover);
            }
        }

        foreach (string path in Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.offsets") : [])
        {
            var (group, offsets) = GroupOffsetsFile.Decode(File.ReadAllBytes(path), path);
            _groups[group] = offsets;
        }
    }

    /// <summary>Names of all groups with committed offsets, sorted.</summary>
    public IReadOnlyList<string> ListGroups()
    {
        lock (_lock)
        {
            return [.. _groups.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The committed offset (next offset to read) of a group on a partition, or null when none.</summary>
    /// <param name="group">Group name.</param>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Partition number.</param>
    public long? GetCommittedOffset(string group, string topic, int partition)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(group, out var offsets) && offsets.TryGetValue(new TopicPartition(topic, partition), out long o) ? o : null;
        }
    }

    /// <summary>A copy of all committed offsets of a group (empty when unknown).</summary>
    /// <param name="group">Group name.</param>
    public IReadOnlyDictionary<TopicPartition, long> GetCommittedOffsets(string group)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(group, out var offsets) ? new Dictionary<TopicPartition, long>(offsets) : [];
        }
    }

    /// <summary>Durably commits offsets for a group (all or nothing); returns after the fsync.</summary>
    /// <param name="group">Group name (any non-empty string).</param>
    /// <param name="offsets">Offsets to set; other partitions of the group keep theirs.</param>
    public void Commit(string group, IEnumerable<TopicPartitionOffset> offsets)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(offsets);
        lock (_lock)
        {
            var updated = _groups.TryGetValue(group, out var current) ? new Dictionary<TopicPartition, long>(current) : [];
            foreach (TopicPartitionOffset o in offsets)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(o.Offset);
                updated[new TopicPartition(o.Topic, o.Partition)] = o.Offset;
            }

            string path = GroupOffsetsFile.PathFor(_directory, group);
            try
            {
                Directory.CreateDirectory(_directory);
                AtomicFile.Write(path, GroupOffsetsFile.Encode(group, updated));
            }
            catch (IOException e)
            {
                throw new LogException($"Committing offsets of consumer group '{group}' to '{path}' failed: {e.Message}", e);
            }

            _groups[group] = updated;
        }
    }

    /// <summary>Deletes a group and its file; returns false when it did not exist.</summary>
    /// <param name="group">Group name.</param>
    public bool DeleteGroup(string group)
    {
        lock (_lock)
        {
            if (!_groups.Remove(group))
            {
                return false;
            }

            File.Delete(GroupOffsetsFile.PathFor(_directory, group));
            return true;
        }
    }

    /// <summary>Removes a topic's offsets from every group (when the topic is deleted).</summary>
    internal void ForgetTopic(string topic)
    {
        foreach (string group in ListGroups())
        {
            lock (_lock)
            {
                var offsets = _groups[group];
                if (offsets.Keys.Any(k => k.Topic == topic))
                {
                    var kept = offsets.Where(e => e.Key.Topic != topic).ToDictionary();
                    AtomicFile.Write(GroupOffsetsFile.PathFor(_directory, group), GroupOffsetsFile.Encode(group, kept));
                    _groups[group] = kept;
                }
            }
        }
    }
}
