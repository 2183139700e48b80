namespace Sluice.Checkpoints;

/// <summary>
/// Periodic checkpoints: consistent snapshots of every operator's state and every source's position, from which a
/// job resumes after a crash with exactly-once state (and exactly-once output through two-phase sinks).
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>Creates options that checkpoint into <paramref name="store"/> every <paramref name="interval"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is not positive.</exception>
    public CheckpointOptions(ICheckpointStore store, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(store);
        EventTime.PositiveMillis(interval, nameof(interval));
        Store = store;
        Interval = interval;
    }

    /// <summary>Checkpoints into a local directory (created if missing) every <paramref name="interval"/>.</summary>
    public static CheckpointOptions InDirectory(string directory, TimeSpan interval) => new(new LocalCheckpointStore(directory), interval);

    /// <summary>Where checkpoints are written and found again on restart.</summary>
    public ICheckpointStore Store { get; }

    /// <summary>Time between the starts of two checkpoints (processing time).</summary>
    public TimeSpan Interval { get; }

    /// <summary>Least time between the end of one checkpoint and the start of the next. Default zero.</summary>
    public TimeSpan MinPause { get; init; }

    /// <summary>
    /// A checkpoint not completed within this time fails the attempt (detected when the next checkpoint is due): the
    /// job restarts from the last completed checkpoint per <see cref="JobOptions.Restart"/>. Default 10 minutes.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Completed checkpoints kept; older ones are deleted after a newer one completes. Default 3.</summary>
    public int Retained { get; init; } = 3;

    /// <summary>Restore from the latest completed checkpoint in <see cref="Store"/> when the job starts. Default true.</summary>
    public bool RestoreOnStart { get; init; } = true;
}
