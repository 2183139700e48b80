using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Reading;
using Sluice.Connectors.Delta.Writing;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    /// <summary>
    /// Merges <paramref name="rows"/> into the table by the key <paramref name="keyColumns"/>, copy-on-write — an upsert,
    /// or the application of a changelog: a table row whose key equals a source row's is replaced by it (<c>+I</c>/<c>+U</c>)
    /// or deleted (<c>-D</c>); a source row whose key matches no table row is inserted (<c>-D</c> rows are not);
    /// <c>-U</c> rows are ignored (the <c>+U</c> carries the new row). Only the files that hold a source key are
    /// rewritten (candidates are found by the partition values of key columns and the min/max statistics of the first
    /// other key column); removes (<c>dataChange</c> true), rewritten files and the inserted rows' files are committed in
    /// one version with a <c>MERGE</c> commitInfo. Table rows with a null key column never match.
    /// </summary>
    /// <remarks>
    /// Conflicts (serializable): a concurrent commit that removed a file this merge read, or added a file that may hold
    /// a source key (by the same partition and statistics test), makes it plan again on the new version, up to 3 times;
    /// a concurrent metadata or protocol change fails it. Other concurrent commits (appends elsewhere, OPTIMIZE of
    /// untouched files) are serialized before it. Nothing of a failed merge stays: its new files are deleted, the log is
    /// unchanged. The source is read once, before anything is written, and held in memory (one copy of each row).
    /// </remarks>
    /// <param name="rows">Rows of the table's schema; each key at most once, no null key column.</param>
    /// <param name="keyColumns">The columns that identify a row (scalar columns other than BYTES).</param>
    /// <param name="options">Which clauses apply, or null for an upsert with deletes.</param>
    /// <exception cref="DeltaException">A source row of another schema, with a null key or a key seen before (naming the row
    /// and key); an append-only table; a concurrent metadata change; conflicts on every attempt.</exception>
    /// <exception cref="ArgumentException">No key column, or one the table does not have or cannot key by.</exception>
    public DeltaOperationResult Merge(IEnumerable<Row> rows, IReadOnlyList<string> keyColumns, DeltaMergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(keyColumns);
        options ??= DeltaMergeOptions.Default;
        if ((options.AppId is null) != (options.TransactionVersion is null))
        {
            throw new ArgumentException("Set both AppId and TransactionVersion for an idempotent merge, or neither.", nameof(options));
        }
        if (keyColumns.Count == 0)
        {
            throw new ArgumentException($"MERGE into table '{Path}' needs at least one key column.", nameof(keyColumns));
        }
        var current = GetSnapshot();
        if (options.AppId is { } appId && current.GetTransactionVersion(appId) >= options.TransactionVersion)
        {
            return new DeltaOperationResult(null, 0, 0, 0, 0, 0, 0, 0) { Skipped = true };
        }
        var schema = current.Schema;
        var keys = new int[keyColumns.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = schema.IndexOf(keyColumns[i]);
            if (keys[i] < 0)
            {
                throw new ArgumentException($"MERGE into table '{Path}': key column '{keyColumns[i]}' is not in the table; its columns are: {string.Join(", ", schema.Select(f => f.Name))}.", nameof(keyColumns));
            }
            if (schema[keys[i]].Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Bytes)
            {
                throw new ArgumentException($"MERGE into table '{Path}': key column '{keyColumns[i]}' is a {schema[keys[i]].Type} column; key by scalar columns.", nameof(keyColumns));
            }
        }
        var source = new MergeSource(Path, schema, keys, rows);
        var planNumber = 0;
        var transaction = options.AppId is { } id ? new TxnAction(id, options.TransactionVersion!.Value) : null;
        return RunRewrite("MERGE", replan: true, transaction, plan =>
        {
            planNumber++;
            var snapshot = plan.Snapshot;
            if (!snapshot.Schema.Equals(schema))
            {
                throw new DeltaException($"MERGE into table '{Path}': the table's schema changed to {snapshot.Schema} at version {snapshot.Version} while the merge read its source; run it again with rows of the new schema.", snapshot.Version);
            }
            if (options.UpdateMatched || source.HasDeletes)
            {
                CheckNotAppendOnly(snapshot, "MERGE");
            }
            source.Prepare(snapshot);
            plan.SourceRows = source.Count;
            plan.Parameters["predicate"] = new JsonArray(string.Join(" AND ", keyColumns.Select(k => $"(target.{k} = source.{k})"))).ToJsonString();
            plan.Parameters["keyColumns"] = new JsonArray([.. keyColumns.Select(k => JsonValue.Create(k))]).ToJsonString();
            plan.Parameters["matchedPredicates"] = MatchedClauses(options, source.HasDeletes);
            plan.Parameters["notMatchedPredicates"] = options.InsertNotMatched ? """[{"actionType":"insert"}]""" : "[]";
            plan.AddConflicts = source.MayContain;
            var scan = new DeltaScan(snapshot, null);
            var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var partitionIndexes = snapshot.PartitionColumns.Select(schema.IndexOf).ToArray();
            // Inserted rows, and updated rows that move to another partition, share one writer: written with the
            // rewritten file they would split it into a file per partition, and repeated merges would multiply the files.
            Writing.DataFileWriter? shared = null;
            foreach (var file in snapshot.ActiveFiles)
            {
                if (!source.MayContain(file))
                {
                    continue;
                }
                plan.ReadFiles.Add(DeltaPaths.Decode(file.Path));
                var writer = plan.NewWriter();
                writer.KeepPartitionValues(file);
                long copied = 0, updated = 0, deleted = 0;
                foreach (var row in scan.ReadFile(file))
                {
                    var entry = source.Find(row);
                    if (entry is null)
                    {
                        writer.Write(row);
                        copied++;
                        continue;
                    }
                    entry.MatchedInPlan = planNumber;
                    if (entry.Delete)
                    {
                        deleted++;
                    }
                    else if (options.UpdateMatched)
                    {
                        if (SamePartition(row, entry.Row, partitionIndexes))
                        {
                            writer.Write(entry.Row);
                        }
                        else
                        {
                            (shared ??= SharedWriter(plan, snapshot)).Write(entry.Row);
                        }
                        updated++;
                    }
                    else
                    {
                        writer.Write(row);
                        copied++;
                    }
                }
                if (updated + deleted == 0)
                {
                    writer.Abort();
                    continue;
                }
                plan.Remove(file, dataChange: true, now);
                plan.Adds.AddRange(writer.Finish());
                plan.RowsCopied += copied;
                plan.RowsUpdated += updated;
                plan.RowsDeleted += deleted;
            }
            if (options.InsertNotMatched)
            {
                foreach (var entry in source.Entries)
                {
                    if (entry.MatchedInPlan != planNumber && !entry.Delete)
                    {
                        (shared ??= SharedWriter(plan, snapshot)).Write(entry.Row);
                        plan.RowsInserted++;
                    }
                }
            }
            if (shared is not null)
            {
                plan.Adds.AddRange(shared.Finish());
            }
        });
    }

    /// <summary>The writer of inserted and moved rows, writing a partition the table holds as its first file does.</summary>
    private static Writing.DataFileWriter SharedWriter(Writing.RewritePlan plan, DeltaSnapshot snapshot)
    {
        var writer = plan.NewWriter();
        writer.KeepPartitionValues(snapshot.ActiveFiles);
        return writer;
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> have equal values in every partition column.</summary>
    private static bool SamePartition(Row a, Row b, int[] partitionIndexes)
    {
        foreach (var index in partitionIndexes)
        {
            if (!Equals(a.GetValue(index), b.GetValue(index)))
            {
                return false;
            }
        }
        return true;
    }

    private static string MatchedClauses(DeltaMergeOptions options, bool deletes)
    {
        var clauses = new JsonArray();
        if (deletes)
        {
            clauses.Add(new JsonObject { ["predicate"] = "source.rowKind = '-D'", ["actionType"] = "delete" });
        }
        if (options.UpdateMatched)
        {
            clauses.Add(new JsonObject { ["actionType"] = "update" });
        }
        return clauses.ToJsonString();
    }
}
