namespace Sluice.Connectors.Delta;

/// <summary>What a <see cref="DeltaTable.Vacuum"/> deleted, or would delete in a dry run.</summary>
/// <param name="Files">The data files deleted (or to delete), relative to the table root with <c>/</c> separators, in ordinal order.</param>
/// <param name="Bytes">Their total size in bytes.</param>
/// <param name="DryRun">True when nothing was deleted (the files are what a real run would delete).</param>
/// <param name="RetainedSince">The retention cutoff: every version current at or after it stays readable.</param>
/// <param name="OldestRetainedVersion">The oldest version that stays readable (the one current at the cutoff).</param>
public sealed record DeltaVacuumResult(IReadOnlyList<string> Files, long Bytes, bool DryRun, DateTimeOffset RetainedSince, long OldestRetainedVersion);
