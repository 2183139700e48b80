using System.Text.Json.Serialization;

namespace Sluice.Connectors.Delta.Log;

// The rows of a V1 Parquet checkpoint (PROTOCOL.md, "Checkpoint Schema"): one action per row, as a struct column named
// after the action; the other columns of the row are null. Parquet.Net maps these classes to the nested Parquet schema
// (a class is a group, a Dictionary a MAP, a List a LIST) and names the columns by JsonPropertyName. Reading tolerates
// columns a writer added (stats_parsed, deletionVector…) and columns it left out (read as null).

/// <summary>One row of a checkpoint: exactly one of the properties is set.</summary>
internal sealed class CheckpointRow
{
    [JsonPropertyName("txn")]
    public CheckpointTxn? Txn { get; set; }

    [JsonPropertyName("add")]
    public CheckpointAdd? Add { get; set; }

    [JsonPropertyName("remove")]
    public CheckpointRemove? Remove { get; set; }

    [JsonPropertyName("metaData")]
    public CheckpointMetadata? MetaData { get; set; }

    [JsonPropertyName("protocol")]
    public CheckpointProtocol? Protocol { get; set; }
}

/// <summary>The <c>txn</c> struct of a checkpoint row.</summary>
internal sealed class CheckpointTxn
{
    [JsonPropertyName("appId")]
    public string? AppId { get; set; }

    [JsonPropertyName("version")]
    public long? Version { get; set; }

    [JsonPropertyName("lastUpdated")]
    public long? LastUpdated { get; set; }
}

/// <summary>The <c>add</c> struct of a checkpoint row.</summary>
internal sealed class CheckpointAdd
{
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("partitionValues")]
    public Dictionary<string, string?>? PartitionValues { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }

    [JsonPropertyName("modificationTime")]
    public long? ModificationTime { get; set; }

    [JsonPropertyName("dataChange")]
    public bool? DataChange { get; set; }

    [JsonPropertyName("stats")]
    public string? Stats { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string?>? Tags { get; set; }
}

/// <summary>The <c>remove</c> struct of a checkpoint row (a tombstone: no stats, no tags).</summary>
internal sealed class CheckpointRemove
{
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("deletionTimestamp")]
    public long? DeletionTimestamp { get; set; }

    [JsonPropertyName("dataChange")]
    public bool? DataChange { get; set; }

    [JsonPropertyName("extendedFileMetadata")]
    public bool? ExtendedFileMetadata { get; set; }

    [JsonPropertyName("partitionValues")]
    public Dictionary<string, string?>? PartitionValues { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }
}

/// <summary>The <c>metaData</c> struct of a checkpoint row.</summary>
internal sealed class CheckpointMetadata
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("format")]
    public CheckpointFormat? Format { get; set; }

    [JsonPropertyName("schemaString")]
    public string? SchemaString { get; set; }

    [JsonPropertyName("partitionColumns")]
    public List<string>? PartitionColumns { get; set; }

    [JsonPropertyName("configuration")]
    public Dictionary<string, string?>? Configuration { get; set; }

    [JsonPropertyName("createdTime")]
    public long? CreatedTime { get; set; }
}

/// <summary>The <c>format</c> struct of a checkpoint's <c>metaData</c>.</summary>
internal sealed class CheckpointFormat
{
    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    [JsonPropertyName("options")]
    public Dictionary<string, string?>? Options { get; set; }
}

/// <summary>The <c>protocol</c> struct of a checkpoint row.</summary>
internal sealed class CheckpointProtocol
{
    [JsonPropertyName("minReaderVersion")]
    public int? MinReaderVersion { get; set; }

    [JsonPropertyName("minWriterVersion")]
    public int? MinWriterVersion { get; set; }

    [JsonPropertyName("readerFeatures")]
    public List<string>? ReaderFeatures { get; set; }

    [JsonPropertyName("writerFeatures")]
    public List<string>? WriterFeatures { get; set; }
}
