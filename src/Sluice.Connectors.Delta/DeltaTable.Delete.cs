using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Reading;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    /// <summary>
    /// Deletes the rows that satisfy <paramref name="predicate"/> (every row when null), copy-on-write: the files that may
    /// hold matching rows are found by partition value and min/max statistics; a file all of whose rows match (every file
    /// a predicate on a partition column selects) is removed, a file with some matching rows is rewritten without them,
    /// and a file with none is left alone. Its removes (<c>dataChange</c> true) and adds are committed in one version
    /// with a <c>DELETE</c> commitInfo. A null column value never matches (SQL semantics).
    /// </summary>
    /// <remarks>
    /// Conflicts (serializable): a concurrent commit that removed a file this delete read, or added a file that may hold
    /// matching rows, makes it plan again on the new version, up to 3 times; a concurrent metadata or protocol change
    /// fails it. Nothing of a failed delete stays.
    /// </remarks>
    /// <exception cref="DeltaException">The table is append-only (<c>delta.appendOnly</c>), needs a writer feature Sluice
    /// does not implement, changed its metadata concurrently, or kept conflicting.</exception>
    /// <exception cref="ArgumentException">The predicate names an unknown column or its literal does not fit the column.</exception>
    public DeltaOperationResult Delete(DeltaPredicate? predicate = null) => RunRewrite("DELETE", replan: true, transaction: null, plan =>
    {
        CheckNotAppendOnly(plan.Snapshot, "DELETE");
        var scan = new DeltaScan(plan.Snapshot, predicate);
        plan.Parameters["predicate"] = new JsonArray(predicate is null ? "true" : predicate.ToSql()).ToJsonString();
        plan.AddConflicts = scan.MayMatch;
        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var file in scan.PlanFiles())
        {
            plan.ReadFiles.Add(DeltaPaths.Decode(file.Path));
            if (predicate is null || scan.IsPartitionPredicate)
            {
                plan.Remove(file, dataChange: true, now);
                plan.RowsDeleted += FileStatistics.NumRecords(file) ?? scan.ReadFile(file).LongCount();
                continue;
            }
            var writer = plan.NewWriter();
            writer.KeepPartitionValues(file);
            long deleted = 0, kept = 0;
            foreach (var row in scan.ReadFile(file))
            {
                if (scan.Matches(row))
                {
                    deleted++;
                }
                else
                {
                    writer.Write(row);
                    kept++;
                }
            }
            if (deleted == 0)
            {
                writer.Abort();
                continue;
            }
            plan.Remove(file, dataChange: true, now);
            plan.Adds.AddRange(writer.Finish());
            plan.RowsDeleted += deleted;
            plan.RowsCopied += kept;
        }
    });

    private void CheckNotAppendOnly(DeltaSnapshot snapshot, string operation)
    {
        if (snapshot.Configuration.TryGetValue("delta.appendOnly", out var appendOnly) && string.Equals(appendOnly, "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new DeltaException($"{operation} on table '{Path}' is refused: the table is append-only (delta.appendOnly = true at version {snapshot.Version}), so rows cannot be updated or deleted.", snapshot.Version);
        }
    }
}
