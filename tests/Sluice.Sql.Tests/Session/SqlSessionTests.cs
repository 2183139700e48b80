using Sluice.Connectors.Datagen;
using Sluice.Connectors.Print;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Session;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Session;

/// <summary>A C# function CREATE FUNCTION loads by name.</summary>
public static class TimesTwo
{
    /// <summary>Twice the value.</summary>
    public static long Eval(long value) => value * 2;
}

public sealed class SqlSessionTests : IDisposable
{
    private const string Bids = "CREATE TABLE bid (auction BIGINT, price BIGINT, ts TIMESTAMP(3), doubled AS price * 2, "
        + "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (auction) NOT ENFORCED) WITH ('connector' = 'datagen', 'number-of-rows' = '10')";

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-session-").FullName;

    private static SqlSession NewSession(string? dataDirectory = null) => SqlSession.Create(new SqlSessionOptions
    {
        DataDirectory = dataDirectory,
        Connectors = new Sluice.Connectors.ConnectorRegistry().Register(new DatagenConnectorFactory()).Register(new PrintConnectorFactory(TextWriter.Null)),
    });

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Execute_CreateTable_AddsItWithColumnsKeyAndWatermark()
    {
        var session = NewSession();

        var result = session.Execute(Bids).ShouldHaveSingleItem().ShouldBeOfType<SqlMessageResult>();

        result.Message.ShouldBe("Table 'bid' was created.");
        var table = session.Catalog.GetTable("bid");
        table.Columns.Select(static c => c.Name).ShouldBe(["auction", "price", "ts", "doubled"]);
        table.Column("doubled").ShouldBeOfType<ComputedColumn>();
        table.Watermark!.Column.ShouldBe("ts");
        table.PrimaryKey.ShouldBe(["auction"]);
        table.Option("number-of-rows").ShouldBe("10");
    }

    [Fact]
    public void Execute_CreateTableWithMisspeltOption_FailsAndAddsNothing()
    {
        var session = NewSession();

        var error = Should.Throw<SqlException>(() => session.Execute("CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-secnd' = '1')"));

        error.Reason.ShouldStartWith("Table 't': ");
        error.Reason.ShouldContain("'rows-per-secnd'");
        error.Position.ShouldBe(new SqlPosition(0, 1, 1));
        session.Catalog.Find("t").ShouldBeNull();
    }

    [Fact]
    public void Execute_CreateTableTwice_NamesItAndIfNotExistsKeepsTheFirst()
    {
        var session = NewSession();
        session.Execute(Bids);

        Should.Throw<SqlException>(() => session.Execute(Bids)).Reason.ShouldBe("A table named 'bid' already exists; drop it first or use IF NOT EXISTS.");
        session.Execute(Bids.Replace("CREATE TABLE bid", "CREATE TABLE IF NOT EXISTS bid", StringComparison.Ordinal))
            .ShouldHaveSingleItem().ShouldBeOfType<SqlMessageResult>().Message.ShouldBe("Table 'bid' already exists; nothing was changed.");
    }

    [Fact]
    public void Execute_CreateView_StoresAQueryThatParsesBackToTheSame()
    {
        var session = NewSession();
        session.Execute(Bids);

        session.Execute("CREATE VIEW expensive AS SELECT auction, price FROM bid WHERE price > 100");

        var view = session.Catalog.Find("expensive").ShouldBeOfType<CatalogView>();
        SqlParser.ParseQuery(view.Query).ShouldBe(SqlParser.ParseQuery("SELECT auction, price FROM bid WHERE price > 100"));
    }

    [Fact]
    public void Execute_CreateFunction_LoadsTheClassByName()
    {
        var session = NewSession();

        session.Execute($"CREATE FUNCTION times_two AS '{typeof(TimesTwo).FullName}'").ShouldHaveSingleItem()
            .ShouldBeOfType<SqlMessageResult>().Message.ShouldBe("Function 'times_two' was created.");

        session.Functions.Overloads("times_two").ShouldHaveSingleItem().Signature.ShouldBe("TIMES_TWO(BIGINT)");
        session.Execute("SHOW FUNCTIONS").ShouldHaveSingleItem().ShouldBeOfType<SqlTableResult>().Rows.ShouldContain(r => r[0] == "times_two");
    }

    [Fact]
    public void Execute_CreateFunctionUnknownClass_NamesClassAndAddsNothing()
    {
        var session = NewSession();

        Should.Throw<SqlException>(() => session.Execute("CREATE FUNCTION f AS 'No.Such.Type'")).Reason
            .ShouldBe("Function 'f' names class 'No.Such.Type', which no loaded assembly has; give the full name (Namespace.Type) or an assembly-qualified name, and load its assembly.");
        session.Catalog.FindFunction("f").ShouldBeNull();
    }

    [Fact]
    public void Execute_CreateFunctionInPython_IsRejected() =>
        Should.Throw<SqlException>(() => NewSession().Execute("CREATE FUNCTION f AS 'm.f' LANGUAGE PYTHON")).Reason
            .ShouldBe("Function 'f' is LANGUAGE PYTHON; Sluice runs C# functions only (LANGUAGE CSHARP, or no LANGUAGE).");

    [Fact]
    public void Execute_DropFunction_RemovesItFromTheFunctions()
    {
        var session = NewSession();
        session.Execute($"CREATE TEMPORARY FUNCTION times_two AS '{typeof(TimesTwo).FullName}'");

        session.Execute("DROP TEMPORARY FUNCTION times_two").ShouldHaveSingleItem().ShouldBeOfType<SqlMessageResult>()
            .Message.ShouldBe("Temporary function 'times_two' was dropped.");

        session.Functions.Overloads("times_two").ShouldBeEmpty();
    }

    [Fact]
    public void Execute_DropTableIfExistsOfAMissingTable_ChangesNothing() =>
        NewSession().Execute("DROP TABLE IF EXISTS nope").ShouldHaveSingleItem().ShouldBeOfType<SqlMessageResult>()
            .Message.ShouldBe("Table 'nope' does not exist; nothing was changed.");

    [Fact]
    public void Execute_ShowTablesAndViews_ListsNamesSorted()
    {
        var session = NewSession();
        session.Execute(Bids + "; CREATE TABLE a (x INT) WITH ('connector' = 'print'); CREATE VIEW v AS SELECT 1");

        var tables = session.Execute("SHOW TABLES").ShouldHaveSingleItem().ShouldBeOfType<SqlTableResult>();
        var views = session.Execute("SHOW VIEWS").ShouldHaveSingleItem().ShouldBeOfType<SqlTableResult>();

        tables.Columns.ShouldBe(["table name"]);
        tables.Rows.Select(static r => r[0]).ShouldBe(["a", "bid", "v"]);
        views.Rows.Select(static r => r[0]).ShouldBe(["v"]);
    }

    [Fact]
    public void Execute_Describe_ShowsTypesKeysComputedColumnsAndWatermark()
    {
        var session = NewSession();
        session.Execute(Bids);

        var result = session.Execute("DESCRIBE bid").ShouldHaveSingleItem().ShouldBeOfType<SqlTableResult>();

        result.Columns.ShouldBe(["name", "type", "null", "key", "extras", "watermark"]);
        result.Rows.Select(static r => string.Join(" | ", r)).ShouldBe([
            "auction | BIGINT NOT NULL | FALSE | PRI(auction) |  | ",
            "price | BIGINT | TRUE |  |  | ",
            "ts | TIMESTAMP(3) *ROWTIME* | TRUE |  |  | ts - INTERVAL '5' SECOND",
            "doubled |  |  |  | AS price * 2 | ",
        ]);
    }

    [Fact]
    public void Execute_DescribeUnknownTable_SuggestsTheClosest()
    {
        var session = NewSession();
        session.Execute(Bids);

        var error = Should.Throw<SqlException>(() => session.Execute("DESCRIBE bids"));

        error.Reason.ShouldBe("Table 'bids' does not exist. Did you mean 'bid'?");
        error.Position.ShouldBe(new SqlPosition(9, 1, 10));
    }

    [Fact]
    public void Execute_Set_ChangesTheTypedSettingAndResetRestoresIt()
    {
        var session = NewSession();

        session.Execute("SET 'parallelism.default' = '4'; SET 'table.exec.state.ttl' = '1 h'; SET 'sql-client.execution.result-mode' = 'changelog'");

        session.Settings.Parallelism.ShouldBe(4);
        session.Settings.StateTtl.ShouldBe(TimeSpan.FromHours(1));
        session.Settings.ResultMode.ShouldBe(SqlResultMode.Changelog);
        session.Execute("RESET 'parallelism.default'").ShouldHaveSingleItem().ShouldBeOfType<SqlMessageResult>()
            .Message.ShouldBe("Setting 'parallelism.default' is back at its default '1'.");
        session.Settings.Parallelism.ShouldBe(1);
    }

    [Fact]
    public void Execute_SetUnknownKey_SuggestsTheClosest() =>
        Should.Throw<SqlException>(() => NewSession().Execute("SET 'parallelism.defualt' = '4'")).Reason.ShouldBe(
            "There is no setting 'parallelism.defualt'. Did you mean 'parallelism.default'? The settings are: execution.checkpointing.interval, parallelism.default, pipeline.name, sql-client.execution.result-mode, table.exec.source.idle-timeout, table.local-time-zone, table.exec.state.ttl.");

    [Theory]
    [InlineData("parallelism.default", "0", "a whole number from 1 to 32768")]
    [InlineData("execution.checkpointing.interval", "soon", "a duration such as '500 ms', '10 s', '5 min' or '1 h'")]
    [InlineData("sql-client.execution.result-mode", "grid", "'table', 'changelog' or 'tableau'")]
    [InlineData("table.local-time-zone", "Mars/Olympus", "a time zone id such as 'UTC' or 'Europe/Berlin'")]
    public void Execute_SetInvalidValue_SaysWhatFits(string key, string value, string expected) =>
        Should.Throw<SqlException>(() => NewSession().Execute($"SET '{key}' = '{value}'")).Reason.ShouldBe($"SET '{key}' must be {expected}, not '{value}'.");

    [Fact]
    public void Execute_SetWithoutKey_ListsEverySetting()
    {
        var session = NewSession();
        session.Execute("SET 'execution.checkpointing.interval' = '10 s'");

        var result = session.Execute("SET").ShouldHaveSingleItem().ShouldBeOfType<SqlTableResult>();

        result.Rows.Select(static r => $"{r[0]}={r[1]}").ShouldBe([
            "execution.checkpointing.interval=10000 ms", "parallelism.default=1", "pipeline.name=", "sql-client.execution.result-mode=table",
            "table.exec.source.idle-timeout=0 ms", "table.local-time-zone=UTC", "table.exec.state.ttl=0 ms",
        ]);
    }

    [Fact]
    public async Task ExecuteEach_InsertsAsOneJob_RunsTheDdlFirstAndTheInsertsAsOneStatementSet()
    {
        var session = NewSession();
        var script = Bids + "; INSERT INTO out1 SELECT auction FROM bid; CREATE TABLE out1 (a BIGINT) WITH ('connector' = 'print'); INSERT INTO out1 SELECT price FROM bid;";

        var results = session.ExecuteEach(script, insertsAsOneJob: true).ToList();

        results.Count.ShouldBe(3);
        results.Take(2).Select(static r => ((SqlMessageResult)r).Message).ShouldBe(["Table 'bid' was created.", "Table 'out1' was created."]);
        var job = results[2].ShouldBeOfType<SqlJobResult>();
        job.Statement.ShouldBeOfType<SqlStatementSet>().Inserts.Count.ShouldBe(2);
        job.Statement.Position.ShouldBe(new SqlPosition(Bids.Length + 2, 1, Bids.Length + 3));
        var result = await job.Job.Completion.OrTimeout();
        result.SourceRecords.ShouldBe(20); // the bid table is read once per INSERT
    }

    [Fact]
    public void ExecuteEach_SyntaxErrorAnywhere_RunsNothing()
    {
        var session = NewSession();

        Should.Throw<SqlException>(() => session.ExecuteEach(Bids + "; SELEC 1"));

        session.Catalog.Find("bid").ShouldBeNull();
    }

    [Fact]
    public void Create_DataDirectory_KeepsTablesAndFunctionsForTheNextSession()
    {
        var first = NewSession(_directory);
        first.Execute(Bids + $"; CREATE FUNCTION times_two AS '{typeof(TimesTwo).FullName}'");

        var second = NewSession(_directory);

        second.Catalog.GetTable("bid").Columns.Count.ShouldBe(4);
        second.Functions.Overloads("TIMES_TWO").ShouldHaveSingleItem();
        second.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void CreateJobOptions_CheckpointInterval_CheckpointsIntoTheDataDirectory()
    {
        var session = NewSession(_directory);
        session.Execute("SET 'execution.checkpointing.interval' = '30 s'; SET 'pipeline.name' = 'nexmark q5'; SET 'parallelism.default' = '2'");

        var options = session.CreateJobOptions("insert");

        options.JobName.ShouldBe("nexmark q5");
        options.Parallelism.ShouldBe(2);
        options.Checkpoints!.Interval.ShouldBe(TimeSpan.FromSeconds(30));
        options.Checkpoints.Store.ShouldBeOfType<Sluice.Checkpoints.LocalCheckpointStore>().Directory.ShouldBe(Path.Combine(_directory, "checkpoints", "nexmark_q5"));
    }
}
