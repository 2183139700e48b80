using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The PostgreSQL sink's writes, commits and checks, driven directly (writer → committable → commit) against a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSinkTests(PostgresCluster cluster)
{
    private static readonly Schema s_users = Schema.Parse("id BIGINT NOT NULL, name STRING, score DOUBLE");

    [Fact]
    public void Upsert_AppliesAChangelog_LastRowPerKeyWins_DeleteRemoves_UpdateBeforeIgnored()
    {
        var table = PostgresCluster.NewTable("users");
        var sink = Upsert(table);
        sink.AbortPending(0);

        var committable = Stage(sink, 1,
            User(RowKind.Insert, 1, "ann", 1.5),
            User(RowKind.Insert, 2, "bob", 2.5),
            User(RowKind.UpdateBefore, 1, "ann", 1.5),
            User(RowKind.UpdateAfter, 1, "anne", 9.0),
            User(RowKind.Delete, 2, "bob", 2.5),
            User(RowKind.Insert, 3, null, null));
        sink.Commit(1, 0, committable);

        Rows(table).ShouldBe([[1L, "anne", 9.0], [3L, null, null]]);

        var second = Stage(sink, 2, User(RowKind.UpdateAfter, 3, "cy", 3.0), User(RowKind.Delete, 1, "anne", 9.0), User(RowKind.Insert, 4, "di", 4.0));
        sink.Commit(2, 0, second);

        Rows(table).ShouldBe([[3L, "cy", 3.0], [4L, "di", 4.0]]);
    }

    [Fact]
    public void Commit_Replayed_IsSkipped()
    {
        var table = PostgresCluster.NewTable("replay");
        var sink = Append(table);
        sink.AbortPending(0);
        var committable = Stage(sink, 1, User(RowKind.Insert, 1, "a", 1), User(RowKind.Insert, 2, "b", 2));

        sink.Commit(1, 0, committable);
        sink.Commit(1, 0, committable);
        Append(table).Commit(1, 0, committable); // as a restored process would

        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(2);
        cluster.Scalar($"SELECT count(*) FROM _sluice_commits WHERE sink_table = '\"{table}\"'").ShouldBe(1);
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(0);
    }

    [Fact]
    public void Commit_StagedRowsGone_FailsInsteadOfDroppingThem()
    {
        var table = PostgresCluster.NewTable("lost");
        var sink = Upsert(table); // staged: appends go through prepared transactions on this server
        sink.AbortPending(0);
        var committable = Stage(sink, 1, User(RowKind.Insert, 1, "a", 1));
        cluster.Execute($"DELETE FROM _sluice_stage_{table}");

        var error = Should.Throw<IOException>(() => sink.Commit(1, 0, committable));

        error.Message.ShouldContain("staged 1 rows");
        error.Message.ShouldContain("0 are there");
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(0);
    }

    [Fact]
    public void AbortPending_DeletesTheStagedRowsOfLaterCheckpointsOnly()
    {
        var table = PostgresCluster.NewTable("abort");
        var sink = Upsert(table); // staged: appends go through prepared transactions on this server
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context());
        writer.Write(User(RowKind.Insert, 1, "a", 1), 0);
        var first = writer.PrepareCommit(1); // sequence 1
        writer.Write(User(RowKind.Insert, 2, "b", 2), 0);
        writer.PrepareCommit(2); // sequence 2: its checkpoint never completes
        writer.Dispose();

        var restarted = Upsert(table);
        restarted.AbortPending(1);
        restarted.Commit(1, 0, first); // the restored checkpoint's committable, committed on restore

        cluster.Query($"SELECT id FROM {table}").Select(r => (long)r[0]!).ShouldBe([1L]);
        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(0);
    }

    [Fact]
    public void Writer_DisposedMidCheckpoint_StagesNothing()
    {
        var table = PostgresCluster.NewTable("cancel");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = sink.CreateWriter(Context());
        writer.Write(User(RowKind.Insert, 1, "a", 1), 0);

        writer.Dispose(); // a crash before the barrier: the COPY is cancelled, its transaction rolled back

        cluster.Scalar($"SELECT count(*) FROM _sluice_stage_{table}").ShouldBe(0);
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(0);
    }

    [Fact]
    public void Append_ChangelogRow_FailsNamingItsKind()
    {
        var table = PostgresCluster.NewTable("appendonly");
        var sink = Append(table);
        sink.AbortPending(0);
        using var writer = sink.CreateWriter(Context());

        var error = Should.Throw<InvalidOperationException>(() => writer.Write(User(RowKind.Delete, 1, "a", 1), 0));

        error.Message.ShouldContain("Delete row");
        error.Message.ShouldContain("PostgresWriteMode.Upsert");
    }

    [Fact]
    public void Upsert_NullKey_FailsWhenWritten_NamingTheColumn()
    {
        var schema = Schema.Parse("id BIGINT, name STRING");
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = PostgresCluster.NewTable("nullkey"), Mode = PostgresWriteMode.Upsert, PrimaryKey = ["id"] }, schema);
        sink.AbortPending(0);
        using var writer = sink.CreateWriter(Context());

        var error = Should.Throw<ArgumentException>(() => writer.Write(Row.Of(schema, null, "x"), 0));

        error.Message.ShouldContain("NULL in key column 'id'");
    }

    [Fact]
    public void AllScalarTypes_RoundTrip()
    {
        var schema = Schema.Parse("b BOOLEAN, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(12, 3), s STRING, y BYTES, dt DATE, t TIME(3), ts TIMESTAMP(3), tz TIMESTAMP_LTZ(3)");
        var table = PostgresCluster.NewTable("types");
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table }, schema);
        sink.AbortPending(0);
        var full = Row.Of(schema, true, 7, 1L << 40, 1.5f, 2.25, 12345.678m, "héllo", new byte[] { 0, 255 }, new DateOnly(2026, 12, 6),
            new TimeOnly(8, 30, 15, 250), new DateTime(2026, 12, 6, 8, 30, 15, 125), new DateTimeOffset(2026, 12, 6, 8, 30, 15, 500, TimeSpan.Zero));
        var empty = new Row(schema);
        for (var i = 0; i < schema.Count; i++)
        {
            empty.SetNull(i);
        }
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context());
        writer.Write(full, 0);
        writer.Write(empty, 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));
        writer.Dispose();

        var rows = cluster.Query($"SELECT b, i, l, f, d, m, s, y, dt, t, ts, tz FROM {table} ORDER BY i NULLS LAST");
        rows[0].ShouldBe([true, 7, 1L << 40, 1.5f, 2.25, 12345.678m, "héllo", new byte[] { 0, 255 }, new DateOnly(2026, 12, 6),
            new TimeOnly(8, 30, 15, 250), new DateTime(2026, 12, 6, 8, 30, 15, 125), new DateTime(2026, 12, 6, 8, 30, 15, 500, DateTimeKind.Utc)]);
        rows[1].ShouldAllBe(v => v == null);
        cluster.Query($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attnum > 0 ORDER BY attnum")
            .Select(r => (string)r[0]!).ShouldBe(["boolean", "integer", "bigint", "real", "double precision", "numeric(12,3)", "text", "bytea", "date",
                "time(3) without time zone", "timestamp(3) without time zone", "timestamp(3) with time zone"]);
    }

    [Fact]
    public void Records_AreMappedBySnakeCaseProperties()
    {
        var table = PostgresCluster.NewTable("orders");
        var sink = PostgresSink.For<Order>(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["order_id"] });
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Order>)sink.CreateWriter(Context());
        writer.Write(new Order("o1", 10.5m), 0);
        writer.Write(new Order("o1", 11m), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));
        writer.Dispose();

        cluster.Query($"SELECT order_id, total_amount FROM {table}").ShouldBe([["o1", 11m]]);
    }

    [Fact]
    public void ExistingTable_WithoutKey_InUpsertMode_FailsNamingTheFix()
    {
        var table = PostgresCluster.NewTable("nokey");
        cluster.Execute($"CREATE TABLE {table} (id bigint NOT NULL, name text, score double precision)");

        var error = Should.Throw<PostgresSinkException>(() => Upsert(table).AbortPending(0));

        error.Message.ShouldContain("needs a primary key or unique constraint on (id)");
        error.Message.ShouldContain($"ALTER TABLE \"{table}\" ADD PRIMARY KEY (\"id\")");
    }

    [Fact]
    public void ExistingTable_WithAUniqueConstraintOnTheKey_IsAccepted()
    {
        var table = PostgresCluster.NewTable("unique");
        cluster.Execute($"CREATE TABLE {table} (id bigint NOT NULL UNIQUE, name text, score double precision, extra text)");
        var sink = Upsert(table);
        sink.AbortPending(0);

        sink.Commit(1, 0, Stage(sink, 1, User(RowKind.Insert, 1, "a", 1)));

        cluster.Query($"SELECT id, name, extra FROM {table}").ShouldBe([[1L, "a", null]]);
    }

    [Fact]
    public void ExistingTable_MissingColumn_FailsNamingIt()
    {
        var table = PostgresCluster.NewTable("missing");
        cluster.Execute($"CREATE TABLE {table} (id bigint PRIMARY KEY, name text)");

        var error = Should.Throw<PostgresSinkException>(() => Upsert(table).AbortPending(0));

        error.Message.ShouldContain("has no column 'score'");
        error.Message.ShouldContain("ADD COLUMN \"score\" double precision");
    }

    [Fact]
    public void ExistingTable_LossyColumnType_FailsNamingIt()
    {
        var table = PostgresCluster.NewTable("lossy");
        cluster.Execute($"CREATE TABLE {table} (id integer PRIMARY KEY, name text, score double precision)");

        var error = Should.Throw<PostgresSinkException>(() => Upsert(table).AbortPending(0));

        error.Message.ShouldContain("Column 'id'");
        error.Message.ShouldContain("is integer");
    }

    [Fact]
    public void WrongPassword_FailsNamingTheUser_NotThePassword()
    {
        var connection = cluster.ConnectionString.Replace(PostgresServer.Password, "not-the-password", StringComparison.Ordinal);
        var sink = PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = connection, Table = "t" }, s_users);

        var error = Should.Throw<PostgresSinkException>(() => sink.AbortPending(0));

        error.Message.ShouldContain($"refused the login of user '{PostgresServer.User}'");
        error.Message.ShouldContain("Check the username and password");
        error.Message.ShouldNotContain("not-the-password");
    }

    [Fact]
    public void Options_Inconsistent_AreRefusedAtConstruction()
    {
        Should.Throw<ArgumentException>(() => PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = "Host=x", Table = "t", Mode = PostgresWriteMode.Upsert }, s_users))
            .Message.ShouldContain("needs PostgresSinkOptions.PrimaryKey");
        Should.Throw<ArgumentException>(() => PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = "Host=x", Table = "t", Mode = PostgresWriteMode.Upsert, PrimaryKey = ["nope"] }, s_users))
            .Message.ShouldContain("'nope' is not a field");
        Should.Throw<ArgumentException>(() => PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = "Host=x", Table = "_sluice_x" }, s_users))
            .Message.ShouldContain("reserved");
        Should.Throw<NotSupportedException>(() => PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = "Host=x", Table = "t" }, Schema.Parse("tags ARRAY<STRING>")))
            .Message.ShouldContain("Field 'tags'");
    }

    [Fact]
    public void Committable_Version1_IsPinned()
    {
        // Golden: version 1, writer id (RFC 4122 byte order), sequence 3, rows 258 — checkpoints store these bytes.
        var writer = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        byte[] expected = [1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1, 2];

        PostgresSink<Row>.EncodeCommittable(writer, 3, 258).ShouldBe(expected);
        var (decodedWriter, sequence, rows, letters) = PostgresSink<Row>.DecodeCommittable(expected);
        (decodedWriter, sequence, rows).ShouldBe((writer, 3L, 258L));
        letters.ShouldBeEmpty();
        Should.Throw<InvalidDataException>(() => PostgresSink<Row>.DecodeCommittable([2, .. expected[1..]]));
    }

    private sealed record Order(string OrderId, decimal TotalAmount);

    private PostgresSink<Row> Upsert(string table) =>
        PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table, Mode = PostgresWriteMode.Upsert, PrimaryKey = ["id"] }, s_users);

    private PostgresSink<Row> Append(string table) =>
        PostgresSink.ForRows(new PostgresSinkOptions { ConnectionString = cluster.ConnectionString, Table = table }, s_users);

    private static Row User(RowKind kind, long id, string? name, double? score)
    {
        var row = Row.Of(s_users, id, name, score);
        row.Kind = kind;
        return row;
    }

    private static byte[] Stage(PostgresSink<Row> sink, long checkpointId, params Row[] rows)
    {
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context());
        foreach (var row in rows)
        {
            writer.Write(row, 0);
        }
        var committable = writer.PrepareCommit(checkpointId);
        writer.Dispose();
        return committable;
    }

    private List<object?[]> Rows(string table) => cluster.Query($"SELECT id, name, score FROM {table} ORDER BY id");

    private static SinkContext Context() => new("Postgres(test)", 0, 1, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance };
}
