namespace Sluice.Connectors.Delta;

/// <summary>Options of one <see cref="DeltaTable.Optimize"/>. Immutable.</summary>
public sealed record DeltaOptimizeOptions
{
    /// <summary>The default target size of a packed file: 128 MiB, as Delta's <c>optimize.maxFileSize</c>.</summary>
    public const long DefaultTargetFileSize = 128L << 20;

    /// <summary>Pack every partition's small files into files of about 128 MiB.</summary>
    public static DeltaOptimizeOptions Default { get; } = new();

    /// <summary>
    /// The size (bytes) packed files aim at: files smaller than this are packed together, in path order, until a pack
    /// reaches it; files at or above it are left alone. At least 1.
    /// </summary>
    public long TargetFileSize { get; init; } = DefaultTargetFileSize;

    /// <summary>Only the partitions that satisfy this predicate on a partition column are packed; null for all.</summary>
    public DeltaPredicate? Where { get; init; }
}
