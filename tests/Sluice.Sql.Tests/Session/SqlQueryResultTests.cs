using Sluice.Schemas;
using Sluice.Sql.Session;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Session;

public sealed class SqlQueryResultTests
{
    private static readonly Schema s_schema = Schema.Parse("word STRING, n BIGINT");

    private static Row Row(RowKind kind, string word, long n)
    {
        var row = Schemas.Row.Of(s_schema, word, n);
        row.Kind = kind;
        return row;
    }

    [Fact]
    public async Task Start_BoundedJob_DeliversTheChangelogInOrderThenEnds()
    {
        var environment = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var rows = environment.FromCollection([Row(RowKind.Insert, "a", 1), Row(RowKind.UpdateBefore, "a", 1), Row(RowKind.UpdateAfter, "a", 2)]);

        await using var result = SqlQueryResult.Start(SqlParser.ParseStatement("SELECT 1"), environment, rows, s_schema, capacity: 1);
        var seen = new List<string>();
        await foreach (var row in result.ReadAllAsync())
        {
            seen.Add(row.ToString());
        }

        seen.ShouldBe(["+I[a, 1]", "-U[a, 1]", "+U[a, 2]"]);
        result.Schema.ShouldBe(s_schema);
    }

    [Fact]
    public async Task Start_FailingJob_EndsTheRowsWithTheJobsError()
    {
        var environment = StreamEnvironment.Create();
        var rows = environment.FromCollection([Row(RowKind.Insert, "a", 1)])
            .Map<Row>(static _ => throw new InvalidOperationException("boom"));

        await using var result = SqlQueryResult.Start(SqlParser.ParseStatement("SELECT 1"), environment, rows, s_schema);

        var error = await Should.ThrowAsync<JobExecutionException>(async () =>
        {
            await foreach (var _ in result.ReadAllAsync())
            {
            }
        });
        error.ToString().ShouldContain("boom");
    }
}
