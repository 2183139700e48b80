using Sluice.Connectors.Delta.Log;
using Sluice.Connectors.Delta.Reading;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

/// <summary>
/// A Delta Lake table in a local directory, read and written through its transaction log as PROTOCOL.md specifies:
/// snapshots of any version (time travel by version or timestamp), reads with partition values materialised and files
/// skipped by a simple predicate, and appends committed optimistically — the commit file of the next version is created
/// only if absent, and on contention the winners are checked for conflicts before retrying. Thread-safe: every call
/// reads the log afresh; concurrent appends, in this process or others, serialize through the log.
/// </summary>
/// <remarks>
/// What part of the protocol is implemented, and what is refused, is listed in docs/connectors/delta.md.
/// </remarks>
public sealed partial class DeltaTable
{
    private readonly DeltaLogReader _log;

    private DeltaTable(string path, DeltaTableOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CheckpointInterval, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxCommitAttempts, 1, nameof(options));
        _log = new DeltaLogReader(new DeltaLogFiles(path));
        Options = options;
    }

    /// <summary>The table's root directory (absolute).</summary>
    public string Path => _log.Files.TablePath;

    /// <summary>The options the table writes with.</summary>
    public DeltaTableOptions Options { get; }

    /// <summary>Opens the existing table at <paramref name="path"/> and checks that Sluice can read its latest version.</summary>
    /// <exception cref="DeltaException">The directory is not a Delta table, its log is damaged, or it needs a feature Sluice does not read.</exception>
    public static DeltaTable Open(string path, DeltaTableOptions? options = null)
    {
        var table = new DeltaTable(path, options ?? DeltaTableOptions.Default);
        _ = table.GetSnapshot();
        return table;
    }

    /// <summary>
    /// Opens the table at <paramref name="path"/>, creating it first (as <see cref="Create"/>) when none exists; a
    /// creation lost to another writer that created it first opens that table. The caller checks its schema.
    /// </summary>
    internal static DeltaTable OpenOrCreate(string path, Schema schema, IReadOnlyList<string>? partitionBy, IReadOnlyDictionary<string, string?>? configuration, DeltaTableOptions? options)
    {
        if (!Exists(path))
        {
            try
            {
                Create(path, schema, partitionBy, configuration, options);
            }
            catch (DeltaException) when (Exists(path))
            {
                // Another job or process created it first.
            }
        }
        return Open(path, options);
    }

    /// <summary>Whether <paramref name="path"/> holds a Delta table (a <c>_delta_log</c> directory with at least one commit or checkpoint).</summary>
    public static bool Exists(string path) => new DeltaLogFiles(path).List().LatestVersion >= 0;

    /// <summary>
    /// Creates an empty table at <paramref name="path"/> (version 0: protocol, metadata, commitInfo). The protocol is
    /// reader 1 / writer 2, or reader 3 / writer 7 with the <c>timestampNtz</c> feature when a column is a TIMESTAMP
    /// without time zone.
    /// </summary>
    /// <param name="path">The table's directory (created when missing).</param>
    /// <param name="schema">The table's columns; TIME columns are refused (Delta has no such type).</param>
    /// <param name="partitionBy">The partition columns (scalar columns of <paramref name="schema"/>), or null.</param>
    /// <param name="configuration">Table properties (<c>delta.*</c> keys), or null.</param>
    /// <param name="options">How the table writes, or null for the defaults.</param>
    /// <exception cref="DeltaException">A table already exists there, or a column cannot be stored in Delta.</exception>
    public static DeltaTable Create(string path, Schema schema, IReadOnlyList<string>? partitionBy = null, IReadOnlyDictionary<string, string?>? configuration = null, DeltaTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var table = new DeltaTable(path, options ?? DeltaTableOptions.Default);
        table.CreateVersionZero(schema, partitionBy ?? [], configuration ?? new Dictionary<string, string?>());
        return table;
    }

    /// <summary>The snapshot of <paramref name="version"/>, or of the latest version when null.</summary>
    /// <exception cref="DeltaException">No such version; a commit up to it is missing, corrupt or truncated; or a feature is not supported.</exception>
    public DeltaSnapshot GetSnapshot(long? version = null) => _log.Load(version);

    /// <summary>
    /// The snapshot of the newest version committed at or before <paramref name="timestamp"/>. A commit's time is its
    /// in-commit timestamp when the table enables them, else its commit file's modification time.
    /// </summary>
    /// <exception cref="DeltaException">The timestamp is before the earliest commit still in the log.</exception>
    public DeltaSnapshot GetSnapshotAt(DateTimeOffset timestamp) => _log.Load(_log.VersionAt(timestamp));

    /// <summary>
    /// The rows of <paramref name="snapshot"/> (the latest when null) that satisfy <paramref name="predicate"/> (all when
    /// null), in the table schema's column order, file by file in path order. Files the predicate excludes by partition
    /// value or statistics are not opened.
    /// </summary>
    /// <exception cref="DeltaException">A data file is missing or unreadable, naming it.</exception>
    /// <exception cref="ArgumentException">The predicate names an unknown column or its literal does not fit the column.</exception>
    public IEnumerable<Row> ReadRows(DeltaSnapshot? snapshot = null, DeltaPredicate? predicate = null) =>
        new DeltaScan(snapshot ?? GetSnapshot(), predicate).ReadRows();

    /// <summary>The paths (as in the log) of the files a read with <paramref name="predicate"/> opens: the data-skipping plan.</summary>
    public IReadOnlyList<string> PlanFiles(DeltaSnapshot? snapshot = null, DeltaPredicate? predicate = null) =>
        [.. new DeltaScan(snapshot ?? GetSnapshot(), predicate).PlanFiles().Select(f => f.Path)];
}
