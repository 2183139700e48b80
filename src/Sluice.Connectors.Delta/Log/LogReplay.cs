using System.Diagnostics;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Reconciles actions into table state (PROTOCOL.md, "Action Reconciliation"): the latest protocol and metadata win;
/// for each application the latest txn wins; a logical file, keyed by its decoded path and deletion-vector id, is active
/// when its newest action is an add and a tombstone when it is a remove. Not thread-safe; one replay per snapshot load.
/// </summary>
internal sealed class LogReplay
{
    private readonly Dictionary<(string Path, string? Dv), AddFile> _active = [];
    private readonly Dictionary<(string Path, string? Dv), RemoveFile> _tombstones = [];
    private readonly Dictionary<string, TxnAction> _transactions = new(StringComparer.Ordinal);

    /// <summary>The latest protocol, or null before the first.</summary>
    public ProtocolAction? Protocol { get; private set; }

    /// <summary>The latest metadata, or null before the first.</summary>
    public MetadataAction? Metadata { get; private set; }

    /// <summary>The version of the last commit or checkpoint applied, or −1.</summary>
    public long Version { get; private set; } = -1;

    /// <summary>The commitInfo of the last commit applied (checkpoints hold none), or null.</summary>
    public CommitInfoAction? LastCommitInfo { get; private set; }

    /// <summary>Applies the actions of version <paramref name="version"/>, in order.</summary>
    public void Apply(long version, IEnumerable<DeltaAction> actions)
    {
        Debug.Assert(version > Version, "versions are applied in ascending order");
        LastCommitInfo = null;
        foreach (var action in actions)
        {
            switch (action)
            {
                case ProtocolAction protocol:
                    Protocol = protocol;
                    break;
                case MetadataAction metadata:
                    Metadata = metadata;
                    break;
                case AddFile add:
                    var addKey = (DeltaPaths.Decode(add.Path), add.DeletionVectorId);
                    _tombstones.Remove(addKey);
                    _active[addKey] = add;
                    break;
                case RemoveFile remove:
                    var removeKey = (DeltaPaths.Decode(remove.Path), remove.DeletionVectorId);
                    _active.Remove(removeKey);
                    _tombstones[removeKey] = remove;
                    break;
                case TxnAction txn:
                    _transactions[txn.AppId] = txn;
                    break;
                case CommitInfoAction info:
                    LastCommitInfo = info;
                    break;
            }
        }
        Version = version;
    }

    /// <summary>The active files, ordered by path (ordinal) so that reads are deterministic.</summary>
    public List<AddFile> ActiveFiles()
    {
        var files = new List<AddFile>(_active.Values);
        files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    /// <summary>The tombstones, ordered by path.</summary>
    public List<RemoveFile> Tombstones()
    {
        var files = new List<RemoveFile>(_tombstones.Values);
        files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    /// <summary>The latest txn of each application.</summary>
    public Dictionary<string, TxnAction> Transactions() => new(_transactions, StringComparer.Ordinal);
}
