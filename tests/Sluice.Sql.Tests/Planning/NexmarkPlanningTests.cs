using Sluice.Sql.Planning;
using Sluice.Sql.Tests.Syntax;

namespace Sluice.Sql.Tests.Planning;

public sealed class NexmarkPlanningTests
{
    public static TheoryData<string> Queries() =>
        new(NexmarkCorpusTests.FileNames().Where(static f => f.StartsWith('q') && f != "q6.sql"));

    /// <summary>The query file with its sinks on 'print' (blackhole is not a Sluice connector) and q13's legacy options made current.</summary>
    internal static string Load(string file) =>
        NexmarkCorpusTests.Load(file)
            .Replace("'connector' = 'blackhole'", "'connector' = 'print'", StringComparison.Ordinal)
            .Replace("'connector.type' = 'filesystem'", "'connector' = 'filesystem'", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Plan_NexmarkQuery_BindsAndOptimizesIntoOneSink(string file)
    {
        var fixture = PlanningFixture.Nexmark();

        var plans = fixture.Run(Load(file));

        plans.Count.ShouldBe(1);
        plans[0].Sinks.Count.ShouldBe(1);
        plans[0].Sinks[0].Table.Name.ShouldBe("nexmark_" + Path.GetFileNameWithoutExtension(file));
        plans[0].Explain().ShouldContain("== Optimized Logical Plan ==");
    }
}

public sealed class NexmarkQ6Tests
{
    [Fact]
    public void Plan_Q6_IsRejectedNamingTheSelectAliasItsWhereCannotSee()
    {
        var fixture = PlanningFixture.Nexmark();

        var error = Should.Throw<SqlException>(() => fixture.Run(NexmarkPlanningTests.Load("q6.sql")));

        error.Message.ShouldBe("29:11: Column 'rownum' is an alias of this query's SELECT list, which its WHERE cannot see (SELECT items, window functions such as ROW_NUMBER() among them, are computed after WHERE); filter on it in an outer query: SELECT … FROM (SELECT …, … AS rownum FROM …) WHERE rownum ….");
    }
}
