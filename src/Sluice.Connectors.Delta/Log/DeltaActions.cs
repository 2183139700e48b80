using System.Text.Json.Nodes;

namespace Sluice.Connectors.Delta.Log;

/// <summary>One action of the Delta log (PROTOCOL.md, "Actions"): a line of a JSON commit or a row of a checkpoint.</summary>
internal abstract record DeltaAction;

/// <summary>
/// The <c>protocol</c> action: the reader and writer versions a client needs, and from reader version 3 / writer
/// version 7 the named table features.
/// </summary>
internal sealed record ProtocolAction(int MinReaderVersion, int MinWriterVersion, IReadOnlyList<string>? ReaderFeatures = null, IReadOnlyList<string>? WriterFeatures = null) : DeltaAction;

/// <summary>
/// The <c>metaData</c> action: the table's id, schema (Delta's JSON schema string), partition columns and configuration.
/// A later one replaces an earlier one completely.
/// </summary>
internal sealed record MetadataAction(
    string Id,
    string SchemaString,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string?> Configuration,
    long? CreatedTime = null,
    string? Name = null,
    string? Description = null,
    string FormatProvider = "parquet") : DeltaAction;

/// <summary>
/// The <c>add</c> action: a data file of the table. <paramref name="Path"/> is as in the log (a URI-encoded path
/// relative to the table root, or an absolute URI); <paramref name="PartitionValues"/> holds the serialized value of
/// each partition column (null for a null value); <paramref name="Stats"/> is the statistics JSON or null.
/// </summary>
internal sealed record AddFile(
    string Path,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    long ModificationTime,
    bool DataChange,
    string? Stats = null,
    IReadOnlyDictionary<string, string?>? Tags = null,
    string? DeletionVectorId = null) : DeltaAction;

/// <summary>The <c>remove</c> action: a tombstone for a data file no longer in the table (kept for VACUUM).</summary>
internal sealed record RemoveFile(
    string Path,
    long? DeletionTimestamp,
    bool DataChange,
    IReadOnlyDictionary<string, string?>? PartitionValues = null,
    long? Size = null,
    bool? ExtendedFileMetadata = null,
    string? DeletionVectorId = null) : DeltaAction;

/// <summary>The <c>txn</c> action: application <paramref name="AppId"/> has committed its transaction <paramref name="Version"/>.</summary>
internal sealed record TxnAction(string AppId, long Version, long? LastUpdated = null) : DeltaAction;

/// <summary>
/// The <c>commitInfo</c> action: provenance, free-form JSON. Sluice reads <c>timestamp</c>, <c>inCommitTimestamp</c>
/// and <c>operation</c>; the rest is kept as read.
/// </summary>
internal sealed record CommitInfoAction(JsonObject Value) : DeltaAction
{
    /// <summary>The <c>inCommitTimestamp</c> (ms since the epoch), or null.</summary>
    public long? InCommitTimestamp => Value["inCommitTimestamp"] is JsonValue v && v.TryGetValue<long>(out var t) ? t : null;

    /// <summary>The <c>operation</c> (<c>WRITE</c>, <c>MERGE</c>…), or null.</summary>
    public string? Operation => Value["operation"] is JsonValue v && v.TryGetValue<string>(out var o) ? o : null;
}
