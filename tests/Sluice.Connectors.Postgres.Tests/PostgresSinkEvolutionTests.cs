using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>
/// Schema evolution into the PostgreSQL sink against a real server: rows gain a nullable column mid-checkpoint (a
/// producer moving from v1 to v2 of a registry subject), the ALTER inside the commit transaction across replays and a
/// failed commit, and incompatible rows failing the write or going to the dead-letter table exactly once. Each test
/// works in its own database schema, so its <c>_sluice_commits</c> is its own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSinkEvolutionTests(PostgresCluster cluster)
{
    private const string V3Origin = "subject 'users-value' version 3 (id 12)";
    private static readonly Schema s_v1 = new(Schema.Parse("id BIGINT NOT NULL, name STRING")) { Origin = "subject 'users-value' version 1 (id 4)" };
    private static readonly Schema s_v2 = new(Schema.Parse("id BIGINT NOT NULL, name STRING, email STRING, score DECIMAL(9, 2)")) { Origin = "subject 'users-value' version 2 (id 7)" };
    private static readonly Schema s_v3 = new(Schema.Parse("id BIGINT NOT NULL, name BIGINT")) { Origin = V3Origin };

    [Fact]
    public void Append_RowsGainNullableColumnsMidCheckpoint_ColumnsAddedInTheCommit_OldRowsNull()
    {
        var table = NewTable("users");
        var sink = Append(table);
        sink.AbortPending(0);
        var first = Stage(sink, 1, V1(1, "ann"));
        sink.Commit(1, 0, first);

        var second = Stage(sink, 2, V1(2, "bob"), V2(3, "cy", "cy@example.com", 1.25m), V1(4, "di"), V2(5, "ed", null, 9999999.99m));

        Columns(table).ShouldBe(["id bigint", "name text"], "the columns are added by the commit, not before");
        sink.Commit(2, 0, second);

        Columns(table).ShouldBe(["id bigint", "name text", "email text", "score numeric(9,2)"]);
        cluster.Query($"SELECT id, name, email, score FROM {table} ORDER BY id").ShouldBe(
        [
            [1L, "ann", null, null],
            [2L, "bob", null, null],
            [3L, "cy", "cy@example.com", 1.25m],
            [4L, "di", null, null],
            [5L, "ed", null, 9999999.99m],
        ]);
        StagedRows(table).ShouldBe(0);
    }

    [Fact]
    public void Upsert_RowsGainAColumn_TheLastRowPerKeyAcrossBothStagingTablesWins()
    {
        var table = NewTable("users");
        var sink = Upsert(table);
        sink.AbortPending(0);
        sink.Commit(1, 0, Stage(sink, 1, V1(1, "ann"), V1(2, "bob")));

        var second = Stage(sink, 2,
            V1(3, "cy"),
            V2(1, "anne", "ann@example.com", 1m),
            V1(3, "cyd"), // staged after the widening: into the writer's own table, with null email
            Delete(V2(2, "bob", null, null)));
        sink.Commit(2, 0, second);

        cluster.Query($"SELECT id, name, email, score FROM {table} ORDER BY id").ShouldBe(
        [
            [1L, "anne", "ann@example.com", 1m],
            [3L, "cyd", null, null],
        ]);
    }

    [Fact]
    public void Commit_ReplayedAfterTheAlter_IsSkipped()
    {
        var table = NewTable("users");
        var sink = Append(table);
        sink.AbortPending(0);
        var committable = Stage(sink, 1, V1(1, "ann"), V2(2, "bob", "bob@example.com", 2m));

        sink.Commit(1, 0, committable);
        sink.Commit(1, 0, committable);
        Append(table).Commit(1, 0, committable); // as a restored process would

        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(2);
        cluster.Scalar($"SELECT count(email) FROM {table}").ShouldBe(1);
        Columns(table).Count.ShouldBe(4);
        cluster.Scalar($"SELECT count(*) FROM {SchemaOf(table)}._sluice_commits").ShouldBe(1);
    }

    /// <summary>
    /// The commit fails at its last statement (a trigger on <c>_sluice_commits</c> stands in for a crash): PostgreSQL rolls
    /// back the ALTER with the rows, so the table has neither; the retried commit adds both, once.
    /// </summary>
    [Fact]
    public void Commit_FailingAfterTheAlter_LeavesNeitherColumnNorRows_TheRetryAddsBoth()
    {
        var table = NewTable("users");
        var schema = SchemaOf(table);
        var sink = Append(table);
        sink.AbortPending(0);
        var committable = Stage(sink, 1, V1(1, "ann"), V2(2, "bob", "bob@example.com", 2m));
        cluster.Execute($"""
            CREATE TABLE {schema}.crash (on_commit boolean);
            INSERT INTO {schema}.crash VALUES (true);
            CREATE FUNCTION {schema}.crash() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM {schema}.crash) THEN RAISE EXCEPTION 'crash before the commit'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER crash BEFORE INSERT ON {schema}._sluice_commits FOR EACH ROW EXECUTE FUNCTION {schema}.crash();
            """);

        Should.Throw<Npgsql.PostgresException>(() => sink.Commit(1, 0, committable)).MessageText.ShouldBe("crash before the commit");

        Columns(table).ShouldBe(["id bigint", "name text"]);
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(0);
        StagedRows(table).ShouldBe(2, "the staged rows wait for the retry");

        cluster.Execute($"DELETE FROM {schema}.crash");
        Append(table).Commit(1, 0, committable);

        Columns(table).ShouldBe(["id bigint", "name text", "email text", "score numeric(9,2)"]);
        cluster.Query($"SELECT id, email FROM {table} ORDER BY id").ShouldBe([[1L, null], [2L, "bob@example.com"]]);
        StagedRows(table).ShouldBe(0);
    }

    /// <summary>Commits run after later checkpoints were staged: the writer widened at checkpoint 2, checkpoint 1's commit adds nothing.</summary>
    [Fact]
    public void Commit_OfABatchStagedBeforeTheWidening_AddsNoColumn()
    {
        var table = NewTable("users");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context());
        writer.Write(V1(1, "ann"), 0);
        var first = writer.PrepareCommit(1);
        writer.Write(V2(2, "bob", "b@example.com", 1m), 0);
        var second = writer.PrepareCommit(2);
        writer.Dispose();

        sink.Commit(1, 0, first);

        Columns(table).ShouldBe(["id bigint", "name text"], "checkpoint 1's rows have no new column");
        sink.Commit(2, 0, second);
        cluster.Query($"SELECT id, email FROM {table} ORDER BY id").ShouldBe([[1L, null], [2L, "b@example.com"]]);
    }

    /// <summary>A writer widens, its checkpoint never completes: the restarted sink deletes its staged rows and drops its staging table.</summary>
    [Fact]
    public void AbortPending_ClearsTheWritersOwnStagingTables()
    {
        var table = NewTable("users");
        var sink = Append(table);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context());
        writer.Write(V1(1, "ann"), 0);
        var first = writer.PrepareCommit(1);
        writer.Write(V2(2, "bob", "b@example.com", 1m), 0);
        writer.PrepareCommit(2); // its checkpoint never completes
        writer.Dispose();
        StagingTables(table).Count.ShouldBe(2, "the shared staging table and the writer's own");

        var restarted = Append(table);
        restarted.AbortPending(1);
        restarted.Commit(1, 0, first);

        cluster.Query($"SELECT id FROM {table}").ShouldBe([[1L]]);
        StagingTables(table).Count.ShouldBe(1, "the writer's own table, left empty, is dropped");
        Columns(table).ShouldBe(["id bigint", "name text"], "the column of the abandoned checkpoint was never added");
    }

    [Fact]
    public void Incompatible_WithFail_TheWriteFailsNamingSubjectVersionAndField_NothingStaged()
    {
        var table = NewTable("users");
        var sink = Append(table);
        sink.AbortPending(0);
        using var writer = sink.CreateWriter(Context());
        writer.Write(V1(1, "ann"), 0);

        var error = Should.Throw<InvalidDataException>(() => writer.Write(Row.Of(s_v3, 2L, 7L), 0));

        error.Message.ShouldStartWith($"The PostgreSQL sink of table '{table}' cannot write the row: The field 'name' changed type from VARCHAR to BIGINT in rows of {V3Origin}");
        error.Message.ShouldContain("incompatible-schema action to dead-letter");
    }

    [Fact]
    public void Incompatible_WithDeadLetter_RowsGoToTheDlqTableInTheCommit_ExactlyOnce()
    {
        var table = NewTable("users");
        var sink = PostgresSink.ForRows(Options(table) with { OnIncompatibleSchema = IncompatibleSchemaAction.DeadLetter }, s_v1);
        sink.AbortPending(0);
        var committable = Stage(sink, 1, V1(1, "ann"), Row.Of(s_v3, 2L, 7L), V1(3, "cy"));
        var lettersOnly = Stage(sink, 2, Row.Of(s_v3, 4L, 8L));

        sink.Commit(1, 0, committable);
        sink.Commit(1, 0, committable);
        sink.Commit(2, 0, lettersOnly);

        cluster.Query($"SELECT id FROM {table} ORDER BY id").ShouldBe([[1L], [3L]]);
        var letters = cluster.Query($"""SELECT source, position, reason, payload, field_path FROM {SchemaOf(table)}."{NameOf(table)}.dlq" ORDER BY payload""");
        letters.Count.ShouldBe(2);
        letters[0][0].ShouldBe("Postgres(test)");
        letters[0][1].ShouldBe("row at event time 0");
        ((string)letters[0][2]!).ShouldContain($"The field 'name' changed type from VARCHAR to BIGINT in rows of {V3Origin}");
        letters[0][3].ShouldBe("+I[2, 7]");
        letters[0][4].ShouldBe("name");
        letters[1][3].ShouldBe("+I[4, 8]");
    }

    [Fact]
    public void EvolutionNone_RowOfAnotherSchema_FailsTheWriteNamingBothSchemas()
    {
        var table = NewTable("users");
        var sink = PostgresSink.ForRows(Options(table) with { SchemaEvolution = SchemaEvolutionMode.None }, s_v1);
        sink.AbortPending(0);
        using var writer = sink.CreateWriter(Context());

        var error = Should.Throw<InvalidDataException>(() => writer.Write(V2(1, "ann", null, null), 0));

        error.Message.ShouldContain("subject 'users-value' version 2 (id 7)");
        error.Message.ShouldContain("'schema.evolution' = 'add-columns'");
    }

    /// <summary>A job of two subtasks whose producer moves to v2 mid-stream: every row once, the column from that point on, no restart.</summary>
    [Fact]
    public async Task Job_ProducerMovesToV2MidStream_TableHasTheColumnFromThenOn_NothingLost()
    {
        const int count = 2_000, switchAt = 700;
        var table = NewTable("users");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, BatchSize = 64 });
        env.FromCollection(Enumerable.Range(0, count).Select(i => i < switchAt || i % 5 == 0 ? V1(i, "n" + i) : V2(i, "n" + i, $"u{i}@example.com", i)))
            .ToPostgres(Options(table), s_v1);

        var result = await env.ExecuteAsync().WaitAsync(TimeSpan.FromMinutes(2));

        result.Restarts.ShouldBe(0);
        cluster.Scalar($"SELECT count(DISTINCT id) FROM {table}").ShouldBe(count);
        cluster.Scalar($"SELECT count(*) FROM {table}").ShouldBe(count);
        cluster.Scalar($"SELECT count(*) FROM {table} WHERE email IS NOT NULL").ShouldBe(Enumerable.Range(0, count).Count(i => i >= switchAt && i % 5 != 0));
        cluster.Scalar($"SELECT count(*) FROM {table} WHERE email IS NOT NULL AND (id < {switchAt} OR email <> 'u' || id || '@example.com' OR score <> id)").ShouldBe(0);
        StagedRows(table).ShouldBe(0);
    }

    [Fact]
    public void Committable_Version2WithDeadLetters_IsPinned()
    {
        // Golden: version 2, writer id, sequence 3, rows 0, one letter: "op", "p", "r", "x" and a null field path.
        var writer = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        byte[] expected =
        [
            2, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
            0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 1,
            0, 0, 0, 2, (byte)'o', (byte)'p',
            0, 0, 0, 1, (byte)'p',
            0, 0, 0, 1, (byte)'r',
            0, 0, 0, 1, (byte)'x',
            0xff, 0xff, 0xff, 0xff,
        ];

        PostgresSink<Row>.EncodeCommittable(writer, 3, 0, [new DeadLetter("op", "p", "r", "x")]).ShouldBe(expected);
        var (decodedWriter, sequence, rows, letters) = PostgresSink<Row>.DecodeCommittable(expected);
        (decodedWriter, sequence, rows).ShouldBe((writer, 3L, 0L));
        letters.Single().ShouldBe(new DeadLetter("op", "p", "r", "x") { Kind = DeadLetterKind.Schema, Operator = "op" });
        Should.Throw<InvalidDataException>(() => PostgresSink<Row>.DecodeCommittable(expected[..^2]));
    }

    private string NewTable(string prefix)
    {
        var schema = PostgresCluster.NewTable("ev");
        cluster.Execute($"CREATE SCHEMA {schema}");
        return schema + "." + prefix;
    }

    private static string SchemaOf(string table) => table[..table.IndexOf('.', StringComparison.Ordinal)];

    private static string NameOf(string table) => table[(table.IndexOf('.', StringComparison.Ordinal) + 1)..];

    private PostgresSinkOptions Options(string table) => new() { ConnectionString = cluster.ConnectionString, Table = table };

    private PostgresSink<Row> Append(string table) => PostgresSink.ForRows(Options(table), s_v1);

    private PostgresSink<Row> Upsert(string table) =>
        PostgresSink.ForRows(Options(table) with { Mode = PostgresWriteMode.Upsert, PrimaryKey = ["id"] }, s_v1);

    private static Row V1(long id, string name) => Row.Of(s_v1, id, name);

    private static Row V2(long id, string name, string? email, decimal? score) => Row.Of(s_v2, id, name, email, score);

    private static Row Delete(Row row)
    {
        row.Kind = RowKind.Delete;
        return row;
    }

    private List<string> Columns(string table) =>
        cluster.Query($"SELECT a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")
            .Select(r => (string)r[0]!).ToList();

    private List<string> StagingTables(string table) =>
        cluster.Query($"SELECT tablename::text FROM pg_tables WHERE schemaname = '{SchemaOf(table)}' AND tablename LIKE '\\_sluice\\_stage\\_%'").Select(r => (string)r[0]!).ToList();

    private long StagedRows(string table) =>
        StagingTables(table).Sum(t => cluster.Scalar($"SELECT count(*) FROM {SchemaOf(table)}.\"{t}\""));

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

    private static SinkContext Context() => new("Postgres(test)", 0, 1, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance };
}
