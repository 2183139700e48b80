namespace Sluice.Connectors.Delta;

/// <summary>Options of the Delta sink (<see cref="DeltaStreamExtensions.ToDelta"/>). Immutable.</summary>
public sealed record DeltaSinkOptions
{
    /// <summary>The partition columns when the sink creates the table (ignored when it exists). Empty by default.</summary>
    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    /// <summary>Table properties when the sink creates the table (ignored when it exists).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>How the table writes (checkpoint interval, commit attempts).</summary>
    public DeltaTableOptions Table { get; init; } = DeltaTableOptions.Default;
}
