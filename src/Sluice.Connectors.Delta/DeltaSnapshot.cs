using Sluice.Connectors.Delta.Log;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

/// <summary>
/// The state of a Delta table at one version: its schema, partition columns, configuration, active data files and the
/// last committed version of each application (the <c>txn</c> actions). Immutable and thread-safe; a snapshot never
/// changes when the table does — load a new one with <see cref="DeltaTable.GetSnapshot"/>.
/// </summary>
public sealed class DeltaSnapshot
{
    internal DeltaSnapshot(
        string tablePath,
        long version,
        ProtocolAction protocol,
        MetadataAction metadata,
        IReadOnlyList<AddFile> activeFiles,
        IReadOnlyList<RemoveFile> tombstones,
        IReadOnlyDictionary<string, TxnAction> appVersions)
    {
        TablePath = tablePath;
        Version = version;
        Protocol = protocol;
        Metadata = metadata;
        ActiveFiles = activeFiles;
        Tombstones = tombstones;
        AppVersions = appVersions;
        Schema = DeltaSchemaJson.Parse(metadata.SchemaString);
        foreach (var column in metadata.PartitionColumns)
        {
            if (Schema.IndexOf(column) < 0)
            {
                throw new DeltaException($"Table '{tablePath}' at version {version} is partitioned by '{column}', which its schema does not have.", version);
            }
        }
    }

    /// <summary>The table's root directory (absolute).</summary>
    public string TablePath { get; }

    /// <summary>The table version this snapshot is of (0 for the first commit).</summary>
    public long Version { get; }

    /// <summary>The table's schema (partition columns included, in the schema's order).</summary>
    public Schema Schema { get; }

    /// <summary>The partition columns, in the order of the table's metadata.</summary>
    public IReadOnlyList<string> PartitionColumns => Metadata.PartitionColumns;

    /// <summary>The table properties (<c>metaData.configuration</c>).</summary>
    public IReadOnlyDictionary<string, string?> Configuration => Metadata.Configuration;

    /// <summary>The table's id (<c>metaData.id</c>, a GUID for tables Sluice creates).</summary>
    public string TableId => Metadata.Id;

    /// <summary>The number of active data files.</summary>
    public int FileCount => ActiveFiles.Count;

    /// <summary>The total size in bytes of the active data files.</summary>
    public long SizeInBytes => ActiveFiles.Sum(f => f.Size);

    /// <summary>The number of rows, from the files' statistics; null when a file has no <c>numRecords</c>.</summary>
    public long? RowCount
    {
        get
        {
            long total = 0;
            foreach (var file in ActiveFiles)
            {
                if (Reading.FileStatistics.NumRecords(file) is not { } n)
                {
                    return null;
                }
                total += n;
            }
            return total;
        }
    }

    internal ProtocolAction Protocol { get; }

    internal MetadataAction Metadata { get; }

    internal IReadOnlyList<AddFile> ActiveFiles { get; }

    internal IReadOnlyList<RemoveFile> Tombstones { get; }

    internal IReadOnlyDictionary<string, TxnAction> AppVersions { get; }

    /// <summary>
    /// The last transaction version application <paramref name="appId"/> committed (its latest <c>txn</c> action), or
    /// null when it never committed to this table. An idempotent writer skips a transaction whose version is not greater.
    /// </summary>
    public long? GetTransactionVersion(string appId)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return AppVersions.TryGetValue(appId, out var txn) ? txn.Version : null;
    }
}
