using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;

namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// What a copy-on-write operation (DELETE, MERGE, OPTIMIZE) will commit, and what it read: the files it removes and
/// adds, the files it read (a concurrent commit removing one of them conflicts), the test of a concurrently added file
/// (one that may hold rows the operation would have read conflicts), its <c>commitInfo</c> parameters and metrics, and
/// every data file it wrote (deleted when it does not commit). Not thread-safe: one plan per attempt.
/// </summary>
internal sealed class RewritePlan(string tablePath, DeltaSnapshot snapshot, DeltaTableOptions options)
{
    private readonly List<DataFileWriter> _writers = [];

    /// <summary>The snapshot planned against.</summary>
    public DeltaSnapshot Snapshot { get; } = snapshot;

    /// <summary>The <c>add</c> actions to commit.</summary>
    public List<AddFile> Adds { get; } = [];

    /// <summary>The <c>remove</c> actions to commit.</summary>
    public List<RemoveFile> Removes { get; } = [];

    /// <summary>The decoded paths of the files the operation read (its removes among them).</summary>
    public HashSet<string> ReadFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether a file a concurrent commit added (with <c>dataChange</c>) may hold rows this operation should have read; null when no added file conflicts (OPTIMIZE).</summary>
    public Func<AddFile, bool>? AddConflicts { get; set; }

    /// <summary>The <c>txn</c> action the commit carries (an idempotent MERGE), or null.</summary>
    public TxnAction? Transaction { get; set; }

    /// <summary>The <c>operationParameters</c> of the commit.</summary>
    public JsonObject Parameters { get; } = [];

    /// <summary>The source rows of a MERGE.</summary>
    public long SourceRows { get; set; }

    /// <summary>The rows inserted, updated, deleted and copied unchanged into rewritten files.</summary>
    public long RowsInserted { get; set; }

    /// <inheritdoc cref="RowsInserted"/>
    public long RowsUpdated { get; set; }

    /// <inheritdoc cref="RowsInserted"/>
    public long RowsDeleted { get; set; }

    /// <inheritdoc cref="RowsInserted"/>
    public long RowsCopied { get; set; }

    /// <summary>Whether the plan changes nothing (no file added or removed) and records no transaction.</summary>
    public bool IsEmpty => Adds.Count == 0 && Removes.Count == 0 && Transaction is null;

    /// <summary>A new writer of the snapshot's schema and partitioning, whose files <see cref="Abort"/> deletes.</summary>
    public DataFileWriter NewWriter(long targetFileSize = long.MaxValue)
    {
        var writer = new DataFileWriter(tablePath, Snapshot.Schema, Snapshot.PartitionColumns, options.NewGuid, options.TimeProvider, targetFileSize);
        _writers.Add(writer);
        return writer;
    }

    /// <summary>Records that <paramref name="file"/> is read, and removes it from the table.</summary>
    public void Remove(AddFile file, bool dataChange, long deletionTimestamp)
    {
        ReadFiles.Add(DeltaPaths.Decode(file.Path));
        Removes.Add(new RemoveFile(file.Path, deletionTimestamp, dataChange, file.PartitionValues, file.Size, ExtendedFileMetadata: true));
    }

    /// <summary>The metrics as Spark writes them: a JSON object of decimal strings.</summary>
    public static JsonObject Metrics(params (string Name, long Value)[] metrics)
    {
        var json = new JsonObject();
        foreach (var (name, value) in metrics)
        {
            json[name] = value.ToString(CultureInfo.InvariantCulture);
        }
        return json;
    }

    /// <summary>The bytes of the files added.</summary>
    public long AddedBytes() => Adds.Sum(a => a.Size);

    /// <summary>The bytes of the files removed.</summary>
    public long RemovedBytes() => Removes.Sum(r => r.Size ?? 0);

    /// <summary>Deletes every data file this plan's writers created: nothing of a failed or conflicting attempt stays.</summary>
    public void Abort()
    {
        foreach (var writer in _writers)
        {
            writer.Abort();
            writer.Dispose();
        }
        _writers.Clear();
    }

    /// <summary>Releases the writers (their committed files stay).</summary>
    public void Complete()
    {
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }
        _writers.Clear();
    }
}
