using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Schemas;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>The 'duckdb' sink from option dictionaries.</summary>
public sealed class DuckDbConnectorFactoryTests : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse("user_id STRING NOT NULL, visits BIGINT");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-duckdb-factory-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(DuckDbConnectorFactory).Assembly);

    public DuckDbConnectorFactoryTests() => Directory.CreateDirectory(_dir);

    private string Database => Path.Combine(_dir, "warehouse.duckdb");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string> Options(params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "duckdb", ["path"] = Database, ["table-name"] = "visits" };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    [Fact]
    public async Task Sink_Upsert_KeepsTheLastRowPerKey()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(s_schema, "u1", 1L), Row.Of(s_schema, "u2", 5L), Row.Of(s_schema, "u1", 2L)])
            .SinkTo(_registry.CreateSink("visits", s_schema, Options(("sink.write-mode", "upsert"), ("sink.key-fields", "user_id"))));

        await env.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT user_id, visits FROM visits ORDER BY user_id");
        result.RowCount.ShouldBe(2);
        (result.GetString(0, 0), result.GetInt64(0, 1)).ShouldBe(("u1", 2L));
        (result.GetString(1, 0), result.GetInt64(1, 1)).ShouldBe(("u2", 5L));
    }

    [Fact]
    public async Task Sink_Append_WritesEveryRow()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(s_schema, "u1", 1L), Row.Of(s_schema, "u1", 2L)]).SinkTo(_registry.CreateSink("visits", s_schema, Options()));

        await env.ExecuteAsync().OrTimeout();

        Scalar(Database, "SELECT count(*) FROM visits").ShouldBe(2L);
    }

    [Fact]
    public async Task Sink_Retraction_FailsTheJobNamingTheRow_NothingIsWritten()
    {
        var delete = Row.Of(s_schema, "u1", 1L);
        delete.Kind = RowKind.Delete;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(s_schema, "u1", 1L), delete]).SinkTo(_registry.CreateSink("visits", s_schema, Options()));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.ToString().ShouldContain("The DuckDB sink of table 'visits' in '" + Database + "' received the retraction -D[u1, 1] in append mode");
        Scalar(Database, "SELECT count(*) FROM visits").ShouldBe(0L, "the failed job commits nothing");
    }

    [Theory]
    [InlineData("sink.write-mode", "merge", "Option 'sink.write-mode' of connector 'duckdb' must be one of 'append', 'upsert' (got 'merge').")]
    [InlineData("sink.key-fields", "user", "Option 'sink.key-fields' of connector 'duckdb' must name columns of the table (user_id, visits), but 'user' is not one (got 'user').")]
    public void CreateSink_BadOption_OneSentenceNamingOptionValueAndChoices(string key, string value, string expected)
    {
        var options = Options();
        options[key] = value;

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("visits", s_schema, options)).Message.ShouldBe(expected);
    }

    [Fact]
    public void CreateSink_UpsertWithoutKey_NamesTheOption() =>
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("visits", s_schema, Options(("sink.write-mode", "upsert")))).Message
            .ShouldBe("Connector 'duckdb' needs the table's key with 'sink.write-mode' = 'upsert': declare a PRIMARY KEY, or give option 'sink.key-fields' (the key columns, separated by ';').");

    [Fact]
    public void CreateSink_KeyFieldsOtherThanThePrimaryKey_NamesBoth()
    {
        var context = Context(Options(("sink.key-fields", "visits"))) with { PrimaryKey = ["user_id"] };

        Should.Throw<ConfigOptionsException>(() => new DuckDbConnectorFactory().CreateSink(context)).Message
            .ShouldBe("Option 'sink.key-fields' of connector 'duckdb' must be left out or equal the table's PRIMARY KEY (user_id) (got 'visits').");
    }

    [Fact]
    public void GetSinkChangelogMode_FollowsTheWriteModeAndTheKey()
    {
        var factory = new DuckDbConnectorFactory();

        factory.GetSinkChangelogMode(Context(Options())).ShouldBe(ChangelogMode.InsertOnly);
        factory.GetSinkChangelogMode(Context(Options(("sink.key-fields", "user_id")))).ShouldBe(ChangelogMode.Upsert, "a key means upsert");
        factory.GetSinkChangelogMode(Context(Options(("sink.write-mode", "upsert"), ("sink.key-fields", "user_id")))).ShouldBe(ChangelogMode.Upsert);
        factory.GetSinkChangelogMode(Context(Options()) with { PrimaryKey = ["user_id"] }).ShouldBe(ChangelogMode.Upsert, "a PRIMARY KEY means upsert, as in Flink");
        factory.GetSinkChangelogMode(Context(Options(("sink.write-mode", "append")))).ShouldBe(ChangelogMode.InsertOnly);
    }

    [Fact]
    public async Task Sink_PrimaryKeyChangelog_AppliesDeletesAndIgnoresUpdateBefore()
    {
        var sink = new DuckDbConnectorFactory().CreateSink(Context(Options()) with { PrimaryKey = ["user_id"] });
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(
            [
                Row.Of(s_schema, "u1", 1L), Row.Of(s_schema, "u2", 5L), Row.Of(s_schema, "u3", 7L),
                Kind(RowKind.UpdateBefore, Row.Of(s_schema, "u1", 1L)), Kind(RowKind.UpdateAfter, Row.Of(s_schema, "u1", 2L)),
                Kind(RowKind.Delete, Row.Of(s_schema, "u2", 5L)),
                Kind(RowKind.Delete, Row.Of(s_schema, "u3", 7L)), Row.Of(s_schema, "u3", 8L),
                Kind(RowKind.Delete, Row.Of(s_schema, "nobody", null)),
            ]).SinkTo(sink);

        await env.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT user_id, visits FROM visits ORDER BY user_id");
        result.RowCount.ShouldBe(2);
        (result.GetString(0, 0), result.GetInt64(0, 1)).ShouldBe(("u1", 2L));
        (result.GetString(1, 0), result.GetInt64(1, 1)).ShouldBe(("u3", 8L), "a delete then an insert of one key in one batch: the insert wins");
    }

    [Fact]
    public async Task Sink_DeleteInALaterCheckpoint_RemovesTheCommittedRow()
    {
        var context = Context(Options()) with { PrimaryKey = ["user_id"] };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env1.FromCollection([Row.Of(s_schema, "u1", 1L), Row.Of(s_schema, "u2", 2L)]).SinkTo(new DuckDbConnectorFactory().CreateSink(context));
        await env1.ExecuteAsync().OrTimeout();
        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env2.FromCollection([Kind(RowKind.Delete, Row.Of(s_schema, "u1", null))]).SinkTo(new DuckDbConnectorFactory().CreateSink(context));

        await env2.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT user_id FROM visits");
        result.RowCount.ShouldBe(1);
        result.GetString(0, 0).ShouldBe("u2");
    }

    [Fact]
    public void CreateSink_PrimaryKeyWithAppend_RefusedNamingTheTable()
    {
        var context = Context(Options(("sink.write-mode", "append"))) with { PrimaryKey = ["user_id"] };

        Should.Throw<ConfigOptionsException>(() => new DuckDbConnectorFactory().CreateSink(context)).Message
            .ShouldBe("Option 'sink.write-mode' of connector 'duckdb' must be 'upsert' (or left out) for table 'visits', which has a key (user_id): appended rows would fail the commit at the first repeated key (got 'append').");
    }

    [Fact]
    public void CreateSink_KeyFieldsWithAppend_RefusedNamingTheTable() =>
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("visits", s_schema, Options(("sink.write-mode", "append"), ("sink.key-fields", "user_id; visits")))).Message
            .ShouldBe("Option 'sink.write-mode' of connector 'duckdb' must be 'upsert' (or left out) for table 'visits', which has a key (user_id;visits): appended rows would fail the commit at the first repeated key (got 'append').");

    [Fact]
    public void CreateSink_KeyFieldsOfNoColumn_NamesTheColumns() =>
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("visits", s_schema, Options(("sink.key-fields", " ; ")))).Message
            .ShouldBe("Option 'sink.key-fields' of connector 'duckdb' must name at least one column, separated by ';' (got ' ; ').");

    [Fact]
    public async Task Sink_NullKeyValue_FailsTheJobNamingTableColumnAndRow_NothingIsCommitted()
    {
        var keyed = Schema.Parse("user_id STRING, visits BIGINT");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(keyed, "u1", 1L), Row.Of(keyed, null, 2L)])
            .SinkTo(_registry.CreateSink("visits", keyed, Options(("sink.key-fields", "user_id"))));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.ToString().ShouldContain("The DuckDB sink of table 'visits' received the row +I[null, 2] with NULL in its key column 'user_id', which the table cannot store; give every row a key, or filter such rows out before the sink.");
        Scalar(Database, "SELECT count(*) FROM visits").ShouldBe(0L, "the failed job commits nothing, and no commit is left to fail for ever");
    }

    private ConnectorContext Context(Dictionary<string, string> options) =>
        _registry.CreateContext("visits", s_schema, options, ConnectorCapabilities.Sink, out _);

    private static Row Kind(RowKind kind, Row row)
    {
        row.Kind = kind;
        return row;
    }

    [Fact]
    public async Task Sink_SchemaEvolutionDlq_RowOfAChangedTypeGoesToTheDeadLetterTable_NewColumnIsAdded()
    {
        var changed = new Schema(Schema.Parse("user_id STRING NOT NULL, visits STRING")) { Origin = "subject 'visits-value' version 3 (id 9)" };
        var wider = Schema.Parse("user_id STRING NOT NULL, visits BIGINT, country STRING");
        var sink = _registry.CreateSink("visits", s_schema, Options(("schema.evolution.on-incompatible", "dlq")));
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(s_schema, "u1", 1L), Row.Of(changed, "u2", "two"), Row.Of(wider, "u3", 3L, "FR")]).SinkTo(sink);

        await env.ExecuteAsync().OrTimeout();

        Scalar(Database, "SELECT count(*) FROM visits").ShouldBe(2);
        Scalar(Database, "SELECT count(country) FROM visits").ShouldBe(1);
        Scalar(Database, "SELECT count(*) FROM \"visits.dlq\" WHERE field_path = 'visits' AND payload = '+I[u2, two]'").ShouldBe(1);
    }

    [Fact]
    public async Task Sink_SchemaEvolutionDlq_DeadLetterTableWithoutKind_GainsTheColumnAndKeepsItsRows()
    {
        using (var connection = DuckDbQueries.Open(Database))
        {
            // The dead-letter table as Sluice created it before the kind column.
            connection.Run("CREATE TABLE \"visits.dlq\" (source VARCHAR, position VARCHAR, reason VARCHAR, payload VARCHAR, field_path VARCHAR)");
            connection.Run("INSERT INTO \"visits.dlq\" VALUES ('DuckDb(visits)', 'row 1', 'old reason', '+I[u0, zero]', 'visits')");
        }
        var changed = new Schema(Schema.Parse("user_id STRING NOT NULL, visits STRING")) { Origin = "subject 'visits-value' version 3 (id 9)" };
        var sink = _registry.CreateSink("visits", s_schema, Options(("schema.evolution.on-incompatible", "dlq")));
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(s_schema, "u1", 1L), Row.Of(changed, "u2", "two")]).SinkTo(sink);

        await env.ExecuteAsync().OrTimeout();

        Scalar(Database, "SELECT count(*) FROM \"visits.dlq\" WHERE kind IS NULL AND reason = 'old reason'").ShouldBe(1);
        Scalar(Database, "SELECT count(*) FROM \"visits.dlq\" WHERE kind = 'schema' AND payload = '+I[u2, two]' AND field_path = 'visits'").ShouldBe(1);
        Scalar(Database, "SELECT count(*) FROM \"visits.dlq\"").ShouldBe(2);
    }

    [Fact]
    public async Task Sink_SchemaEvolutionNone_RowOfAnotherSchemaFailsTheJob()
    {
        var wider = Schema.Parse("user_id STRING NOT NULL, visits BIGINT, country STRING");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([Row.Of(wider, "u3", 3L, "FR")]).SinkTo(_registry.CreateSink("visits", s_schema, Options(("schema.evolution", "none"))));

        await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().OrTimeout());

        Scalar(Database, "SELECT count(*) FROM visits").ShouldBe(0);
    }
}
