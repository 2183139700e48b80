using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;
using Sluice.Sql.Syntax;
using Sluice.Sql.Tests.Syntax;

namespace Sluice.Sql.Tests.Planning;

/// <summary>The nexmark UDF of q14, in C#: how many times a character occurs in a string.</summary>
public static class CountChar
{
    /// <summary>Occurrences of <paramref name="c"/>'s first character in <paramref name="s"/>.</summary>
    public static long Eval(string s, string c)
    {
        var count = 0L;
        foreach (var ch in s)
        {
            if (ch == c[0])
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>A catalog and function catalog to plan statements against, filled by running DDL scripts.</summary>
internal sealed class PlanningFixture
{
    public SqlCatalog Catalog { get; } = SqlCatalog.InMemory();

    public FunctionCatalog Functions { get; } = FunctionCatalog.CreateBuiltIn();

    public PlannerSettings Settings { get; init; } = PlannerSettings.Default;

    /// <summary>A fixture with the nexmark source table and views (ddl_gen.sql, ddl_views.sql) and count_char.</summary>
    public static PlanningFixture Nexmark()
    {
        var fixture = new PlanningFixture();
        fixture.Functions.Register("count_char", typeof(CountChar));
        fixture.Run(NexmarkCorpusTests.Load("ddl_gen.sql"));
        fixture.Run(NexmarkCorpusTests.Load("ddl_views.sql"));
        return fixture;
    }

    /// <summary>Runs DDL against the catalog and plans the other statements; returns the plans.</summary>
    public List<PlannedStatement> Run(string script)
    {
        var plans = new List<PlannedStatement>();
        foreach (var statement in SqlParser.ParseScript(script))
        {
            switch (statement)
            {
                case SqlCreateTable create:
                    Catalog.CreateTable(TableBinder.ToCatalogTable(create, Functions), create.Temporary, create.IfNotExists, create.Position);
                    break;
                case SqlCreateView view:
                    Catalog.CreateView(TableBinder.ToCatalogView(view), view.Temporary, view.IfNotExists, view.Position);
                    break;
                case SqlCreateFunction function:
                    Catalog.CreateFunction(new CatalogFunction(function.Name.Name, function.ClassName), function.Temporary, function.IfNotExists, function.Position);
                    break;
                default:
                    plans.Add(SqlPlanner.Plan(statement, Catalog, Functions, Settings));
                    break;
            }
        }

        return plans;
    }

    /// <summary>Plans one statement.</summary>
    public PlannedStatement Plan(string sql) => SqlPlanner.Plan(SqlParser.ParseStatement(sql), Catalog, Functions, Settings);

    /// <summary>The optimized plan of a query or the sink's plan, as EXPLAIN prints it.</summary>
    public string Optimized(string sql)
    {
        var planned = Plan(sql);
        return planned.Query?.Explain() ?? string.Join("", planned.Sinks.Select(static s => s.Explain()));
    }
}

/// <summary>Small tables for the planning unit tests.</summary>
internal static class TestTables
{
    public const string Ddl = """
        CREATE TABLE bids (
          auction BIGINT,
          bidder BIGINT,
          price BIGINT,
          channel VARCHAR,
          ts TIMESTAMP(3),
          WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
        ) WITH ('connector' = 'datagen');
        CREATE TABLE people (
          id BIGINT,
          name VARCHAR,
          created TIMESTAMP(3),
          pt AS PROCTIME()
        ) WITH ('connector' = 'datagen');
        CREATE TABLE appended (a BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/appended', 'format' = 'csv');
        CREATE TABLE printed (a BIGINT, n BIGINT) WITH ('connector' = 'print');
        """;

    /// <summary>A fixture with <see cref="Ddl"/>'s tables.</summary>
    public static PlanningFixture Fixture()
    {
        var fixture = new PlanningFixture();
        fixture.Run(Ddl);
        return fixture;
    }
}
