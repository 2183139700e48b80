using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;
using Sluice.Sql.Planning;
using Sluice.Sql.Planning.Physical;
using Sluice.Sql.Runtime;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Session;

// The statements that need the planner: SELECT, INSERT, STATEMENT SET, EXPLAIN and DESCRIBE of a view. Each is bound
// and optimized (SqlPlanner), translated onto operators of a new job (PhysicalPlanner) and, unless explained, started.
public sealed partial class SqlSession
{
    /// <summary>What the logical planner asks the session: the connectors' changelogs and the evaluation context.</summary>
    internal PlannerSettings PlannerSettings => new()
    {
        SinkChangelogMode = table => TableConnectors.ResolveSink(Connectors, table).ChangelogMode,
        SourceChangelogMode = table => TableConnectors.ResolveSource(Connectors, table).ChangelogMode,
        Session = EvaluationContext,
    };

    private PhysicalSettings PhysicalSettings => new(ScanSettings, Settings.StateTtl > TimeSpan.Zero ? Settings.StateTtl : null);

    private SqlStatementResult RunPlanned(SqlStatement statement)
    {
        if (statement is SqlDescribe describe)
        {
            return DescribeView(describe);
        }

        var planned = SqlPlanner.Plan(statement, Catalog, Functions, PlannerSettings);
        var environment = StreamEnvironment.Create(CreateJobOptions(JobName(planned)));
        var physical = new PhysicalPlanner(environment, Connectors, PhysicalSettings);
        DataStream<Row>? rows = null;
        if (planned.Query is { } query)
        {
            rows = physical.Translate(query);
        }
        else
        {
            physical.Translate(new StatementSet(planned.Sinks));
        }

        physical.RouteDeadLetters();

        if (planned.IsExplain)
        {
            // The plan ends where the query's rows go: a SELECT's result sink (never started).
            rows?.SinkTo(new QueryResultSink(), "SqlQueryResult");
            return new SqlExplainResult(statement, planned.Explain() + "== Physical Execution Plan ==\n" + environment.Explain() + "\n");
        }

        return rows is null
            ? new SqlJobResult(statement, _jobStarter is null ? environment.Start() : _jobStarter(environment))
            : SqlQueryResult.Start(statement, environment, rows, planned.Query!.Schema);
    }

    /// <summary>DESCRIBE of a view: its columns, as binding its query types them.</summary>
    private SqlTableResult DescribeView(SqlDescribe describe)
    {
        var name = describe.Name.Names[^1];
        var select = new SqlQueryStatement(SqlParser.ParseQuery($"SELECT * FROM {Schemas.Schema.QuoteName(name)}"), describe.Position);
        var schema = SqlPlanner.Plan(select, Catalog, Functions, PlannerSettings).Query!.Schema;
        var rows = new List<IReadOnlyList<string>>(schema.Count);
        foreach (var field in schema)
        {
            rows.Add([field.Name, field.Type.NotNull().ToString(), field.Type.IsNullable ? "TRUE" : "FALSE", "", "", ""]);
        }

        return new SqlTableResult(describe, ["name", "type", "null", "key", "extras", "watermark"], rows);
    }

    /// <summary>The job's default name, as Flink's: <c>collect</c> for a SELECT, <c>insert-into_t1,t2</c> for INSERTs.</summary>
    private static string JobName(PlannedStatement planned) =>
        planned.Query is not null ? "collect" : "insert-into_" + string.Join(",", planned.Sinks.Select(static s => s.Table.Name));
}
