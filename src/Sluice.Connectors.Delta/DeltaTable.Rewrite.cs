using System.Text.Json.Nodes;
using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Writing;

namespace Sluice.Connectors.Delta;

public sealed partial class DeltaTable
{
    /// <summary>How many times DELETE and MERGE plan again after a conflicting concurrent commit before failing.</summary>
    internal const int MaxPlans = 3;

    /// <summary>
    /// Runs a copy-on-write operation: plans it against the latest snapshot (writing its new files), then commits its
    /// removes and adds in one version. When another writer took the version, the winning commits are checked: a
    /// metadata or protocol change fails the operation; a commit that removed a file the plan read, or added (as a data
    /// change) a file that may hold rows the plan would have read, conflicts — the plan's files are deleted and, when
    /// <paramref name="replan"/>, the operation is planned again on the new snapshot (up to <see cref="MaxPlans"/> times),
    /// else it fails; any other commit is serialized before ours and the commit is retried at the next version. Nothing
    /// of a failed attempt stays: its data files are deleted and the log is unchanged. With a <paramref name="transaction"/>
    /// the commit carries it, and the operation is skipped (nothing written) once the table holds that application's
    /// version or a later one — checked on every snapshot planned against and in every concurrent commit.
    /// </summary>
    private DeltaOperationResult RunRewrite(string operation, bool replan, TxnAction? transaction, Action<RewritePlan> build)
    {
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = GetSnapshot();
            DeltaFeatures.CheckWritable(Path, snapshot.Version, snapshot.Protocol, snapshot.Metadata);
            if (transaction is not null && snapshot.GetTransactionVersion(transaction.AppId) >= transaction.Version)
            {
                // A replay, or a concurrent commit of the same transaction that made this attempt plan again.
                return new DeltaOperationResult(null, 0, 0, 0, 0, 0, 0, attempt) { Skipped = true };
            }
            var plan = new RewritePlan(Path, snapshot, Options) { Transaction = transaction };
            string? conflict;
            try
            {
                build(plan);
                if (plan.IsEmpty)
                {
                    plan.Abort();
                    return new DeltaOperationResult(null, 0, 0, 0, 0, 0, 0, attempt);
                }
                Options.BeforeRewriteCommit?.Invoke();
                var version = TryCommitRewrite(operation, plan, out conflict, out var skipped);
                if (skipped)
                {
                    plan.Abort();
                    return new DeltaOperationResult(null, 0, 0, 0, 0, 0, 0, attempt) { Skipped = true };
                }
                if (version is not null)
                {
                    plan.Complete();
                    _ = MaybeCheckpoint(version.Value);
                    return new DeltaOperationResult(version, plan.Adds.Count, plan.Removes.Count, plan.RowsInserted, plan.RowsUpdated, plan.RowsDeleted, plan.RowsCopied, attempt);
                }
            }
            catch
            {
                plan.Abort();
                throw;
            }
            plan.Abort();
            if (!replan || attempt >= MaxPlans)
            {
                throw new DeltaException(
                    $"{operation} on table '{Path}' read version {snapshot.Version}, but {conflict}; nothing was committed{(replan ? $" after {attempt} attempts" : "")}. Run it again against the new version.",
                    snapshot.Version);
            }
        }
    }

    /// <summary>
    /// Commits the plan at the first free version after its snapshot, or returns null with the conflict that forbids it
    /// — or with <paramref name="skipped"/> set when a concurrent commit recorded the plan's transaction version.
    /// </summary>
    private long? TryCommitRewrite(string operation, RewritePlan plan, out string? conflict, out bool skipped)
    {
        skipped = false;
        var readVersion = plan.Snapshot.Version;
        var checkedUpTo = readVersion;
        for (var attempt = 1; attempt <= Options.MaxCommitAttempts; attempt++)
        {
            var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var actions = new List<DeltaAction>(plan.Removes.Count + plan.Adds.Count + 1);
            actions.AddRange(plan.Removes);
            actions.AddRange(plan.Adds);
            if (plan.Transaction is { } transaction)
            {
                actions.Add(transaction with { LastUpdated = now });
            }
            actions.Add(new CommitInfoAction(new JsonObject
            {
                ["timestamp"] = now,
                ["operation"] = operation,
                ["operationParameters"] = plan.Parameters.DeepClone(),
                ["readVersion"] = readVersion,
                ["isolationLevel"] = "Serializable",
                ["isBlindAppend"] = false,
                ["operationMetrics"] = OperationMetrics(operation, plan),
                ["engineInfo"] = EngineInfo,
            }));
            var version = checkedUpTo + 1;
            if (TryCreateCommit(version, DeltaActionJson.WriteCommit(actions)))
            {
                conflict = null;
                return version;
            }
            var latest = _log.Files.List().LatestVersion;
            for (var v = version; v <= latest; v++)
            {
                foreach (var action in _log.ReadCommit(v))
                {
                    switch (action)
                    {
                        case MetadataAction or ProtocolAction:
                            throw new DeltaException(
                                $"{operation} on table '{Path}' read version {readVersion}, but version {v} changed the table's {(action is MetadataAction ? "metadata (schema, partitioning or properties)" : "protocol")} concurrently; nothing was committed. Run it again against the new version.",
                                v, DeltaLogFiles.CommitName(v));
                        case TxnAction txn when plan.Transaction is { } ours && txn.AppId == ours.AppId && txn.Version >= ours.Version:
                            conflict = null;
                            skipped = true;
                            return null;
                        case RemoveFile remove when plan.ReadFiles.Contains(DeltaPaths.Decode(remove.Path)):
                            conflict = $"version {v} removed data file '{remove.Path}', which it read";
                            return null;
                        case AddFile add when add.DataChange && plan.AddConflicts is { } test && test(add):
                            conflict = $"version {v} added data file '{add.Path}', which may hold rows it had to read";
                            return null;
                    }
                }
            }
            checkedUpTo = latest;
        }
        conflict = $"other writers kept taking the next version ({Options.MaxCommitAttempts} attempts)";
        return null;
    }

    private static JsonObject OperationMetrics(string operation, RewritePlan plan) => operation switch
    {
        "DELETE" => RewritePlan.Metrics(
            ("numRemovedFiles", plan.Removes.Count), ("numAddedFiles", plan.Adds.Count), ("numDeletedRows", plan.RowsDeleted),
            ("numCopiedRows", plan.RowsCopied), ("numRemovedBytes", plan.RemovedBytes()), ("numAddedBytes", plan.AddedBytes())),
        "MERGE" => RewritePlan.Metrics(
            ("numSourceRows", plan.SourceRows), ("numTargetRowsInserted", plan.RowsInserted), ("numTargetRowsUpdated", plan.RowsUpdated),
            ("numTargetRowsDeleted", plan.RowsDeleted), ("numTargetRowsCopied", plan.RowsCopied), ("numOutputRows", plan.RowsInserted + plan.RowsUpdated + plan.RowsCopied),
            ("numTargetFilesAdded", plan.Adds.Count), ("numTargetFilesRemoved", plan.Removes.Count), ("numTargetBytesAdded", plan.AddedBytes()), ("numTargetBytesRemoved", plan.RemovedBytes())),
        _ => RewritePlan.Metrics(
            ("numRemovedFiles", plan.Removes.Count), ("numAddedFiles", plan.Adds.Count), ("numRemovedBytes", plan.RemovedBytes()),
            ("numAddedBytes", plan.AddedBytes()), ("numRows", plan.RowsCopied)),
    };
}
