namespace Sluice.Connectors.Delta;

/// <summary>
/// How a <see cref="DeltaTable"/> writes: the checkpoint interval and the number of commit attempts under contention.
/// Immutable once given to a table.
/// </summary>
public sealed record DeltaTableOptions
{
    /// <summary>The default options: a checkpoint every 10 commits, up to 100 commit attempts.</summary>
    public static DeltaTableOptions Default { get; } = new();

    /// <summary>
    /// A Parquet checkpoint is written after every commit whose version is a positive multiple of this (10 by default,
    /// as in Spark); the table property <c>delta.checkpointInterval</c> overrides it. At least 1.
    /// </summary>
    public int CheckpointInterval { get; init; } = 10;

    /// <summary>
    /// How many times an append tries to commit when other writers keep taking the next version (100 by default). Each
    /// retry re-checks the winning commits for conflicts first. At least 1.
    /// </summary>
    public int MaxCommitAttempts { get; init; } = 100;

    /// <summary>The clock for commit and file timestamps (the system clock by default; tests pin it).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>New GUIDs for data file names (random by default; golden tests pin it).</summary>
    internal Func<Guid> NewGuid { get; init; } = Guid.NewGuid;

    /// <summary>Called after a copy-on-write operation has planned (and written its files), before its first commit
    /// attempt: tests commit a concurrent change there, deterministically. Null in production.</summary>
    internal Action? BeforeRewriteCommit { get; init; }

    /// <summary>Called by VACUUM with an emptied partition directory it found empty, just before deleting it: tests
    /// create a concurrent writer's file there, deterministically. Null in production.</summary>
    internal Action<string>? BeforeVacuumDeletesDirectory { get; init; }
}
