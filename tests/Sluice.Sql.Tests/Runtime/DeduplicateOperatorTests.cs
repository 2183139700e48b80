using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

public sealed class DeduplicateOperatorTests
{
    private static readonly Schema s_events = Schema.Parse("k STRING, ts TIMESTAMP(3), v STRING");

    private static DateTime T(int seconds) => DateTime.UnixEpoch.AddSeconds(seconds);

    private static OperatorTestDriver<Row, Row> Driver(bool keepLast, bool rowtime, int parallelism = 1) =>
        new(input => DeduplicateOperator.Apply(input, new DeduplicateSpec(s_events, [0], keepLast, rowtime ? 1 : -1)).Uid("dedup"), new JobOptions { Parallelism = parallelism });

    private static List<string> Texts(OperatorTestDriver<Row, Row> driver) => [.. driver.Values.Select(r => r.ToString())];

    [Fact]
    public void KeepFirst_ProcessingTime_EmitsEachKeysFirstRowOnly()
    {
        using var dedup = Driver(keepLast: false, rowtime: false);

        dedup.ProcessElement(Insert(s_events, "k1", T(10), "a"))
            .ProcessElement(Insert(s_events, "k1", T(5), "b"))
            .ProcessElement(Insert(s_events, "k2", T(7), "c"));

        Texts(dedup).ShouldBe(["+I[k1, 1970-01-01T00:00:10, a]", "+I[k2, 1970-01-01T00:00:07, c]"]);
    }

    [Fact]
    public void KeepLast_ProcessingTime_EachRowReplacesTheKept()
    {
        using var dedup = Driver(keepLast: true, rowtime: false);

        dedup.ProcessElement(Insert(s_events, "k1", T(10), "a")).ProcessElement(Insert(s_events, "k1", T(5), "b"));

        Texts(dedup).ShouldBe(["+I[k1, 1970-01-01T00:00:10, a]", "-U[k1, 1970-01-01T00:00:10, a]", "+U[k1, 1970-01-01T00:00:05, b]"]);
    }

    [Fact]
    public void KeepFirst_Rowtime_AnEarlierRowArrivingLaterReplacesTheKept()
    {
        using var dedup = Driver(keepLast: false, rowtime: true);

        dedup.ProcessElement(Insert(s_events, "k1", T(10), "a"))
            .ProcessElement(Insert(s_events, "k1", T(12), "b"))
            .ProcessElement(Insert(s_events, "k1", T(8), "c"));

        Texts(dedup).ShouldBe(["+I[k1, 1970-01-01T00:00:10, a]", "-U[k1, 1970-01-01T00:00:10, a]", "+U[k1, 1970-01-01T00:00:08, c]"]);
    }

    [Fact]
    public void KeepLast_Rowtime_AnOlderRowIsIgnored()
    {
        using var dedup = Driver(keepLast: true, rowtime: true);

        dedup.ProcessElement(Insert(s_events, "k1", T(10), "a"))
            .ProcessElement(Insert(s_events, "k1", T(8), "b"))
            .ProcessElement(Insert(s_events, "k1", T(10), "c"));

        Texts(dedup).ShouldBe(["+I[k1, 1970-01-01T00:00:10, a]", "-U[k1, 1970-01-01T00:00:10, a]", "+U[k1, 1970-01-01T00:00:10, c]"]);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void SnapshotAndRestore_RemembersTheKeptRows(bool keepLast, int parallelism)
    {
        TestSnapshot snapshot;
        using (var before = Driver(keepLast, rowtime: false))
        {
            before.ProcessElement(Insert(s_events, "k1", T(1), "a"));
            snapshot = before.Snapshot();
        }
        using var after = Driver(keepLast, rowtime: false, parallelism);
        after.InitializeState(snapshot);

        after.ProcessElement(Insert(s_events, "k1", T(2), "b")).ProcessElement(Insert(s_events, "k2", T(3), "c"));

        Texts(after).ShouldBe(keepLast
            ? ["-U[k1, 1970-01-01T00:00:01, a]", "+U[k1, 1970-01-01T00:00:02, b]", "+I[k2, 1970-01-01T00:00:03, c]"]
            : ["+I[k2, 1970-01-01T00:00:03, c]"]);
    }

    [Fact]
    public void RandomRows_MaterializeToTheFirstOrLastRowOfEachKey()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var keepLast = random.Next(2) == 0;
            var rowtime = random.Next(2) == 0;
            using var dedup = Driver(keepLast, rowtime, 1 + random.Next(2));
            var rows = new List<Row>();
            for (var i = 0; i < 30; i++)
            {
                var row = Insert(s_events, "k" + random.Next(3), T(random.Next(5)), "v" + i);
                rows.Add(row);
                dedup.ProcessElement(row);
            }

            // By definition: per key, the first (or last) row in arrival order, or by rowtime: the earliest row, the
            // first of them to arrive (keep-first), or the latest row, the last of them to arrive (keep-last).
            var expected = rows.GroupBy(r => r.GetString(0)).Select(g =>
            {
                if (!rowtime)
                {
                    return keepLast ? g.Last() : g.First();
                }
                return keepLast ? g.Last(r => r.GetTimestamp(1) == g.Max(x => x.GetTimestamp(1))) : g.First(r => r.GetTimestamp(1) == g.Min(x => x.GetTimestamp(1)));
            });
            Materialize(dedup.Values).ShouldBe([.. expected.Select(Content).Order(StringComparer.Ordinal)], $"keepLast={keepLast} rowtime={rowtime} seed {seed}");
        }, iter: 100);
    }

    [Fact]
    public void OutputMode_InsertOnlyOnlyForKeepFirstByProcessingTime()
    {
        new DeduplicateSpec(s_events, [0], KeepLast: false, TimeField: -1).OutputMode.ShouldBe(ChangelogMode.InsertOnly);
        new DeduplicateSpec(s_events, [0], KeepLast: false, TimeField: 1).OutputMode.ShouldBe(ChangelogMode.All);
        new DeduplicateSpec(s_events, [0], KeepLast: true, TimeField: -1).OutputMode.ShouldBe(ChangelogMode.All);
    }
}
