using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Reading;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    /// <summary>
    /// Packs small data files (bin-packing): in each partition (those <see cref="DeltaOptimizeOptions.Where"/> selects),
    /// the files smaller than <see cref="DeltaOptimizeOptions.TargetFileSize"/> are taken in path order into packs of
    /// about that size, and every pack of two files or more is rewritten as one file. The removes and adds carry
    /// <c>dataChange</c> false (readers of changes skip them; the table's rows are the same) and are committed in one
    /// version with an <c>OPTIMIZE</c> commitInfo. The packed files stay on disk until <see cref="Vacuum"/>.
    /// </summary>
    /// <remarks>
    /// Conflicts: a concurrent append does not conflict (its files were not read); a concurrent commit that removed a
    /// file being packed (a DELETE, MERGE or another OPTIMIZE) does: this OPTIMIZE fails, deleting the files it wrote,
    /// and the log is unchanged. A concurrent metadata or protocol change fails it too.
    /// </remarks>
    /// <returns>The commit (<see cref="DeltaOperationResult.Version"/> null when no partition had two small files),
    /// with <see cref="DeltaOperationResult.RowsCopied"/> the rows packed.</returns>
    /// <exception cref="ArgumentException">The predicate is not on a partition column, or the target size is not positive.</exception>
    /// <exception cref="DeltaException">A concurrent commit conflicted, or the table needs a writer feature Sluice does not implement.</exception>
    public DeltaOperationResult Optimize(DeltaOptimizeOptions? options = null)
    {
        options ??= DeltaOptimizeOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TargetFileSize, 1, nameof(options));
        return RunRewrite("OPTIMIZE", replan: false, transaction: null, plan =>
        {
            var snapshot = plan.Snapshot;
            if (options.Where is { } where && !snapshot.PartitionColumns.Contains(where.Column))
            {
                throw new ArgumentException($"OPTIMIZE of table '{Path}' can only be limited by a partition column ({(snapshot.PartitionColumns.Count == 0 ? "the table has none" : string.Join(", ", snapshot.PartitionColumns))}), not by '{where.Column}'.", nameof(options));
            }
            plan.Parameters["predicate"] = new JsonArray(options.Where is null ? [] : [options.Where.ToSql()]).ToJsonString();
            plan.Parameters["targetSize"] = options.TargetFileSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
            plan.Parameters["zOrderBy"] = "[]";
            var scan = new DeltaScan(snapshot, options.Where);
            var partitions = new Dictionary<string, List<Log.AddFile>>(StringComparer.Ordinal);
            foreach (var file in scan.PlanFiles())
            {
                if (file.Size >= options.TargetFileSize || file.DeletionVectorId is not null)
                {
                    continue;
                }
                var key = string.Join("\u0001", snapshot.PartitionColumns.Select(c => file.PartitionValues.TryGetValue(c, out var v) ? v ?? "\u0000" : "\u0000"));
                if (!partitions.TryGetValue(key, out var list))
                {
                    partitions[key] = list = [];
                }
                list.Add(file);
            }
            var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var key in partitions.Keys.Order(StringComparer.Ordinal))
            {
                var pack = new List<Log.AddFile>();
                long size = 0;
                foreach (var file in partitions[key])
                {
                    pack.Add(file);
                    size += file.Size;
                    if (size >= options.TargetFileSize)
                    {
                        WritePack(plan, scan, pack, now);
                        pack.Clear();
                        size = 0;
                    }
                }
                WritePack(plan, scan, pack, now);
            }
        });
    }

    private static void WritePack(Writing.RewritePlan plan, DeltaScan scan, List<Log.AddFile> pack, long now)
    {
        if (pack.Count < 2)
        {
            return;
        }
        var writer = plan.NewWriter();
        foreach (var file in pack)
        {
            writer.KeepPartitionValues(file);
            plan.Remove(file, dataChange: false, now);
            foreach (var row in scan.ReadFile(file))
            {
                writer.Write(row);
                plan.RowsCopied++;
            }
        }
        plan.Adds.AddRange(writer.Finish(dataChange: false));
    }
}
