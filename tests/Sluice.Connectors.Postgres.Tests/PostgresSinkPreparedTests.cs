using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>
/// The PostgreSQL sink's appends through prepared transactions (the server has <c>max_prepared_transactions=64</c>):
/// rows copied straight into the table, invisible until <c>COMMIT PREPARED</c>; restore commits what the restored
/// checkpoint covers and rolls back the rest, of this sink only.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSinkPreparedTests(PostgresCluster cluster)
{
    private static readonly Schema s_events = Schema.Parse("id BIGINT NOT NULL, name STRING");

    [Fact]
    public void PreparedAppend_CrashBetweenPrepareAndCommit_RestoreCommitsItOnce_ReplayIsSkipped()
    {
        var table = PostgresCluster.NewTable("prepared");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = Writer(sink, subtask: 0);
        writer.Write(Event(1, "a"), 0);
        writer.Write(Event(2, "b"), 0);

        var committable = writer.PrepareCommit(1);
        writer.Dispose(); // the process dies before the checkpoint's commit

        committable[0].ShouldBe((byte)3, "a prepared batch's committable");
        Prepared(table).ShouldBe([PreparedTransactionId(table, 0, 1)]);
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(0, "prepared rows are invisible");
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(0, "rows are written once, into the table");

        var restored = Append(table);
        restored.AbortPending(1); // checkpoint 1 completed: its prepared transaction is committed
        restored.Commit(1, 0, committable); // the restored checkpoint's committable, committed again: a replay
        restored.Commit(1, 0, committable);

        Ids(table).ShouldBe([1L, 2L]);
        Prepared(table).ShouldBeEmpty();
        cluster.Scalar($"SELECT count(*) FROM _sluice_commits WHERE sink_table = '\"{table}\"' AND checkpoint_id = 1 AND row_count = 2").ShouldBe(1);
    }

    [Fact]
    public void PreparedAppend_CommittedByTheCoordinator_IsVisible_WriterGoesOnInTheNextTransaction()
    {
        var table = PostgresCluster.NewTable("prepared_next");
        var sink = Append(table);
        sink.AbortPending(0);
        using var writer = Writer(sink, subtask: 0);
        writer.Write(Event(1, "a"), 0);
        var first = writer.PrepareCommit(1);
        writer.Write(Event(2, "b"), 0);

        sink.Commit(1, 0, first);
        Ids(table).ShouldBe([1L], "checkpoint 1 is committed; row 2 is in the open transaction");

        var second = writer.PrepareCommit(2);
        writer.PrepareCommit(3).ShouldBeEmpty("nothing written since checkpoint 2");
        sink.Commit(2, 0, second);

        Ids(table).ShouldBe([1L, 2L]);
        Prepared(table).ShouldBeEmpty();
    }

    [Fact]
    public void PreparedAppend_CheckpointNeverCompletes_RolledBackOnRestore()
    {
        var table = PostgresCluster.NewTable("prepared_abort");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer0 = Writer(sink, subtask: 0);
        var writer1 = Writer(sink, subtask: 1);
        writer0.Write(Event(1, "a"), 0);
        writer0.PrepareCommit(1);
        writer1.Write(Event(11, "k"), 0);
        writer1.PrepareCommit(1);
        writer0.Write(Event(2, "b"), 0);
        writer0.PrepareCommit(2); // checkpoint 2 never completes
        writer0.Write(Event(3, "c"), 0); // and this row's transaction is open when the process dies
        writer0.Dispose();
        writer1.Dispose();
        Prepared(table).Count.ShouldBe(3);

        Append(table).AbortPending(1);

        Ids(table).ShouldBe([1L, 11L]);
        Prepared(table).ShouldBeEmpty();
    }

    [Fact]
    public void PreparedAppend_FreshStart_RollsBackEveryPreparedTransaction()
    {
        var table = PostgresCluster.NewTable("prepared_fresh");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = Writer(sink, subtask: 0);
        writer.Write(Event(1, "a"), 0);
        writer.PrepareCommit(1);
        writer.Dispose();

        Append(table).AbortPending(0); // no checkpoint restored: nothing of the earlier run is committed

        Ids(table).ShouldBeEmpty();
        Prepared(table).ShouldBeEmpty();
    }

    [Fact]
    public void PreparedAppend_EndOfInputBatch_CrashBeforeItsCheckpointCommits_RestoreCommitsIt()
    {
        // A finished subtask prepares its last batch under checkpoint id long.MaxValue; the next checkpoint to complete
        // (2 here) carries its committable. A crash before that checkpoint's commit must not roll it back on restore.
        var table = PostgresCluster.NewTable("prepared_end");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = Writer(sink, subtask: 0);
        writer.Write(Event(1, "a"), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));
        writer.Write(Event(2, "b"), 0);
        var last = writer.PrepareCommit(long.MaxValue);
        writer.Dispose();

        var restored = Append(table);
        restored.AbortPending(2);
        restored.Commit(2, 0, last); // the replayed commit of checkpoint 2: skipped

        Ids(table).ShouldBe([1L, 2L]);
        Prepared(table).ShouldBeEmpty();
    }

    [Fact]
    public void AbortPending_GidWithTheSinksPrefixButNotItsShape_IsLeftAlone()
    {
        // Any role may prepare a transaction; a gid is pasted into COMMIT/ROLLBACK PREPARED only if it has exactly the
        // sink's shape (prefix, 16 hex digits, subtask, sequence).
        var table = PostgresCluster.NewTable("prepared_shape");
        var sink = Append(table);
        sink.AbortPending(0);
        var odd = PostgresSink<Row>.PreparedTransactionPrefix("postgres", $"\"{table}\"") + "x_0_1";
        cluster.Execute($"BEGIN; INSERT INTO {table} VALUES (5, 'odd'); PREPARE TRANSACTION '{odd}'");
        try
        {
            sink.AbortPending(3);

            PreparedGids(table).ShouldBe([odd]);
        }
        finally
        {
            cluster.Execute($"ROLLBACK PREPARED '{odd}'");
        }
    }

    [Fact]
    public void AbortPending_LeavesOtherSinksAndApplicationsPreparedTransactionsAlone()
    {
        var mine = PostgresCluster.NewTable("prepared_mine");
        var theirs = PostgresCluster.NewTable("prepared_theirs");
        var other = Append(theirs);
        other.AbortPending(0);
        var otherWriter = Writer(other, subtask: 0);
        otherWriter.Write(Event(7, "theirs"), 0);
        var otherCommittable = otherWriter.PrepareCommit(1);
        otherWriter.Dispose();
        var foreignGid = "app_" + mine; // another application's two-phase commit, on my table
        cluster.Execute($"CREATE TABLE {mine} (id bigint NOT NULL, name text)");
        using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            connection.Open();
            foreach (var sql in new[] { "BEGIN", $"INSERT INTO {mine} VALUES (99, 'app')", $"PREPARE TRANSACTION '{foreignGid}'" })
            {
                using var command = new NpgsqlCommand(sql, connection);
                command.ExecuteNonQuery();
            }
        }
        try
        {
            var sink = Append(mine);
            sink.AbortPending(0);
            sink.AbortPending(5);

            Prepared(theirs).ShouldBe([PreparedTransactionId(theirs, 0, 1)]);
            cluster.Scalar($"SELECT count(*) FROM pg_prepared_xacts WHERE gid = '{foreignGid}'").ShouldBe(1);
            other.Commit(1, 0, otherCommittable);
            Ids(theirs).ShouldBe([7L]);
        }
        finally
        {
            cluster.Execute($"ROLLBACK PREPARED '{foreignGid}'");
        }
        Ids(mine).ShouldBeEmpty();
    }

    [Fact]
    public void Commit_PreparedTransactionRolledBackByHand_FailsInsteadOfDroppingItsRows()
    {
        var table = PostgresCluster.NewTable("prepared_lost");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = Writer(sink, subtask: 2);
        writer.Write(Event(1, "a"), 0);
        var committable = writer.PrepareCommit(4);
        writer.Dispose();
        var gid = PreparedGids(table).ShouldHaveSingleItem();
        Prepared(table).ShouldBe([PreparedTransactionId(table, 2, 1)], "a writer that restored nothing prepares sequence 1, whatever the barrier's id");
        cluster.Execute($"ROLLBACK PREPARED '{gid}'");

        var error = Should.Throw<IOException>(() => sink.Commit(4, 2, committable));

        error.Message.ShouldContain(gid);
        error.Message.ShouldContain("rolled back");
        Ids(table).ShouldBeEmpty();
    }

    [Fact]
    public void AbortPending_LogsOnceThatAppendsGoThroughPreparedTransactions()
    {
        var table = PostgresCluster.NewTable("prepared_log");
        using var logs = new CollectingLoggerFactory();
        var sink = Append(table);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));

        sink.AbortPending(0);
        sink.AbortPending(0);

        logs.Entries.Count(e => e.Message.Contains("through prepared transactions (max_prepared_transactions = 64)", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public void Append_AddingColumns_StagesEvenWithPreparedTransactions_AndSaysWhy()
    {
        var table = PostgresCluster.NewTable("prepared_evolving");
        using var logs = new CollectingLoggerFactory();
        var sink = Append(table, SchemaEvolutionMode.AddColumns);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));
        sink.AbortPending(0);
        var writer = Writer(sink, subtask: 0);
        writer.Write(Event(1, "a"), 0);

        var committable = writer.PrepareCommit(1);
        writer.Dispose();

        committable[0].ShouldBe((byte)1, "a staged batch's committable");
        Prepared(table).ShouldBeEmpty();
        sink.Commit(1, 0, committable);
        Ids(table).ShouldBe([1L]);
        logs.Entries.Count(e => e.Message.Contains("its schema evolution may add columns", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public void Committable_Version3_IsPinned()
    {
        // Golden: version 3, writer id (RFC 4122 byte order), sequence 3, rows 258, gid "sluice_ab_0_2" (length 13).
        var writer = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        byte[] expected =
        [
            3, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
            0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 13,
            (byte)'s', (byte)'l', (byte)'u', (byte)'i', (byte)'c', (byte)'e', (byte)'_', (byte)'a', (byte)'b', (byte)'_', (byte)'0', (byte)'_', (byte)'2',
        ];

        PostgresSink<Row>.EncodePreparedCommittable(writer, 3, 258, "sluice_ab_0_2").ShouldBe(expected);
        PostgresSink<Row>.DecodePreparedCommittable(expected).ShouldBe((writer, 3L, 258L, "sluice_ab_0_2"));
        Should.Throw<InvalidDataException>(() => PostgresSink<Row>.DecodePreparedCommittable([.. expected[..^1], (byte)'\'']))
            .Message.ShouldContain("not one of the sink's");
        Should.Throw<InvalidDataException>(() => PostgresSink<Row>.DecodePreparedCommittable(expected[..^1]));
    }

    [Fact]
    public void PreparedTransactionId_DependsOnDatabaseAndTable()
    {
        var prefix = PostgresSink<Row>.PreparedTransactionPrefix("postgres", "\"t\"");

        prefix.ShouldStartWith("sluice_");
        prefix.Length.ShouldBe("sluice_".Length + 16 + 1);
        PostgresSink<Row>.PreparedTransactionPrefix("other", "\"t\"").ShouldNotBe(prefix);
        PostgresSink<Row>.PreparedTransactionPrefix("postgres", "\"u\"").ShouldNotBe(prefix);
    }

    private PostgresSink<Row> Append(string table, SchemaEvolutionMode evolution = SchemaEvolutionMode.None) =>
        PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table, SchemaEvolution = evolution }, s_events);

    private static ITwoPhaseSinkWriter<Row> Writer(PostgresSink<Row> sink, int subtask) =>
        (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("Postgres(test)", subtask, 3, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance });

    private static Row Event(long id, string name) => Row.Of(s_events, id, name);

    /// <summary>A gid of the sink's shape with the writer's part left out: prefix, subtask, sequence.</summary>
    private static string PreparedTransactionId(string table, int subtask, long sequence) =>
        $"{PostgresSink<Row>.PreparedTransactionPrefix("postgres", $"\"{table}\"")}{subtask}_{sequence}";

    /// <summary>The table's prepared transactions, each with its writer's 16 hex digits left out (random per writer).</summary>
    private List<string> Prepared(string table) =>
        [.. PreparedGids(table).Select(gid => System.Text.RegularExpressions.Regex.Replace(gid, "^(sluice_[0-9a-f]{16}_)[0-9a-f]{16}_", "$1")).Order(StringComparer.Ordinal)];

    private List<string> PreparedGids(string table) =>
        [.. cluster.Query($"SELECT gid FROM pg_prepared_xacts WHERE starts_with(gid, '{PostgresSink<Row>.PreparedTransactionPrefix("postgres", $"\"{table}\"")}') ORDER BY gid").Select(r => (string)r[0]!)];

    private List<long> Ids(string table) => [.. cluster.Query($"SELECT id FROM {table} ORDER BY id").Select(r => (long)r[0]!)];
}

/// <summary>The PostgreSQL sink's appends on a server with <c>max_prepared_transactions=0</c>: the staging fallback, logged once.</summary>
[Collection(PostgresWithoutPreparedTransactionsCollection.Name)]
public sealed class PostgresSinkStagedAppendTests(PostgresClusterWithoutPreparedTransactions cluster)
{
    private static readonly Schema s_events = Schema.Parse("id BIGINT NOT NULL, name STRING");

    [Fact]
    public void Append_WithoutPreparedTransactions_StagesThenMovesAtCommit_AndSaysSoOnce()
    {
        var table = PostgresCluster.NewTable("staged");
        using var logs = new CollectingLoggerFactory();
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table }, s_events);
        sink.Open(new CommitterContext("sink", "job", JobId.New(), logs));
        sink.AbortPending(0);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("Postgres(test)", 0, 1, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance });
        writer.Write(Row.Of(s_events, 1L, "a"), 0);
        writer.Write(Row.Of(s_events, 2L, "b"), 0);

        var committable = writer.PrepareCommit(1);
        writer.Dispose();

        committable[0].ShouldBe((byte)1, "a staged batch's committable");
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(2);
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(0);
        cluster.Scalar("SELECT count(*) FROM pg_prepared_xacts").ShouldBe(0);

        sink.Commit(1, 0, committable);

        cluster.Query($"SELECT id FROM {table} ORDER BY id").Select(r => (long)r[0]!).ShouldBe([1L, 2L]);
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(0);
        logs.Entries.Count(e => e.Message.Contains("max_prepared_transactions is 0", StringComparison.Ordinal)).ShouldBe(1);
    }
}
