using Sluice.Bench.Cli.Cdc;

namespace Sluice.Bench.Cli.Tests;

/// <summary>
/// The verdict of <c>sluice chaos postgres-cdc</c> (the run itself needs minutes and a PostgreSQL, so it is not in the
/// suite; docs/benchmarks.md records it): the replica comparison and the slot check each fail on what they guard against.
/// </summary>
public sealed class CdcChaosVerdictTests
{
    private static SortedDictionary<string, string> Rows(params string[] rows) =>
        new(rows.ToDictionary(r => r.Split('|')[0], r => r), StringComparer.Ordinal);

    [Fact]
    public void Compare_EqualTables_NoProblem()
    {
        var problems = new List<string>();

        CdcReplicaComparison.Compare("DuckDB orders", Rows("1|a|2.5", "2|b|null"), Rows("2|b|null", "1|a|2.5"), problems).ShouldBeTrue();

        problems.ShouldBeEmpty();
    }

    [Fact]
    public void Compare_MissingExtraAndChangedRows_OneProblemCountingEach()
    {
        var problems = new List<string>();

        var equal = CdcReplicaComparison.Compare("DuckDB orders", Rows("1|a|2.5", "2|b|null", "3|c|1"), Rows("1|a|2.75", "3|c|1", "4|d|0"), problems);

        equal.ShouldBeFalse();
        problems.ShouldBe([
            "DuckDB orders: 1 rows missing (e.g. 2|b|null), 1 rows the source does not have (e.g. 4|d|0), "
            + "1 rows with other values (source vs replica, e.g. 1|a|2.5 vs 1|a|2.75); source 3 rows, replica 3"]);
    }

    [Fact]
    public void RowText_PostgresAndDuckDbValues_SameTextForSameValues()
    {
        // Npgsql reads an integer column as int, DuckDB.NET a BIGINT as long: the text must not depend on the width.
        CdcChaosTables.RowText([7L, 3, 0.25, "x", true, null, new DateTime(2026, 12, 6, 1, 2, 3, DateTimeKind.Unspecified).AddTicks(4560)])
            .ShouldBe("7|3|0.25|x|true|null|2026-12-06T01:02:03.000456");
        CdcChaosTables.RowText([7, 3L]).ShouldBe(CdcChaosTables.RowText([7L, 3]));
    }

    [Fact]
    public void SlotSample_LineRoundTrips()
    {
        var sample = new CdcSlotSample(12, "chaos_orders", true, 0x1_0000_00A0, 0x1_0000_0010, 0x1_0000_0050, 0x0_FFFF_0000, 1_796_558_400_000);

        sample.ToLine().ShouldBe("slot 12 chaos_orders stream position=1/A0 previous=1/10 confirmed=1/50 restart=0/FFFF0000 at=1796558400000");
        CdcSlotSample.TryParse(sample.ToLine()).ShouldBe(sample);
        CdcSlotSample.TryParse("checkpoint 12").ShouldBeNull();
    }

    [Fact]
    public void SlotSample_ConfirmedUpToAnIntervalOldCheckpointAndNotPastThisOne_NoProblem()
    {
        var older = Sample(4, position: 200, confirmed: 100, atMs: 1_000);

        Sample(5, position: 300, confirmed: 200, atMs: 2_000).Problem().ShouldBeNull();
        Sample(5, position: 300, confirmed: 200, atMs: 2_000).LagProblem(older).ShouldBeNull();
        Sample(5, position: 300, confirmed: 300, atMs: 2_000).LagProblem(older).ShouldBeNull();
    }

    [Fact]
    public void SlotSample_ConfirmedPastTheCheckpoint_IsAProblem()
    {
        var problem = Sample(5, position: 300, confirmed: 301, atMs: 2_000).Problem();

        problem.ShouldBe("slot chaos_orders confirmed 0/12D, past checkpoint 5's position 0/12C: a restore from it would miss changes");
    }

    [Fact]
    public void SlotSample_ConfirmedBehindACheckpointAnIntervalOld_IsAProblem()
    {
        var problem = Sample(5, position: 300, confirmed: 199, atMs: 2_100).LagProblem(Sample(4, position: 200, confirmed: 100, atMs: 1_000));

        problem.ShouldBe("slot chaos_orders confirmed only 0/C7 at checkpoint 5, behind checkpoint 4's 0/C8 completed 1100 ms earlier: more than one checkpoint interval of WAL pinned");
    }

    private static CdcSlotSample Sample(long checkpoint, ulong position, ulong confirmed, long atMs) =>
        new(checkpoint, "chaos_orders", true, position, Previous: 0, confirmed, Restart: 100, atMs);
}
