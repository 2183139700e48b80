using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Sinks;

/// <summary>
/// Writes through PostgreSQL's two-phase commit: each writer works inside a transaction that is
/// <c>PREPARE TRANSACTION</c>d at the barrier and <c>COMMIT PREPARED</c> once the checkpoint is complete. Appends copy
/// straight into the target, so every row is written once (the staging path writes it twice); upserts copy into an
/// unlogged batch table created and dropped inside the transaction and apply the batch by key before the prepare, so no
/// commit moves rows. Committable version 3.
/// </summary>
public sealed partial class PostgresSink<T>
{
    private const byte CommittablePreparedVersion = 3;
    private const int PathUnknown = 0;
    private const int PathPrepared = 1;
    private const int PathStaging = 2;

    private readonly string _legacyUpsertBatchPrefix; // of the batch tables older versions kept between transactions
    private int _writePath; // PathUnknown until the server's max_prepared_transactions is read
    private int _pathLogged;

    /// <summary>
    /// The global transaction ids of this sink's prepared transactions start with
    /// <c>sluice_&lt;16 hex digits of SHA-256(database, target)&gt;_</c>, followed by
    /// <c>&lt;16 hex digits of the writer's id&gt;_&lt;subtask&gt;_&lt;sequence&gt;</c> (see <see cref="PreparedTransactionId"/>).
    /// The target identifies the job (one job per target table, as <c>_sluice_commits</c> already assumes); the database
    /// is part of it because prepared transactions are listed cluster-wide. Hashed because a gid holds at most 200 bytes.
    /// </summary>
    internal static string PreparedTransactionPrefix(string database, string target)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(database + "\0" + target), digest);
        return "sluice_" + Convert.ToHexStringLower(digest[..8]) + "_";
    }

    /// <summary>
    /// The gid of a writer's prepared batch. The writer's random id keeps two writers of one table (two sinks of one job)
    /// apart; the sequence, not the barrier's checkpoint id, is the smallest checkpoint that can complete the batch
    /// (the previous barrier + 1, or the restored checkpoint + 1): an end-of-input batch is prepared under
    /// <see cref="long.MaxValue"/> but committed by the next checkpoint that completes, which restore must recognise.
    /// </summary>
    internal string PreparedTransactionId(string database, Guid writer, int subtask, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{PreparedTransactionPrefix(database, Target)}{writer.ToString("N")[..16]}_{subtask}_{sequence}");

    /// <summary>The sequence of one of this sink's gids (<see cref="PreparedTransactionId"/>'s exact shape), or null for any other text.</summary>
    internal static long? SequenceOfPreparedTransaction(string gid, string prefix)
    {
        if (!gid.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = gid[prefix.Length..].Split('_');
        return parts.Length == 3 && parts[0].Length == 16 && parts[0].All(char.IsAsciiHexDigitLower)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0
            ? sequence
            : null;
    }

    /// <summary>
    /// Whether the writers write through prepared transactions: appends, or upserts opted into with
    /// <see cref="PostgresUpsertMode.Prepared"/> (nothing else guarantees one key per subtask), with <see cref="SchemaEvolutionMode.None"/> (adding a column
    /// takes an exclusive lock on the target, which the other writers' open and prepared transactions would hold up until
    /// a barrier that waits for the blocked writer), on a server whose <c>max_prepared_transactions</c> is above 0.
    /// Appends copy straight into the target; upserts copy into an <see cref="UpsertBatchTable"/> and apply the batch by key
    /// at the barrier (<see cref="ApplyUpsertBatch"/>). Read once per sink; the path the sink takes, and why, is logged once.
    /// </summary>
    internal bool WritesThroughPreparedTransactions(NpgsqlConnection connection)
    {
        var path = Volatile.Read(ref _writePath);
        if (path != PathUnknown)
        {
            return path == PathPrepared;
        }
        using var show = new NpgsqlCommand("SELECT current_setting('max_prepared_transactions')::int", connection);
        var limit = (int)show.ExecuteScalar()!;
        var optedIn = Options.Mode != PostgresWriteMode.Upsert || Options.UpsertMode == PostgresUpsertMode.Prepared;
        path = limit > 0 && !_evolves && optedIn ? PathPrepared : PathStaging;
        Volatile.Write(ref _writePath, path);
        if (Interlocked.Exchange(ref _pathLogged, 1) == 0)
        {
            var upsert = Options.Mode == PostgresWriteMode.Upsert;
            if (path == PathPrepared && upsert)
            {
                _logger.LogInformation("The PostgreSQL sink of table {Table} upserts into it through prepared transactions (max_prepared_transactions = {Limit}): each batch is applied by key at the barrier and committed with the checkpoint; its input must be keyed by the primary key.", Options.Table, limit);
            }
            else if (path == PathPrepared)
            {
                _logger.LogInformation("The PostgreSQL sink of table {Table} appends straight into it through prepared transactions (max_prepared_transactions = {Limit}).", Options.Table, limit);
            }
            else if (!optedIn)
            {
                _logger.LogInformation("The PostgreSQL sink of table {Table} upserts through its staging table {Staging}, writing every row twice (the default). With the input keyed by the primary key, UpsertMode = Prepared ('sink.upsert-mode' = 'prepared') writes rows once.", Options.Table, Staging);
            }
            else if (limit == 0)
            {
                _logger.LogInformation("The PostgreSQL sink of table {Table} {Verb} through its staging table {Staging}, writing every row twice: the server's max_prepared_transactions is 0. Set it above twice the sink's parallelism and restart PostgreSQL to write rows once.", Options.Table, upsert ? "upserts" : "appends", Staging);
            }
            else
            {
                _logger.LogInformation("The PostgreSQL sink of table {Table} {Verb} through its staging table {Staging}, writing every row twice: its schema evolution may add columns, which prepared transactions would block. Set SchemaEvolution to None ('schema.evolution' = 'none') to write rows once.", Options.Table, upsert ? "upserts" : "appends", Staging);
            }
        }
        return path == PathPrepared;
    }

    /// <summary>
    /// The unlogged table into which one prepared upsert transaction copies its batch:
    /// <c>_sluice_upsert_&lt;16 hex digits of the writer's id&gt;_&lt;subtask&gt;_&lt;sequence&gt;</c> (<c>ord</c>, <c>op</c>, then
    /// the schema's columns; quoted, qualified) — the components of the transaction's gid, so no two transactions ever
    /// create the same name (a second one would wait on the catalog's unique index for the first, still prepared, to end).
    /// At most 62 bytes (a writer id, <see cref="int.MaxValue"/>, <see cref="long.MaxValue"/>): PostgreSQL names the
    /// table's array type <c>_</c> + the name, cut at 63 bytes, and two names cut alike would meet there.
    /// <see cref="CreateUpsertBatchTable"/> creates it inside the transaction and <see cref="ApplyUpsertBatch"/> drops it
    /// there before the prepare, so no other session ever sees it, and a transaction that rolls back (a crash, a failed
    /// barrier) leaves nothing behind. It is not a temporary table because a transaction that used one cannot be prepared.
    /// </summary>
    internal string UpsertBatchTable(Guid writer, int subtask, long sequence) =>
        Qualified(string.Create(CultureInfo.InvariantCulture, $"{UpsertBatchTablePrefix}{writer.ToString("N")[..16]}_{subtask}_{sequence}"));

    /// <summary>Starts the name of every <see cref="UpsertBatchTable"/>.</summary>
    internal const string UpsertBatchTablePrefix = "_sluice_upsert_";

    private string UpsertBatchColumns() =>
        "ord bigint NOT NULL, op smallint NOT NULL, " + string.Join(", ", Schema.Select((f, i) => $"{_columns[i]} {PostgresColumns.SqlType(f.Type, f.Name)}"));

    /// <summary>Inside the writer's open transaction: creates the transaction's <see cref="UpsertBatchTable"/>.</summary>
    internal void CreateUpsertBatchTable(NpgsqlConnection connection, string table) =>
        Execute(connection, null, $"CREATE UNLOGGED TABLE {table} ({UpsertBatchColumns()})");

    /// <summary>
    /// In the writer's open transaction, at the barrier: applies the batch copied into <paramref name="table"/> to the
    /// target by key — the row of highest <c>ord</c> per key decides: a delete removes the key's row, anything else is
    /// <c>INSERT … ON CONFLICT (key) DO UPDATE</c> — in one statement, then drops <paramref name="table"/> (the drop takes
    /// effect with the commit; dropping costs nothing per row, where deleting the batch wrote every row again).
    /// </summary>
    /// <param name="connection">The writer's connection, inside its transaction.</param>
    /// <param name="table">The transaction's <see cref="UpsertBatchTable"/>.</param>
    /// <param name="withDeletes">Whether the batch holds deletes: without, the statement skips the delete.</param>
    /// <param name="lastPerKey">
    /// Whether a key may occur more than once in the batch: without deletes and repeated keys, the rows are upserted as
    /// they are, unsorted. Should a key repeat after all, PostgreSQL refuses the statement (<c>ON CONFLICT DO UPDATE
    /// command cannot affect row a second time</c>): the barrier fails, nothing is lost.
    /// </param>
    internal void ApplyUpsertBatch(NpgsqlConnection connection, string table, bool withDeletes, bool lastPerKey)
    {
        var list = string.Join(", ", _columns);
        var keys = string.Join(", ", _keyColumns);
        var updates = _columns.Except(_keyColumns).Select(c => $"{c} = EXCLUDED.{c}").ToArray();
        var onConflict = $"ON CONFLICT ({keys}) " + (updates.Length == 0 ? "DO NOTHING" : "DO UPDATE SET " + string.Join(", ", updates));
        var last = $"SELECT DISTINCT ON ({keys}) op, {list} FROM {table} ORDER BY {keys}, ord DESC";
        // A key another transaction holds (a second subtask upserting it: the keying contract broken) fails the barrier
        // after the timeout instead of stalling it until the checkpoint times out.
        Execute(connection, null, string.Create(CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = {Math.Max(1, (long)Options.UpsertLockTimeout.TotalMilliseconds)}"));
        if (withDeletes)
        {
            // One pass over the batch: both sub-statements read the same snapshot, and a key is either deleted or upserted.
            var match = string.Join(" AND ", _keyColumns.Select(k => $"{Target}.{k} = last.{k}"));
            Execute(connection, null, $"WITH last AS MATERIALIZED ({last}), gone AS (DELETE FROM {Target} USING last WHERE last.op = {DeleteOp} AND {match}) "
                + $"INSERT INTO {Target} ({list}) SELECT {list} FROM last WHERE last.op = {UpsertOp} {onConflict}");
        }
        else if (lastPerKey)
        {
            Execute(connection, null, $"INSERT INTO {Target} ({list}) SELECT {list} FROM ({last}) AS last {onConflict}");
        }
        else
        {
            Execute(connection, null, $"INSERT INTO {Target} ({list}) SELECT {list} FROM {table} {onConflict}");
        }
        Execute(connection, null, "SET LOCAL lock_timeout = 0");
        Execute(connection, null, $"DROP TABLE {table}");
    }

    /// <summary>
    /// In <see cref="AbortPending"/>, after the prepared transactions are resolved: drops the batch tables that sinks
    /// before 2026-12-07 kept between transactions (<c>_sluice_upsert_&lt;8 hex of SHA-256(table)&gt;_&lt;8 hex of
    /// SHA-256(columns)&gt;_&lt;subtask&gt;</c>, always empty outside a transaction; today's batch tables never outlive
    /// theirs). A table still in use by another session (a writer of an older version not yet closed) is left, with a
    /// warning, after a 10 s lock wait instead of stalling the start.
    /// </summary>
    private void DropLegacyUpsertBatchTables(NpgsqlConnection connection)
    {
        var tables = new List<string>();
        using (var find = new NpgsqlCommand(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE c.relkind = 'r' AND n.nspname = coalesce($1, current_schema()) AND left(c.relname, length($2)) = $2", connection))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = (object?)SchemaName ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _legacyUpsertBatchPrefix });
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(Qualified(reader.GetString(0)));
            }
        }
        foreach (var table in tables)
        {
            using var transaction = connection.BeginTransaction();
            try
            {
                Execute(connection, transaction, "SET LOCAL lock_timeout = '10s'");
                Execute(connection, transaction, $"DROP TABLE IF EXISTS {table}");
                transaction.Commit();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                transaction.Rollback();
                _logger.LogWarning("Left the batch table {BatchTable} of the PostgreSQL sink of table {Table}: another session still uses it ({Error}).", table, Options.Table, e.MessageText);
            }
        }
    }

    /// <summary>
    /// On start: commits this sink's prepared transactions whose sequence is at most <paramref name="restoredCheckpointId"/>
    /// (their batch belongs to a completed checkpoint, maybe not committed before a crash) and rolls back the others
    /// (batches of checkpoints that never completed). Transactions of other tables and databases, and gids not of the
    /// sink's exact shape, are never touched.
    /// </summary>
    private void ResolvePreparedTransactions(NpgsqlConnection connection, long restoredCheckpointId)
    {
        var prefix = PreparedTransactionPrefix(connection.Database, Target);
        var gids = new List<string>();
        using (var list = new NpgsqlCommand("SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1) ORDER BY gid", connection))
        {
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                gids.Add(reader.GetString(0));
            }
        }
        int committed = 0, rolledBack = 0;
        foreach (var gid in gids)
        {
            // Only gids of exactly the sink's shape are ever pasted into a statement: another role could prepare one
            // that starts with the prefix and carries SQL after it.
            if (SequenceOfPreparedTransaction(gid, prefix) is not { } sequence)
            {
                _logger.LogWarning("Left prepared transaction {Gid} alone: it has the prefix of the PostgreSQL sink of table {Table} but not the shape of its transaction ids.", gid, Options.Table);
                continue;
            }
            if (sequence <= restoredCheckpointId)
            {
                Execute(connection, null, $"COMMIT PREPARED '{gid}'");
                committed++;
            }
            else
            {
                Execute(connection, null, $"ROLLBACK PREPARED '{gid}'");
                rolledBack++;
            }
        }
        if (committed + rolledBack > 0)
        {
            _logger.LogInformation("Restoring checkpoint {Checkpoint} of the PostgreSQL sink of table {Table}: committed {Committed} prepared transactions it covers, rolled back {RolledBack} of later checkpoints.", restoredCheckpointId, Options.Table, committed, rolledBack);
        }
    }

    /// <summary>
    /// Commits a prepared batch (<c>COMMIT PREPARED</c>). A batch no longer prepared was committed before (its row is in
    /// <c>_sluice_commits</c>: a replay, skipped) or rolled back (the rows are gone: the checkpoint fails).
    /// </summary>
    private void CommitPrepared(long checkpointId, int subtaskIndex, Guid writer, long sequence, string gid)
    {
        using var connection = Connect();
        if (SequenceOfPreparedTransaction(gid, PreparedTransactionPrefix(connection.Database, Target)) != sequence)
        {
            throw new InvalidDataException($"Checkpoint {checkpointId}, subtask {subtaskIndex}: the committable names prepared transaction '{gid}', which is not a transaction id of the PostgreSQL sink of table {Options.Table} for sequence {sequence}.");
        }
        try
        {
            Execute(connection, null, $"COMMIT PREPARED '{gid}'");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject)
        {
            using var recorded = new NpgsqlCommand($"SELECT count(*) FROM {Commits} WHERE sink_table = $1 AND writer = $2 AND sequence = $3", connection);
            AddBatch(recorded, writer, sequence, withTable: true);
            if ((long)recorded.ExecuteScalar()! > 0)
            {
                return; // a replayed commit
            }
            throw new IOException($"Checkpoint {checkpointId}, subtask {subtaskIndex}: the prepared transaction {gid} of table {Options.Table} (writer {writer}, sequence {sequence}) is neither prepared any more nor recorded in {Commits}. It was rolled back (by hand?); committing would silently drop its rows, so the checkpoint fails.", e);
        }
    }

    /// <summary>Encodes a prepared batch's committable: version 3, writer id (16 bytes), sequence and row count (big-endian int64), the gid's length (int32) and its ASCII.</summary>
    internal static byte[] EncodePreparedCommittable(Guid writer, long sequence, long rows, string gid)
    {
        var bytes = new byte[CommittableLength + 4 + gid.Length];
        bytes[0] = CommittablePreparedVersion;
        writer.TryWriteBytes(bytes.AsSpan(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(17), sequence);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(25), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(CommittableLength), gid.Length);
        Encoding.ASCII.GetBytes(gid, bytes.AsSpan(CommittableLength + 4));
        return bytes;
    }

    /// <summary>Decodes <see cref="EncodePreparedCommittable"/>'s bytes; the gid must be one of the sink's (letters, digits, underscores).</summary>
    /// <exception cref="InvalidDataException">Not a version 3 committable.</exception>
    internal static (Guid Writer, long Sequence, long Rows, string Gid) DecodePreparedCommittable(byte[] committable)
    {
        var length = committable.Length >= CommittableLength + 4 ? BinaryPrimitives.ReadInt32BigEndian(committable.AsSpan(CommittableLength)) : -1;
        if (committable.Length == 0 || committable[0] != CommittablePreparedVersion || length < 1 || length > 200 || committable.Length != CommittableLength + 4 + length)
        {
            throw new InvalidDataException($"Not a PostgreSQL sink committable of version {CommittablePreparedVersion}: {committable.Length} bytes, gid length {length}.");
        }
        var gid = Encoding.ASCII.GetString(committable.AsSpan(CommittableLength + 4));
        foreach (var c in gid)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                throw new InvalidDataException($"A PostgreSQL sink committable of version {CommittablePreparedVersion} names the prepared transaction '{gid}', which is not one of the sink's.");
            }
        }
        return (new Guid(committable.AsSpan(1, 16), bigEndian: true), BinaryPrimitives.ReadInt64BigEndian(committable.AsSpan(17)), BinaryPrimitives.ReadInt64BigEndian(committable.AsSpan(25)), gid);
    }
}
