namespace Sluice.Connectors.Delta;

/// <summary>One commit of a table's history, from its <c>commitInfo</c> action (<see cref="DeltaTable.History"/>).</summary>
/// <param name="Version">The table version.</param>
/// <param name="Timestamp">The commit time as time travel sees it: the in-commit timestamp when the table enables them, else the commit file's modification time.</param>
/// <param name="Operation">The operation (<c>WRITE</c>, <c>MERGE</c>, <c>DELETE</c>, <c>OPTIMIZE</c>, <c>VACUUM START</c>…), or null when the commit has no commitInfo.</param>
/// <param name="Parameters">The <c>operationParameters</c>, each value as text (JSON text for a value that is not a string).</param>
/// <param name="Metrics">The <c>operationMetrics</c> (<c>numFiles</c>, <c>numOutputRows</c>, <c>numTargetRowsUpdated</c>…), each value as text.</param>
/// <param name="ReadVersion">The version the writer read, when recorded.</param>
/// <param name="IsBlindAppend">Whether the commit only appended without reading, when recorded.</param>
/// <param name="EngineInfo">The writer (<c>Sluice</c>, <c>Apache-Spark/3.5.0 Delta-Lake/3.1.0</c>…), when recorded.</param>
public sealed record DeltaHistoryEntry(
    long Version,
    DateTimeOffset Timestamp,
    string? Operation,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Metrics,
    long? ReadVersion,
    bool? IsBlindAppend,
    string? EngineInfo);
