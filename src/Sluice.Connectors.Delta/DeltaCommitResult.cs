namespace Sluice.Connectors.Delta;

/// <summary>What an append did.</summary>
/// <param name="Version">The table version it committed, or null when it committed nothing (no rows and no transaction, or a replayed transaction).</param>
/// <param name="Skipped">True when the transaction version was already committed, so nothing was written.</param>
/// <param name="FilesAdded">The data files the commit added.</param>
/// <param name="RowsAdded">The rows the commit added.</param>
/// <param name="Attempts">How many commit attempts it took (more than 1 when other writers committed concurrently).</param>
/// <param name="CheckpointError">Why the checkpoint due after this commit could not be written, or null; the commit itself is durable either way, and the next due checkpoint covers it.</param>
public sealed record DeltaCommitResult(long? Version, bool Skipped, int FilesAdded, long RowsAdded, int Attempts, string? CheckpointError = null);
