using System.Text.Json;
using Parquet;
using Parquet.Serialization;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Reads and writes V1 Parquet checkpoints (classic and multi-part) and <c>_last_checkpoint</c>. A checkpoint holds the
/// reconciled state of a version: protocol, metadata, the txn of each application, the active files and the unexpired
/// tombstones; never commitInfo. Stateless, thread-safe.
/// </summary>
internal static class DeltaCheckpoints
{
    /// <summary>Reads the actions of the checkpoint of <paramref name="version"/> made of <paramref name="parts"/>.</summary>
    /// <exception cref="DeltaException">A part is not a readable checkpoint, or a row holds an action without its required fields.</exception>
    public static List<DeltaAction> Read(DeltaLogFiles log, long version, IReadOnlyList<string> parts)
    {
        var actions = new List<DeltaAction>();
        foreach (var part in parts)
        {
            IList<CheckpointRow> rows;
            try
            {
                using var stream = File.OpenRead(log.PathOf(part));
                rows = ParquetSerializer.DeserializeAsync<CheckpointRow>(stream).GetAwaiter().GetResult().Data;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or ArgumentException or IndexOutOfRangeException)
            {
                throw new DeltaException($"Checkpoint file '{part}' of version {version} in table '{log.TablePath}' cannot be read: {e.Message}", version, part, e);
            }
            foreach (var row in rows)
            {
                if (ToAction(row, version, part) is { } action)
                {
                    actions.Add(action);
                }
            }
        }
        return actions;
    }

    private static DeltaAction? ToAction(CheckpointRow row, long version, string part)
    {
        DeltaException Missing(string action, string field) =>
            new($"Checkpoint file '{part}' of version {version} is corrupt: a '{action}' row has no '{field}', which the protocol requires.", version, part);

        if (row.Add is { Path: not null } add)
        {
            return new AddFile(add.Path, add.PartitionValues ?? [], add.Size ?? throw Missing("add", "size"), add.ModificationTime ?? 0, add.DataChange ?? false, add.Stats, add.Tags);
        }
        if (row.Remove is { Path: not null } remove)
        {
            return new RemoveFile(remove.Path, remove.DeletionTimestamp, remove.DataChange ?? false, remove.PartitionValues, remove.Size, remove.ExtendedFileMetadata);
        }
        if (row.Txn is { AppId: not null } txn)
        {
            return new TxnAction(txn.AppId, txn.Version ?? throw Missing("txn", "version"), txn.LastUpdated);
        }
        if (row.MetaData is { Id: not null } metadata)
        {
            return new MetadataAction(
                metadata.Id,
                metadata.SchemaString ?? throw Missing("metaData", "schemaString"),
                metadata.PartitionColumns ?? [],
                metadata.Configuration ?? [],
                metadata.CreatedTime,
                metadata.Name,
                metadata.Description,
                metadata.Format?.Provider ?? "parquet");
        }
        if (row.Protocol is { MinReaderVersion: { } reader, MinWriterVersion: { } writer } protocol)
        {
            return new ProtocolAction(reader, writer, protocol.ReaderFeatures, protocol.WriterFeatures);
        }
        return null;
    }

    /// <summary>
    /// Writes the classic checkpoint of <paramref name="snapshot"/> (to a temporary file, then renamed over any
    /// checkpoint of the same version, which holds the same state) and then <c>_last_checkpoint</c> the same way.
    /// </summary>
    public static void Write(DeltaLogFiles log, DeltaSnapshot snapshot)
    {
        var rows = new List<CheckpointRow>(snapshot.ActiveFiles.Count + snapshot.Tombstones.Count + snapshot.AppVersions.Count + 2)
        {
            new()
            {
                Protocol = new CheckpointProtocol
                {
                    MinReaderVersion = snapshot.Protocol.MinReaderVersion,
                    MinWriterVersion = snapshot.Protocol.MinWriterVersion,
                    ReaderFeatures = snapshot.Protocol.ReaderFeatures?.ToList(),
                    WriterFeatures = snapshot.Protocol.WriterFeatures?.ToList(),
                },
            },
            new()
            {
                MetaData = new CheckpointMetadata
                {
                    Id = snapshot.Metadata.Id,
                    Name = snapshot.Metadata.Name,
                    Description = snapshot.Metadata.Description,
                    Format = new CheckpointFormat { Provider = snapshot.Metadata.FormatProvider, Options = [] },
                    SchemaString = snapshot.Metadata.SchemaString,
                    PartitionColumns = [.. snapshot.Metadata.PartitionColumns],
                    Configuration = new Dictionary<string, string?>(snapshot.Metadata.Configuration),
                    CreatedTime = snapshot.Metadata.CreatedTime,
                },
            },
        };
        foreach (var (appId, txn) in snapshot.AppVersions)
        {
            rows.Add(new CheckpointRow { Txn = new CheckpointTxn { AppId = appId, Version = txn.Version, LastUpdated = txn.LastUpdated } });
        }
        foreach (var add in snapshot.ActiveFiles)
        {
            rows.Add(new CheckpointRow
            {
                Add = new CheckpointAdd
                {
                    Path = add.Path,
                    PartitionValues = new Dictionary<string, string?>(add.PartitionValues),
                    Size = add.Size,
                    ModificationTime = add.ModificationTime,
                    DataChange = false,
                    Stats = add.Stats,
                    Tags = add.Tags is null ? null : new Dictionary<string, string?>(add.Tags),
                },
            });
        }
        foreach (var remove in snapshot.Tombstones)
        {
            rows.Add(new CheckpointRow
            {
                Remove = new CheckpointRemove
                {
                    Path = remove.Path,
                    DeletionTimestamp = remove.DeletionTimestamp,
                    DataChange = false,
                    ExtendedFileMetadata = remove.ExtendedFileMetadata,
                    PartitionValues = remove.PartitionValues is null ? null : new Dictionary<string, string?>(remove.PartitionValues),
                    Size = remove.Size,
                },
            });
        }
        var name = DeltaLogFiles.CheckpointName(snapshot.Version);
        var temp = log.PathOf($".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }).GetAwaiter().GetResult();
                stream.Flush(flushToDisk: true);
            }
            var size = new FileInfo(temp).Length;
            File.Move(temp, log.PathOf(name), overwrite: true);
            WriteLastCheckpoint(log, new LastCheckpoint(snapshot.Version, rows.Count, null, size, snapshot.ActiveFiles.Count));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads <c>_last_checkpoint</c>, or null when it is absent or not valid JSON (a reader then lists the log).</summary>
    public static LastCheckpoint? ReadLastCheckpoint(DeltaLogFiles log)
    {
        try
        {
            var bytes = File.ReadAllBytes(log.PathOf(DeltaLogFiles.LastCheckpointName));
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return new LastCheckpoint(
                root.GetProperty("version").GetInt64(),
                root.TryGetProperty("size", out var size) && size.TryGetInt64(out var s) ? s : 0,
                root.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Number ? parts.GetInt32() : null,
                root.TryGetProperty("sizeInBytes", out var bytesProperty) && bytesProperty.ValueKind == JsonValueKind.Number ? bytesProperty.GetInt64() : null,
                root.TryGetProperty("numOfAddFiles", out var adds) && adds.ValueKind == JsonValueKind.Number ? adds.GetInt64() : null);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static void WriteLastCheckpoint(DeltaLogFiles log, LastCheckpoint last)
    {
        var temp = log.PathOf($".{DeltaLogFiles.LastCheckpointName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new Utf8JsonWriter(stream, DeltaActionJson.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", last.Version);
                writer.WriteNumber("size", last.Size);
                if (last.SizeInBytes is { } sizeInBytes)
                {
                    writer.WriteNumber("sizeInBytes", sizeInBytes);
                }
                if (last.NumOfAddFiles is { } adds)
                {
                    writer.WriteNumber("numOfAddFiles", adds);
                }
                writer.WriteEndObject();
            }
            File.Move(temp, log.PathOf(DeltaLogFiles.LastCheckpointName), overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}

/// <summary>The content of <c>_last_checkpoint</c>: the checkpoint's version, its action count and, for a multi-part one, its part count.</summary>
internal sealed record LastCheckpoint(long Version, long Size, int? Parts, long? SizeInBytes, long? NumOfAddFiles);
