using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Writing;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    private const string EngineInfo = "Sluice";

    /// <summary>
    /// Appends <paramref name="rows"/> as new data files and commits them in one version. With a transaction id
    /// (<see cref="DeltaAppendOptions.AppId"/>, <see cref="DeltaAppendOptions.TransactionVersion"/>) the commit also
    /// records a <c>txn</c> action, and an append whose version the table already holds for that application is a
    /// no-op — before writing, and again when a concurrent commit turns out to have recorded it. A concurrent append by
    /// another writer is not a conflict: the commit is retried at the next version. A concurrent change of the table's
    /// metadata or protocol is: the append fails. A failed append deletes its data files and leaves the log as it was.
    /// </summary>
    /// <param name="rows">Rows of the table schema (or, with <see cref="DeltaAppendOptions.MergeSchema"/>, of a schema that adds nullable columns). Consumed once.</param>
    /// <param name="options">The transaction id and schema evolution, or null for a plain append.</param>
    /// <exception cref="DeltaException">The rows' schema does not fit the table (naming the field); the table needs a
    /// writer feature Sluice does not implement; a concurrent metadata or protocol change; no free version after
    /// <see cref="DeltaTableOptions.MaxCommitAttempts"/> attempts.</exception>
    public DeltaCommitResult Append(IEnumerable<Row> rows, DeltaAppendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= DeltaAppendOptions.Default;
        if ((options.AppId is null) != (options.TransactionVersion is null))
        {
            throw new ArgumentException("Set both AppId and TransactionVersion for an idempotent append, or neither.", nameof(options));
        }
        var snapshot = GetSnapshot();
        DeltaFeatures.CheckWritable(Path, snapshot.Version, snapshot.Protocol, snapshot.Metadata);
        if (options.AppId is { } appId && snapshot.GetTransactionVersion(appId) >= options.TransactionVersion)
        {
            return new DeltaCommitResult(null, Skipped: true, 0, 0, 0);
        }
        var tableSchema = snapshot.Schema;
        Schema? writeSchema = null;
        MetadataAction? newMetadata = null;
        Row? projected = null;
        int[]? projection = null;
        Schema? rowsSchema = null;
        DataFileWriter? writer = null;
        try
        {
            foreach (var row in rows)
            {
                if (rowsSchema is null)
                {
                    rowsSchema = row.Schema;
                    writeSchema = SchemaEvolution.Plan(Path, snapshot.Version, tableSchema, rowsSchema, options.MergeSchema, out projection);
                    if (!ReferenceEquals(writeSchema, tableSchema))
                    {
                        newMetadata = snapshot.Metadata with { SchemaString = DeltaSchemaJson.Write(writeSchema) };
                    }
                    if (projection is not null)
                    {
                        projected = new Row(writeSchema);
                    }
                    writer = new DataFileWriter(Path, writeSchema, snapshot.PartitionColumns, Options.NewGuid, Options.TimeProvider);
                    writer.KeepPartitionValues(snapshot.ActiveFiles);
                }
                else if (!ReferenceEquals(row.Schema, rowsSchema) && !row.Schema.Equals(rowsSchema))
                {
                    throw new DeltaException($"The rows appended to table '{Path}' do not share one schema: {row.Schema} after {rowsSchema}.", snapshot.Version);
                }
                if (projected is not null)
                {
                    for (var i = 0; i < projection!.Length; i++)
                    {
                        if (projection[i] < 0)
                        {
                            projected.SetNull(i);
                        }
                        else
                        {
                            projected.SetValue(i, row.GetValue(projection[i]));
                        }
                    }
                    writer!.Write(projected);
                }
                else
                {
                    writer!.Write(row);
                }
            }
            var adds = writer?.Finish() ?? [];
            if (adds.Count == 0 && options.AppId is null && newMetadata is null)
            {
                return new DeltaCommitResult(null, Skipped: false, 0, 0, 0);
            }
            var result = Commit(snapshot.Version, newMetadata, adds, options, writer?.RowCount ?? 0);
            if (result.Skipped)
            {
                writer?.Abort();
            }
            return result with { RowsAdded = result.Skipped ? 0 : writer?.RowCount ?? 0 };
        }
        catch
        {
            writer?.Abort();
            throw;
        }
        finally
        {
            writer?.Dispose();
        }
    }

    /// <summary>
    /// Commits data files written earlier (by a sink writer, staged until its checkpoint completed) in one version, with
    /// the transaction of <paramref name="options"/>: a no-op when the table already holds that transaction version.
    /// The files must be in the table's directory and of its current schema; a file that no longer exists fails the
    /// commit (nothing is committed) rather than committing an <c>add</c> no reader can open.
    /// </summary>
    /// <exception cref="DeltaException">A file is missing — a VACUUM deleted it as unreferenced while its commit was
    /// pending (a job down longer than the retention period) — naming the file.</exception>
    internal DeltaCommitResult CommitFiles(List<AddFile> adds, DeltaAppendOptions options)
    {
        var snapshot = GetSnapshot();
        DeltaFeatures.CheckWritable(Path, snapshot.Version, snapshot.Protocol, snapshot.Metadata);
        if (options.AppId is { } appId && snapshot.GetTransactionVersion(appId) >= options.TransactionVersion)
        {
            return new DeltaCommitResult(null, Skipped: true, 0, 0, 0);
        }
        foreach (var add in adds)
        {
            var relative = DeltaPaths.Decode(add.Path);
            var full = System.IO.Path.IsPathRooted(relative) ? relative : System.IO.Path.Combine(Path, relative);
            if (!File.Exists(full))
            {
                throw new DeltaException(
                    $"Cannot commit data file '{add.Path}' to table '{Path}'{(options.AppId is { } id ? $" (transaction {id} version {options.TransactionVersion})" : "")}: it no longer exists ({full}). "
                    + "A VACUUM deletes files no commit names once they are older than the retention period, so a job down longer than that loses its pending files; nothing was committed. "
                    + "Rerun the job from an earlier position into the table (its rows of this checkpoint are not in it), and keep job downtime under the table's retention (delta.deletedFileRetentionDuration).",
                    snapshot.Version, add.Path);
            }
        }
        return Commit(snapshot.Version, null, adds, options, adds.Sum(a => Reading.FileStatistics.NumRecords(a) ?? 0));
    }

    private DeltaCommitResult Commit(long readVersion, MetadataAction? newMetadata, List<AddFile> adds, DeltaAppendOptions options, long outputRows)
    {
        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        for (var attempt = 1; attempt <= Options.MaxCommitAttempts; attempt++)
        {
            var actions = new List<DeltaAction>(adds.Count + 3);
            if (newMetadata is not null)
            {
                actions.Add(newMetadata);
            }
            actions.AddRange(adds);
            if (options.AppId is { } appId)
            {
                actions.Add(new TxnAction(appId, options.TransactionVersion!.Value, now));
            }
            actions.Add(new CommitInfoAction(new JsonObject
            {
                ["timestamp"] = now,
                ["operation"] = "WRITE",
                ["operationParameters"] = new JsonObject { ["mode"] = "Append" },
                ["readVersion"] = readVersion,
                ["isBlindAppend"] = newMetadata is null,
                ["operationMetrics"] = Writing.RewritePlan.Metrics(("numFiles", adds.Count), ("numOutputRows", outputRows), ("numOutputBytes", adds.Sum(a => a.Size))),
                ["engineInfo"] = EngineInfo,
            }));
            var version = readVersion + 1;
            if (TryCreateCommit(version, DeltaActionJson.WriteCommit(actions)))
            {
                var checkpointError = MaybeCheckpoint(version);
                return new DeltaCommitResult(version, Skipped: false, adds.Count, 0, attempt, checkpointError);
            }
            // Another writer took the version: decide from the commits that won whether ours can follow them.
            var latest = _log.Files.List().LatestVersion;
            for (var v = version; v <= latest; v++)
            {
                foreach (var action in _log.ReadCommit(v))
                {
                    switch (action)
                    {
                        case MetadataAction or ProtocolAction:
                            throw new DeltaException(
                                $"The append to table '{Path}' read version {readVersion}, but version {v} changed the table's {(action is MetadataAction ? "metadata (schema, partitioning or properties)" : "protocol")} concurrently; nothing was committed. Retry the append against the new version.",
                                v, DeltaLogFiles.CommitName(v));
                        case TxnAction txn when txn.AppId == options.AppId && txn.Version >= options.TransactionVersion:
                            return new DeltaCommitResult(null, Skipped: true, 0, 0, attempt);
                    }
                }
            }
            readVersion = latest;
        }
        throw new DeltaException($"The append to table '{Path}' found no free version in {Options.MaxCommitAttempts} attempts: other writers kept committing first; nothing was committed.", readVersion);
    }

    /// <summary>
    /// Creates the commit file of <paramref name="version"/> only if absent: the content goes to a hidden temporary file
    /// in the log directory first, which is then linked to the commit's name only if that name is free
    /// (<see cref="AtomicFile"/>: link(2), atomic). Readers never see a partly written commit.
    /// </summary>
    /// <returns>False when the version already exists (another writer won it).</returns>
    private bool TryCreateCommit(long version, byte[] content)
    {
        var name = DeltaLogFiles.CommitName(version);
        var target = _log.Files.PathOf(name);
        Directory.CreateDirectory(_log.Files.LogPath);
        if (File.Exists(target))
        {
            return false;
        }
        var temp = _log.Files.PathOf($".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            return AtomicFile.TryCreateNoReplace(temp, target);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string? MaybeCheckpoint(long version)
    {
        var interval = Options.CheckpointInterval;
        try
        {
            var snapshot = _log.Load(version);
            if (snapshot.Configuration.TryGetValue("delta.checkpointInterval", out var configured)
                && int.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out var fromTable) && fromTable > 0)
            {
                interval = fromTable;
            }
            if (version % interval != 0)
            {
                return null;
            }
            DeltaCheckpoints.Write(_log.Files, snapshot);
            return null;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            // The commit is durable (the caller must not undo it); a checkpoint is an optimisation the next due one makes up for.
            return $"The checkpoint of version {version} of table '{Path}' was not written: {e.Message}";
        }
    }

    private void CreateVersionZero(Schema schema, IReadOnlyList<string> partitionBy, IReadOnlyDictionary<string, string?> configuration)
    {
        foreach (var column in partitionBy)
        {
            var index = schema.IndexOf(column);
            if (index < 0)
            {
                throw new DeltaException($"Table '{Path}' cannot be partitioned by '{column}': the schema has no such column; its columns are: {string.Join(", ", schema.Select(f => f.Name))}.");
            }
            if (schema[index].Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Bytes)
            {
                throw new DeltaException($"Table '{Path}' cannot be partitioned by '{column}', a {schema[index].Type} column; partition by a scalar column.");
            }
        }
        var ntz = DeltaSchemaJson.HasTimestampNtz(schema);
        var protocol = ntz ? new ProtocolAction(3, 7, ["timestampNtz"], ["timestampNtz"]) : new ProtocolAction(1, 2);
        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var metadata = new MetadataAction(Options.NewGuid().ToString("D"), DeltaSchemaJson.Write(schema), [.. partitionBy], configuration, now);
        var commitInfo = new CommitInfoAction(new JsonObject
        {
            ["timestamp"] = now,
            ["operation"] = "CREATE TABLE",
            ["operationParameters"] = new JsonObject { ["partitionBy"] = new JsonArray([.. partitionBy.Select(c => JsonValue.Create(c))]) },
            ["isBlindAppend"] = true,
            ["engineInfo"] = EngineInfo,
        });
        if (!TryCreateCommit(0, DeltaActionJson.WriteCommit([protocol, metadata, commitInfo])))
        {
            throw new DeltaException($"A Delta table already exists at '{Path}' (it has a version 0); open it with DeltaTable.Open instead.", 0, DeltaLogFiles.CommitName(0));
        }
    }
}
