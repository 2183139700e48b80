using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>
/// The PostgreSQL sink's upserts through prepared transactions (<c>max_prepared_transactions=64</c>, schema evolution
/// off): each batch is copied into an unlogged batch table created in its transaction, applied by key at the barrier
/// (the table dropped) and prepared; the
/// checkpoint's commit is <c>COMMIT PREPARED</c>, restore commits what the restored checkpoint covers and rolls back the rest.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSinkPreparedUpsertTests(PostgresCluster cluster)
{
    private static readonly Schema s_users = Schema.Parse("id BIGINT NOT NULL, name STRING, score DOUBLE");

    [Fact]
    public void PreparedUpsert_CrashBetweenPrepareAndCommit_RestoreCommitsItOnce_ReplayIsSkipped()
    {
        var table = PostgresCluster.NewTable("pupsert");
        var sink = Upsert(table);
        sink.AbortPending(0);
        cluster.Execute($"INSERT INTO {table} VALUES (1, 'old', 1.0), (3, 'gone', 3.0)");
        var writer = Writer(sink);
        writer.Write(User(RowKind.UpdateBefore, 1, "old", 1.0), 0);
        writer.Write(User(RowKind.UpdateAfter, 1, "new", 10.0), 0);
        writer.Write(User(RowKind.Insert, 2, "bob", 2.0), 0);
        writer.Write(User(RowKind.Delete, 3, "gone", 3.0), 0);

        var committable = writer.PrepareCommit(1);
        writer.Dispose(); // the process dies before the checkpoint's commit

        committable[0].ShouldBe((byte)3, "a prepared batch's committable");
        cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, '{Prefix(table)}')").ShouldBe(1);
        Rows(table).ShouldBe([[1L, "old", 1.0], [3L, "gone", 3.0]], "the prepared batch is invisible");

        var restored = Upsert(table);
        restored.AbortPending(1); // checkpoint 1 completed: its prepared transaction is committed
        restored.Commit(1, 0, committable); // the restored checkpoint's committable, committed again: a replay
        restored.Commit(1, 0, committable);

        Rows(table).ShouldBe([[1L, "new", 10.0], [2L, "bob", 2.0]]);
        BatchTables().ShouldBe(0, "the batch table was dropped inside the transaction restore committed");
        cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, '{Prefix(table)}')").ShouldBe(0);
        cluster.Scalar($"SELECT count(*) FROM _sluice_commits WHERE sink_table = '\"{table}\"' AND checkpoint_id = 1 AND row_count = 3").ShouldBe(1, "the -U row is not written");
    }

    [Fact]
    public void PreparedUpsert_CheckpointNeverCompletes_RolledBackOnRestore_NextAttemptWritesAgain()
    {
        var table = PostgresCluster.NewTable("pupsert_abort");
        var sink = Upsert(table);
        sink.AbortPending(0);
        var writer = Writer(sink);
        writer.Write(User(RowKind.Insert, 1, "ann", 1.0), 0);
        writer.Write(User(RowKind.Insert, 2, "bob", 2.0), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));
        writer.Write(User(RowKind.UpdateAfter, 1, "anne", 9.0), 0);
        writer.Write(User(RowKind.Delete, 2, "bob", 2.0), 0);
        writer.PrepareCommit(2); // checkpoint 2 never completes
        writer.Write(User(RowKind.Insert, 3, "cy", 3.0), 0); // and this row's transaction is open when the process dies
        writer.Dispose();

        var restored = Upsert(table);
        restored.AbortPending(1);

        Rows(table).ShouldBe([[1L, "ann", 1.0], [2L, "bob", 2.0]]);
        cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, '{Prefix(table)}')").ShouldBe(0);
        BatchTables().ShouldBe(0, "the open transaction's batch table went with its rollback");

        var replay = Writer(restored); // sequence 2: the restored checkpoint + 1
        replay.Write(User(RowKind.UpdateAfter, 1, "anne", 9.0), 0);
        replay.Write(User(RowKind.Delete, 2, "bob", 2.0), 0);
        restored.Commit(2, 0, replay.PrepareCommit(2));
        replay.Dispose();

        Rows(table).ShouldBe([[1L, "anne", 9.0]]);
    }

    [Fact]
    public void PreparedUpsert_DuplicateKeysInOneBatch_LastRowWins()
    {
        var table = PostgresCluster.NewTable("pupsert_dups");
        var sink = Upsert(table);
        sink.AbortPending(0);

        var committable = Prepare(sink, 1,
            User(RowKind.Insert, 1, "a", 1.0),
            User(RowKind.Insert, 2, "x", 1.0),
            User(RowKind.UpdateAfter, 1, "b", 2.0),
            User(RowKind.UpdateAfter, 2, "y", 2.0),
            User(RowKind.UpdateAfter, 1, "c", 3.0));
        sink.Commit(1, 0, committable);

        Rows(table).ShouldBe([[1L, "c", 3.0], [2L, "y", 2.0]]);
    }

    [Fact]
    public void PreparedUpsert_StringKey_DistinctBatchAndBatchWithRepeats_BothApplied()
    {
        // A batch whose keys are all distinct is upserted unsorted; one with a repeated key is sorted (unsorted, PostgreSQL
        // would refuse it: ON CONFLICT DO UPDATE cannot affect a row twice).
        var schema = Schema.Parse("code STRING NOT NULL, n BIGINT");
        var table = PostgresCluster.NewTable("pupsert_strings");
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["code"], SchemaEvolution = SchemaEvolutionMode.None, UpsertMode = PostgresUpsertMode.Prepared }, schema);
        sink.AbortPending(0);

        var distinct = Prepare(sink, 1, Row.Of(schema, "a", 1L), Row.Of(schema, "b", 2L), Row.Of(schema, "A", 3L));
        distinct[0].ShouldBe((byte)3, "applied through a prepared transaction, not staged");
        sink.Commit(1, 0, distinct);
        var repeats = Prepare(sink, 2, Row.Of(schema, "b", 20L), Row.Of(schema, "c", 30L), Row.Of(schema, "b", 21L));
        repeats[0].ShouldBe((byte)3, "applied through a prepared transaction, not staged");
        sink.Commit(2, 0, repeats);

        cluster.Query($"SELECT code, n FROM {table} ORDER BY code COLLATE \"C\"").ShouldBe([["A", 3L], ["a", 1L], ["b", 21L], ["c", 30L]]);
    }

    [Fact]
    public void PreparedUpsert_Deletes_TheLastRowOfEachKeyDecides()
    {
        var table = PostgresCluster.NewTable("pupsert_deletes");
        var sink = Upsert(table);
        sink.AbortPending(0);
        sink.Commit(1, 0, Prepare(sink, 1, User(RowKind.Insert, 1, "a", 1.0), User(RowKind.Insert, 2, "b", 2.0), User(RowKind.Insert, 3, "c", 3.0)));

        sink.Commit(2, 0, Prepare(sink, 2,
            User(RowKind.Delete, 1, "a", 1.0), // an existing key deleted
            User(RowKind.UpdateAfter, 2, "b2", 2.5),
            User(RowKind.Delete, 2, "b2", 2.5), // updated, then deleted: gone
            User(RowKind.Delete, 3, "c", 3.0),
            User(RowKind.Insert, 3, "c2", 3.5), // deleted, then inserted again: there
            User(RowKind.Insert, 4, "d", 4.0),
            User(RowKind.Delete, 4, "d", 4.0), // a new key deleted in its batch: never there
            User(RowKind.Delete, 5, "e", 5.0))); // a key that never existed

        Rows(table).ShouldBe([[3L, "c2", 3.5]]);
    }

    [Fact]
    public async Task PreparedUpsert_SameKeyInTheNextCheckpoint_AppliesAfterTheFirstCommit()
    {
        // The key stays locked by the prepared batch of checkpoint 1: the writer's barrier of checkpoint 2 waits for
        // that commit (the coordinator's thread), then applies its own row on top.
        var table = PostgresCluster.NewTable("pupsert_next");
        var sink = Upsert(table);
        sink.AbortPending(0);
        using var writer = Writer(sink);
        writer.Write(User(RowKind.Insert, 1, "a", 1.0), 0);
        var first = writer.PrepareCommit(1);
        writer.Write(User(RowKind.UpdateAfter, 1, "b", 2.0), 0);

        var second = Task.Run(() => writer.PrepareCommit(2));
        await WaitUntilSomeoneWaitsOnALock(table, second);
        second.IsCompleted.ShouldBeFalse("the apply of checkpoint 2 waits for checkpoint 1's commit");
        sink.Commit(1, 0, first);
        var committable = await second.WaitAsync(TimeSpan.FromMinutes(1));

        Rows(table).ShouldBe([[1L, "a", 1.0]], "checkpoint 2 is prepared, not committed");
        sink.Commit(2, 0, committable);
        Rows(table).ShouldBe([[1L, "b", 2.0]]);
    }

    [Fact]
    public async Task PreparedUpsert_TwoSubtasksUpsertOneKey_TheSecondFailsAfterTheLockTimeout_NamingTheContract()
    {
        var table = PostgresCluster.NewTable("pupsert_contract");
        var sink = Upsert(table, lockTimeout: TimeSpan.FromMilliseconds(300));
        sink.AbortPending(0);
        using var first = Writer(sink, subtask: 0);
        using var second = Writer(sink, subtask: 1);
        first.Write(User(RowKind.Insert, 1, "from 0", 1.0), 0);
        second.Write(User(RowKind.Insert, 1, "from 1", 2.0), 0);
        var committable = first.PrepareCommit(1); // holds key 1's row lock until COMMIT PREPARED

        var blocked = Task.Run(() => second.PrepareCommit(1));
        var error = await Should.ThrowAsync<PostgresSinkException>(blocked.WaitAsync(TimeSpan.FromMinutes(1)));

        error.Message.ShouldContain($"'{table}'");
        error.Message.ShouldContain("records of one key must reach one subtask: key the stream by the primary key");
        error.Message.ShouldContain("subtask 1");
        sink.Commit(1, 0, committable);
        Rows(table).ShouldBe([[1L, "from 0", 1.0]]);
    }

    [Fact]
    public void PreparedUpsert_BatchTable_LivesInItsTransactionOnly()
    {
        var table = PostgresCluster.NewTable("pupsert_batch");
        var sink = Upsert(table);
        sink.AbortPending(0);
        var before = UnseenRelationsLocked(); // other tests' transactions, should any be left
        using var writer = Writer(sink, subtask: 3);
        writer.Write(User(RowKind.Insert, 1, "a", 1.0), 0);

        // The writer's transaction is open: it created its batch table (exclusive locks on relations no other session
        // sees: the table, its TOAST table and the TOAST table's index, the schema having a text column).
        BatchTables().ShouldBe(0, "no other session sees a table its transaction created");
        UnseenRelationsLocked().ShouldBe(before + 3, "the open transaction holds its batch table");

        var committable = writer.PrepareCommit(1);
        UnseenRelationsLocked().ShouldBe(before + 3, "the prepared transaction still holds them (dropped, the files go with the commit)");
        sink.Commit(1, 0, committable);

        UnseenRelationsLocked().ShouldBe(before);
        BatchTables().ShouldBe(0);
        Rows(table).ShouldBe([[1L, "a", 1.0]]);
    }

    [Fact]
    public void UpsertBatchTable_LongestName_FitsWithItsArrayType()
    {
        // PostgreSQL names the table's array type "_" + the name, cut at 63 bytes: a name over 62 bytes could make two
        // transactions' array types meet, the second waiting on the first, still prepared.
        var sink = Upsert(PostgresCluster.NewTable("pupsert_name"));
        var name = sink.UpsertBatchTable(Guid.NewGuid(), int.MaxValue, long.MaxValue).Trim('"');
        name.ShouldStartWith("_sluice_upsert_");
        System.Text.Encoding.UTF8.GetByteCount(name).ShouldBeLessThanOrEqualTo(62);
    }

    [Fact]
    public void AbortPending_DropsTheBatchTablesOlderVersionsKeptBetweenTransactions()
    {
        var table = PostgresCluster.NewTable("pupsert_legacy");
        // Before 2026-12-07 each subtask kept _sluice_upsert_<8 hex of SHA-256("table")>_<8 hex of SHA-256(columns)>_<subtask>.
        var tableHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(table))[..4]);
        var legacy = $"_sluice_upsert_{tableHash}_0123abcd_0";
        var other = "_sluice_upsert_ffffffff_0123abcd_0"; // another table's
        cluster.Execute($"CREATE UNLOGGED TABLE \"{legacy}\" (ord bigint NOT NULL, op smallint NOT NULL, id bigint NOT NULL)");
        cluster.Execute($"CREATE UNLOGGED TABLE IF NOT EXISTS \"{other}\" (ord bigint NOT NULL)");
        try
        {
            Upsert(table).AbortPending(0);

            cluster.Scalar($"SELECT count(*) FROM pg_class WHERE relname = '{legacy}'").ShouldBe(0, "this sink's old batch table is dropped");
            cluster.Scalar($"SELECT count(*) FROM pg_class WHERE relname = '{other}'").ShouldBe(1, "another table's is not touched");
        }
        finally
        {
            cluster.Execute($"DROP TABLE IF EXISTS \"{legacy}\", \"{other}\"");
        }
    }

    [Fact]
    public void Upsert_NotOptedIn_StagesEvenWithPreparedTransactionsAndNoEvolution_AndSaysHowToOptIn()
    {
        var table = PostgresCluster.NewTable("pupsert_default");
        using var logs = new CollectingLoggerFactory();
        var sink = Upsert(table, mode: PostgresUpsertMode.Staging);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));
        sink.AbortPending(0);

        var committable = Prepare(sink, 1, User(RowKind.Insert, 1, "a", 1.0));

        committable[0].ShouldBe((byte)1, "a staged batch's committable");
        cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, '{Prefix(table)}')").ShouldBe(0);
        sink.Commit(1, 0, committable);
        Rows(table).ShouldBe([[1L, "a", 1.0]]);
        logs.Entries.Count(e => e.Message.Contains("'sink.upsert-mode' = 'prepared'", StringComparison.Ordinal)).ShouldBe(1);
    }

    /// <summary>Polls pg_stat_activity (each query is its own round trip) until a backend waits on a lock of <paramref name="table"/>'s database, or <paramref name="task"/> ends.</summary>
    private async Task WaitUntilSomeoneWaitsOnALock(string table, Task task)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (cluster.Scalar($"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND position('{table}' in query) > 0") == 0)
        {
            task.IsCompleted.ShouldBeFalse($"the writer of {table} finished without waiting on a lock");
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"no backend waited on a lock for {table}");
            await Task.Yield();
        }
    }

    [Fact]
    public void AbortPending_LogsOnceThatUpsertsGoThroughPreparedTransactions()
    {
        var table = PostgresCluster.NewTable("pupsert_log");
        using var logs = new CollectingLoggerFactory();
        var sink = Upsert(table);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));

        sink.AbortPending(0);
        sink.AbortPending(0);

        logs.Entries.Count(e => e.Message.Contains("upserts into it through prepared transactions (max_prepared_transactions = 64)", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public void Upsert_AddingColumns_StagesEvenWithPreparedTransactions_AndSaysWhy()
    {
        var table = PostgresCluster.NewTable("pupsert_evolving");
        using var logs = new CollectingLoggerFactory();
        var sink = Upsert(table, SchemaEvolutionMode.AddColumns);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));
        sink.AbortPending(0);

        var committable = Prepare(sink, 1, User(RowKind.Insert, 1, "a", 1.0));

        committable[0].ShouldBe((byte)1, "a staged batch's committable");
        cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, '{Prefix(table)}')").ShouldBe(0);
        sink.Commit(1, 0, committable);
        Rows(table).ShouldBe([[1L, "a", 1.0]]);
        logs.Entries.Count(e => e.Message.Contains("upserts through its staging table", StringComparison.Ordinal) && e.Message.Contains("its schema evolution may add columns", StringComparison.Ordinal)).ShouldBe(1);
    }

    private PostgresSink<Row> Upsert(string table, SchemaEvolutionMode evolution = SchemaEvolutionMode.None, PostgresUpsertMode mode = PostgresUpsertMode.Prepared, TimeSpan? lockTimeout = null) =>
        PostgresSink.ForRows(new PostgresSinkOptions
        {
            ConnectionString = cluster.ConnectionString,
            Table = table,
            Mode = PostgresWriteMode.Upsert,
            PrimaryKey = ["id"],
            SchemaEvolution = evolution,
            UpsertMode = mode,
            UpsertLockTimeout = lockTimeout ?? TimeSpan.FromMinutes(1),
        }, s_users);

    private static ITwoPhaseSinkWriter<Row> Writer(PostgresSink<Row> sink, int subtask = 0) =>
        (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("Postgres(test)", subtask, 2, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance });

    private static byte[] Prepare(PostgresSink<Row> sink, long checkpointId, params Row[] rows)
    {
        using var writer = Writer(sink);
        foreach (var row in rows)
        {
            writer.Write(row, 0);
        }
        return writer.PrepareCommit(checkpointId);
    }

    private static Row User(RowKind kind, long id, string? name, double? score)
    {
        var row = Row.Of(s_users, id, name, score);
        row.Kind = kind;
        return row;
    }

    private static string Prefix(string table) => PostgresSink<Row>.PreparedTransactionPrefix("postgres", $"\"{table}\"");

    /// <summary>The batch tables any session can see (one in an open or prepared transaction is visible to that transaction only).</summary>
    private long BatchTables() => cluster.Scalar("SELECT count(*) FROM pg_class WHERE starts_with(relname, '_sluice_upsert_')");

    /// <summary>Relations of this database under an exclusive lock that this session cannot see: tables created by another transaction, open or prepared.</summary>
    private long UnseenRelationsLocked() => cluster.Scalar(
        "SELECT count(*) FROM pg_locks l WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) " +
        "AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = l.relation)");

    private List<object?[]> Rows(string table) => cluster.Query($"SELECT id, name, score FROM {table} ORDER BY id");
}

/// <summary>The PostgreSQL sink's upserts on a server with <c>max_prepared_transactions=0</c>: the staging fallback, logged once.</summary>
[Collection(PostgresWithoutPreparedTransactionsCollection.Name)]
public sealed class PostgresSinkStagedUpsertTests(PostgresClusterWithoutPreparedTransactions cluster)
{
    private static readonly Schema s_users = Schema.Parse("id BIGINT NOT NULL, name STRING");

    [Fact]
    public void Upsert_WithoutPreparedTransactions_StagesThenAppliesAtCommit_AndSaysSoOnce()
    {
        var table = PostgresCluster.NewTable("staged_upsert");
        using var logs = new CollectingLoggerFactory();
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["id"], SchemaEvolution = SchemaEvolutionMode.None, UpsertMode = PostgresUpsertMode.Prepared }, s_users);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));
        sink.AbortPending(0);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("Postgres(test)", 0, 1, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance });
        writer.Write(Row.Of(s_users, 1L, "a"), 0);
        writer.Write(Row.Of(s_users, 1L, "b"), 0);
        writer.Write(Row.Of(s_users, 2L, "c"), 0);

        var committable = writer.PrepareCommit(1);
        writer.Dispose();

        committable[0].ShouldBe((byte)1, "a staged batch's committable");
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(3);
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(0);
        cluster.Scalar("SELECT count(*) FROM pg_prepared_xacts").ShouldBe(0);

        sink.Commit(1, 0, committable);

        cluster.Query($"SELECT id, name FROM {table} ORDER BY id").ShouldBe([[1L, "b"], [2L, "c"]]);
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(0);
        logs.Entries.Count(e => e.Message.Contains("upserts through its staging table", StringComparison.Ordinal) && e.Message.Contains("max_prepared_transactions is 0", StringComparison.Ordinal)).ShouldBe(1);
    }
}
