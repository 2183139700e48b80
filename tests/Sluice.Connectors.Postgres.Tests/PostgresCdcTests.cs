using Npgsql;
using NpgsqlTypes;
using Sluice.Connectors.Postgres.Cdc;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The CDC source against a real PostgreSQL: snapshot, streaming, checkpoints and the slot, and the errors naming the fix.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCdcTests(PostgresCluster cluster) : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, amount DOUBLE");
    private readonly List<string> _slots = [];

    /// <summary>Drops the slots the test created: a slot keeps WAL for as long as it exists.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            if (cluster.Scalar($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}'") > 0)
            {
                DropSlot(slot);
            }
        }
    }

    private string NewTable(string identity = "FULL", int rows = 0)
    {
        var table = PostgresCluster.NewTable("cdc");
        cluster.Execute($"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, amount double precision); ALTER TABLE {table} REPLICA IDENTITY {identity}");
        if (rows > 0)
        {
            cluster.Execute($"INSERT INTO {table} SELECT i, 'n' || i, i * 1.5 FROM generate_series(1, {rows}) i");
        }
        return table;
    }

    private PostgresCdcSource Source(string table, Func<PostgresCdcOptions, PostgresCdcOptions>? configure = null, string? connectionString = null)
    {
        _slots.Add(table);
        var options = new PostgresCdcOptions
        {
            ConnectionString = connectionString ?? cluster.ConnectionString,
            Table = table,
            SlotName = table,
            SnapshotChunkSize = 10,
            HeartbeatInterval = TimeSpan.Zero,
        };
        return new PostgresCdcSource(configure?.Invoke(options) ?? options, s_schema);
    }

    private static string[] Texts(IEnumerable<Row> rows) => [.. rows.Select(r => r.ToString())];

    private NpgsqlLogSequenceNumber ConfirmedFlush(string slot) =>
        NpgsqlLogSequenceNumber.Parse((string)cluster.Query($"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{slot}'")[0][0]!);

    [Fact]
    public void Snapshot_ThenChanges_EmitsTheTableInChunksThenEachCommittedChangeWithItsBeforeImage()
    {
        var table = NewTable(rows: 25);
        using var reader = new CdcReaderHarness(Source(table));

        var snapshot = reader.ReadUntil(25);
        cluster.Execute($"INSERT INTO {table} VALUES (26, 'ann', 10)");
        cluster.Execute($"UPDATE {table} SET amount = 11 WHERE id = 26");
        cluster.Execute($"DELETE FROM {table} WHERE id = 3");
        var all = reader.ReadUntil(29);

        Texts(snapshot.Take(25)).ShouldBe([.. Enumerable.Range(1, 25).Select(i => $"+I[{i}, n{i}, {i * 1.5}]")]);
        Texts(all.Skip(25)).ShouldBe(["+I[26, ann, 10]", "-U[26, ann, 10]", "+U[26, ann, 11]", "-D[3, n3, 4.5]"]);
        reader.Position.Phase.ShouldBe(PostgresCdcPhase.Stream);
    }

    [Fact]
    public void Transactions_RolledBackAreInvisible_CommittedAreEmittedWhole()
    {
        var table = NewTable();
        using var reader = new CdcReaderHarness(Source(table));
        reader.PollUntil(() => reader.Position.Lsn != default, "the slot's consistent point");

        using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            connection.Open();
            using (var rolledBack = connection.BeginTransaction())
            {
                new NpgsqlCommand($"INSERT INTO {table} VALUES (1, 'ghost', 0)", connection, rolledBack).ExecuteNonQuery();
                rolledBack.Rollback();
            }
            using var committed = connection.BeginTransaction();
            new NpgsqlCommand($"INSERT INTO {table} VALUES (2, 'a', 1); INSERT INTO {table} VALUES (3, 'b', 2); UPDATE {table} SET name = 'c' WHERE id = 2", connection, committed).ExecuteNonQuery();
            committed.Commit();
        }
        var rows = reader.ReadUntil(4);

        Texts(rows).ShouldBe(["+I[2, a, 1]", "+I[3, b, 2]", "-U[2, a, 1]", "+U[2, c, 1]"]);
        reader.PollOfRow.Distinct().Count().ShouldBe(1, "a transaction's changes are emitted in one poll, so no checkpoint splits it");
    }

    [Fact]
    public void UpsertMode_DefaultReplicaIdentity_EmitsUpdatesAndKeyOnlyDeletes()
    {
        var table = NewTable(identity: "DEFAULT", rows: 2);
        using var reader = new CdcReaderHarness(Source(table, o => o with { Changelog = ChangelogMode.Upsert }));
        reader.ReadUntil(2);

        cluster.Execute($"UPDATE {table} SET name = 'x' WHERE id = 1; DELETE FROM {table} WHERE id = 2");
        var rows = reader.ReadUntil(4);

        Texts(rows.Skip(2)).ShouldBe(["+U[1, x, 1.5]", "-D[2, null, null]"]);
    }

    [Fact]
    public void Restore_FromACompletedCheckpoint_EmitsExactlyTheChangesCommittedAfterIt()
    {
        var table = NewTable(rows: 5);
        Dictionary<string, byte[]> checkpoint;
        var source = Source(table);
        using (var first = new CdcReaderHarness(source))
        {
            first.ReadUntil(5);
            cluster.Execute($"INSERT INTO {table} VALUES (6, 'before', 0)");
            first.ReadUntil(6);
            checkpoint = first.Checkpoint();
            first.CompleteCheckpoint(1);
            cluster.Execute($"INSERT INTO {table} VALUES (7, 'after', 0)");
            cluster.Execute($"UPDATE {table} SET name = 'changed' WHERE id = 1");
            first.ReadUntil(9); // emitted, but after the checkpoint: the restored run must emit them again
        }
        cluster.Execute($"DELETE FROM {table} WHERE id = 2");

        using var restored = new CdcReaderHarness(source, checkpoint);
        var rows = restored.ReadUntil(4);

        Texts(rows).ShouldBe(["+I[7, after, 0]", "-U[1, n1, 1.5]", "+U[1, changed, 1.5]", "-D[2, n2, 3]"]);
    }

    [Fact]
    public void ConfirmedFlush_AdvancesOnlyWhenTheCheckpointCompletes()
    {
        var table = NewTable(rows: 1);
        using var reader = new CdcReaderHarness(Source(table));
        reader.ReadUntil(1);
        var start = ConfirmedFlush(table);
        cluster.Execute($"INSERT INTO {table} VALUES (2, 'x', 0)");
        reader.ReadUntil(2);

        reader.Checkpoint();
        var position = reader.Position.Lsn;
        cluster.Execute($"INSERT INTO {table} VALUES (3, 'y', 0)");
        reader.ReadUntil(3);
        position.ShouldBeGreaterThan(start);
        ConfirmedFlush(table).ShouldBe(start, "nothing is confirmed before a checkpoint completes");

        reader.Checkpoint(); // checkpoint 2 covers row 3, and is taken before checkpoint 1 is notified complete
        var covered = reader.Position.Lsn;
        reader.CompleteCheckpoint(1);
        WaitForConfirmedFlush(reader, table, position);
        ConfirmedFlush(table).ShouldBe(position, "checkpoint 1's position, not the later checkpoint 2's (which may still fail)");

        reader.CompleteCheckpoint(2);
        WaitForConfirmedFlush(reader, table, covered);
        ConfirmedFlush(table).ShouldBe(covered);
    }

    private void WaitForConfirmedFlush(CdcReaderHarness reader, string table, NpgsqlLogSequenceNumber expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (ConfirmedFlush(table) != expected && DateTime.UtcNow < deadline)
        {
            reader.Poll(TimeSpan.FromMilliseconds(50));
        }
    }

    [Fact]
    public void Heartbeats_QuietTable_AdvanceThePosition()
    {
        var table = NewTable();
        using var reader = new CdcReaderHarness(Source(table, o => o with { HeartbeatInterval = TimeSpan.FromMilliseconds(100) }));
        reader.PollUntil(() => reader.Position.Lsn != default, "the slot's consistent point");
        var start = reader.Position.Lsn;

        reader.PollUntil(() => reader.Position.Lsn > start, "a heartbeat to move the position");

        reader.Rows.ShouldBeEmpty();
    }

    [Fact]
    public void DroppedSlot_RestoreFailsInsteadOfTakingANewSnapshot()
    {
        var table = NewTable(rows: 1);
        var source = Source(table);
        Dictionary<string, byte[]> checkpoint;
        using (var first = new CdcReaderHarness(source))
        {
            first.ReadUntil(1);
            checkpoint = first.Checkpoint();
        }
        DropSlot(table);

        using var restored = new CdcReaderHarness(source, checkpoint);
        var error = Should.Throw<PostgresCdcException>(() => restored.ReadUntil(1));

        error.Message.ShouldContain($"slot '{table}'");
        error.Message.ShouldContain("no longer exists");
        restored.Rows.ShouldBeEmpty();
    }

    [Fact]
    public void Relation_ColumnsDroppedAndAdded_LaterRowsMapByName()
    {
        var table = PostgresCluster.NewTable("cdc");
        cluster.Execute($"CREATE TABLE {table} (id bigint PRIMARY KEY, extra int, name text, amount double precision); ALTER TABLE {table} REPLICA IDENTITY FULL");
        using var reader = new CdcReaderHarness(Source(table));
        reader.PollUntil(() => reader.Position.Lsn != default, "the slot's consistent point");
        cluster.Execute($"INSERT INTO {table} VALUES (1, 7, 'a', 1)");
        reader.ReadUntil(1);

        cluster.Execute($"ALTER TABLE {table} DROP COLUMN extra; ALTER TABLE {table} ADD COLUMN note text");
        cluster.Execute($"INSERT INTO {table} (id, name, amount, note) VALUES (2, 'b', 2, 'new')");
        var rows = reader.ReadUntil(2);

        Texts(rows).ShouldBe(["+I[1, a, 1]", "+I[2, b, 2]"]);
    }

    [Fact]
    public void Truncate_FailsNamingHowToStartOver()
    {
        var table = NewTable(rows: 1);
        using var reader = new CdcReaderHarness(Source(table));
        reader.ReadUntil(1);

        cluster.Execute($"TRUNCATE {table}");
        var error = Should.Throw<PostgresCdcException>(() => reader.ReadUntil(2));

        error.Message.ShouldContain("truncated");
        error.Message.ShouldContain("pg_drop_replication_slot");
    }

    [Fact]
    public void Restore_FromACheckpointDuringTheSnapshot_FailsNamingHowToStartOver()
    {
        // More rows than the reader buffers ahead of its polls (MaxBufferedRows): whenever the first poll comes, it
        // cannot have taken the whole snapshot, so the checkpoint after it falls inside the snapshot.
        const int rows = PostgresCdcReader.MaxBufferedRows + 30_000;
        var table = NewTable(rows: rows);
        var source = Source(table, o => o with { SnapshotChunkSize = 10_000 });
        Dictionary<string, byte[]> checkpoint;
        using (var first = new CdcReaderHarness(source))
        {
            first.ReadUntil(1);
            first.Rows.Count.ShouldBeLessThan(rows);
            checkpoint = first.Checkpoint();
            PostgresCdcPosition.Decode("t", checkpoint.Values.Single()).Phase.ShouldBe(PostgresCdcPhase.Snapshot);
        }

        using var restored = new CdcReaderHarness(source, checkpoint);
        var error = Should.Throw<PostgresCdcException>(() => restored.ReadUntil(1));

        error.Message.ShouldContain("during the initial snapshot");
    }

    [Fact]
    public void Restore_FromACheckpointBeforeTheFirstChunk_TakesTheSnapshotAfresh()
    {
        var table = NewTable(rows: 3);
        var source = Source(table);
        Dictionary<string, byte[]> checkpoint;
        using (var first = new CdcReaderHarness(source))
        {
            checkpoint = first.Checkpoint(); // before any poll: nothing emitted, whether or not the slot exists yet
        }

        using var restored = new CdcReaderHarness(new PostgresCdcSource(source.Options, source.Schema), checkpoint);
        var rows = restored.ReadUntil(3);
        cluster.Execute($"INSERT INTO {table} VALUES (4, 'x', 0)");
        restored.ReadUntil(4);

        Texts(rows).ShouldBe(["+I[1, n1, 1.5]", "+I[2, n2, 3]", "+I[3, n3, 4.5]", "+I[4, x, 0]"]);
    }

    [Fact]
    public void WrongPassword_NamesTheLogin()
    {
        var table = NewTable();
        var wrong = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Password = "not-the-password" }.ConnectionString;
        using var reader = new CdcReaderHarness(Source(table, connectionString: wrong));

        var error = Should.Throw<PostgresCdcException>(() => reader.ReadUntil(1));

        error.Message.ShouldContain("Check the username and password");
        error.Message.ShouldNotContain("not-the-password");
    }

    [Fact]
    public void RoleWithoutReplication_NamesAlterRole()
    {
        var table = NewTable();
        var role = "norepl_" + Guid.NewGuid().ToString("N")[..8];
        cluster.Execute($"CREATE ROLE {role} LOGIN PASSWORD 'pw'; GRANT SELECT ON {table} TO {role}");
        var connection = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Username = role, Password = "pw" }.ConnectionString;
        using var reader = new CdcReaderHarness(Source(table, connectionString: connection));

        var error = Should.Throw<PostgresCdcException>(() => reader.ReadUntil(1));

        error.Message.ShouldContain($"ALTER ROLE \"{role}\" REPLICATION");
    }

    [Fact]
    public void MissingPublication_WithoutAutocreate_NamesTheStatement()
    {
        var table = NewTable();
        using var reader = new CdcReaderHarness(Source(table, o => o with { CreatePublication = false }));

        var error = Should.Throw<PostgresCdcException>(() => reader.ReadUntil(1));

        error.Message.ShouldContain($"Publication 'sluice_{table}' does not exist");
        error.Message.ShouldContain("CREATE PUBLICATION");
    }

    [Fact]
    public void RetractingChangelog_WithoutReplicaIdentityFull_NamesTheAlterTable()
    {
        var table = NewTable(identity: "DEFAULT");
        using var reader = new CdcReaderHarness(Source(table));

        var error = Should.Throw<PostgresCdcException>(() => reader.ReadUntil(1));

        error.Message.ShouldContain($"ALTER TABLE public.{table} REPLICA IDENTITY FULL");
    }

    [Fact]
    public async Task WalLevelReplica_NamesTheSetting()
    {
        await using var server = await PostgresServer.StartAsync(walLevel: "replica");
        using (var connection = new NpgsqlConnection(server.ConnectionString()))
        {
            connection.Open();
            new NpgsqlCommand("CREATE TABLE t (id bigint PRIMARY KEY, name text, amount double precision)", connection).ExecuteNonQuery();
        }
        using var reader = new CdcReaderHarness(Source("t", connectionString: server.ConnectionString()));

        var error = Should.Throw<PostgresCdcException>(() => reader.ReadUntil(1));

        error.Message.ShouldContain("set wal_level=logical and restart PostgreSQL");
    }

    private void DropSlot(string slot)
    {
        // The previous reader's walsender releases the slot shortly after its connection closed.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                cluster.Execute($"SELECT pg_drop_replication_slot('{slot}')");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
            {
                cluster.Query($"SELECT pg_sleep(0.05)");
            }
        }
    }
}
