using Sluice.Connectors.Log;
using Sluice.Log;
using Sluice.Orchestration;

namespace Sluice.Server.Dags;

/// <summary>
/// <see cref="ITopicProbe"/> on an embedded log: the server's open log (it owns the directory lock), or — from the
/// CLI — a log directory leased per poke through <see cref="SharedLogs"/>, so pokes that overlap in this process (two
/// topic sensors, overlapping backfill runs, a sql_job's 'sluice-log' table) share one open log instead of the second
/// one being refused by the exclusive directory lock. A log another process holds cannot be opened (its directory lock
/// is exclusive, even for readers), so the probe then fails naming the holder and telling the user to run the DAG in
/// that server. Thread-safe.
/// </summary>
internal sealed class LogTopicProbe : ITopicProbe
{
    private readonly PartitionedLog? _log;
    private readonly string? _directory;

    private LogTopicProbe(PartitionedLog? log, string? directory)
    {
        _log = log;
        _directory = directory;
    }

    /// <summary>A probe on a log this process has open (the caller keeps owning it).</summary>
    public static LogTopicProbe Shared(PartitionedLog log) => new(log, null);

    /// <summary>A probe that leases the log in <paramref name="directory"/> (shared in this process) for each poke.</summary>
    public static LogTopicProbe OnDirectory(string directory) => new(null, Path.GetFullPath(directory));

    public Task<IReadOnlyList<TopicPartitionPosition>> ProbeAsync(TopicProbeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Quick and synchronous: a last poke when the sensor's time is up still answers (as a file sensor's does).
        _ = cancellationToken;
        if (_log is not null)
        {
            return Task.FromResult(Describe(_log, request));
        }
        if (!Directory.Exists(_directory))
        {
            throw new TopicProbeException($"There is no embedded log in '{_directory}' for the {request.Describe()}: pass the server's data directory as --data-dir.");
        }
        try
        {
            using var lease = SharedLogs.Acquire(_directory);
            return Task.FromResult(Describe(lease.Log, request));
        }
        catch (DataDirectoryLockedException e)
        {
            // Only another process (or a direct open bypassing SharedLogs) gets here; e's message names the holder.
            throw new TopicProbeException(
                $"The embedded log in '{_directory}' is held by another process, so the {request.Describe()} cannot be read from here ({e.Message}): " +
                "run this DAG in the server that owns the log ('sluice server --dags-dir …', trigger it with POST /api/dags/{id}/runs).", e);
        }
    }

    private static IReadOnlyList<TopicPartitionPosition> Describe(PartitionedLog log, TopicProbeRequest request)
    {
        if (!log.TryGetTopic(request.Topic, out var topic))
        {
            var names = log.ListTopics().Select(t => t.Name).DefaultIfEmpty("none");
            throw new TopicProbeException($"There is no {request.Describe()} (topics: {string.Join(", ", names)}): create it or fix 'topic'.");
        }
        if (request.Partition is { } wanted && wanted >= topic.PartitionCount)
        {
            throw new TopicProbeException($"The {request.Describe()} has no partition {wanted} (it has {topic.PartitionCount}: 0-{topic.PartitionCount - 1}).");
        }
        var timestamp = request.EventTime?.ToUnixTimeMilliseconds();
        var positions = new List<TopicPartitionPosition>();
        foreach (var partition in topic.Partitions)
        {
            if (request.Partition is null || request.Partition == partition.Partition)
            {
                positions.Add(new TopicPartitionPosition(partition.Partition, partition.EndOffset, timestamp is { } t ? partition.FindOffsetForTimestamp(t) : null));
            }
        }
        return positions;
    }
}
