using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="AggregationStreams"/>: the planner's entry points key the stream, add the operator and fail while planning.</summary>
public sealed class AggregationStreamsTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, ts TIMESTAMP(3)");

    [Fact]
    public void WindowAggregate_SessionAtParallelismFour_OneRowPerSessionAndTheOutputSchema()
    {
        Schema? output = null;
        using var driver = new OperatorTestDriver<Row, Row>(rows => AggregationStreams.WindowAggregate(rows, s_input, [0],
            [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull())], new WindowSpec(WindowKind.Session, 2, 1_000, 0, 0, false), false, out output), new JobOptions { Parallelism = 4 });

        foreach (var (key, ms) in new[] { ("a", 0), ("b", 100), ("a", 900), ("c", 50), ("b", 5_000) })
        {
            driver.ProcessElement(Insert(s_input, key, 1L, DateTime.UnixEpoch.AddMilliseconds(ms)));
        }
        driver.Finish();

        output!.ToString().ShouldBe("ROW<k VARCHAR, cnt BIGINT NOT NULL, window_start TIMESTAMP(3) NOT NULL, window_end TIMESTAMP(3) NOT NULL, window_time TIMESTAMP(3) NOT NULL>");
        Texts(driver.Values).ShouldBe([
            "+I[a, 2, 1970-01-01T00:00:00, 1970-01-01T00:00:01.9, 1970-01-01T00:00:01.899]",
            "+I[b, 1, 1970-01-01T00:00:00.1, 1970-01-01T00:00:01.1, 1970-01-01T00:00:01.099]",
            "+I[c, 1, 1970-01-01T00:00:00.05, 1970-01-01T00:00:01.05, 1970-01-01T00:00:01.049]",
            "+I[b, 1, 1970-01-01T00:00:05, 1970-01-01T00:00:06, 1970-01-01T00:00:05.999]",
        ], ignoreOrder: true);
    }

    [Fact]
    public void GroupAggregate_CallThatDoesNotFit_FailsWhilePlanning()
    {
        var env = StreamEnvironment.Create();
        var rows = env.FromCollection([Insert(s_input, "a", 1L, DateTime.UnixEpoch)]);

        Should.Throw<SqlException>(() => AggregationStreams.GroupAggregate(rows, s_input, [0], [Call(AggregateKind.Avg, "avg_k", DataType.Varchar, 0)], false, null, out _))
            .Message.ShouldBe("Aggregate AVG ('avg_k') needs a numeric type, not VARCHAR.");
    }
}
