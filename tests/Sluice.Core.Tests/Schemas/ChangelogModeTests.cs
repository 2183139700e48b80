using Sluice.Schemas;

namespace Sluice.Core.Tests.Schemas;

public sealed class ChangelogModeTests
{
    [Theory]
    [InlineData(ChangelogMode.InsertOnly, RowKind.Insert, true)]
    [InlineData(ChangelogMode.InsertOnly, RowKind.UpdateBefore, false)]
    [InlineData(ChangelogMode.InsertOnly, RowKind.UpdateAfter, false)]
    [InlineData(ChangelogMode.InsertOnly, RowKind.Delete, false)]
    [InlineData(ChangelogMode.Upsert, RowKind.Insert, true)]
    [InlineData(ChangelogMode.Upsert, RowKind.UpdateBefore, false)]
    [InlineData(ChangelogMode.Upsert, RowKind.UpdateAfter, true)]
    [InlineData(ChangelogMode.Upsert, RowKind.Delete, true)]
    [InlineData(ChangelogMode.All, RowKind.UpdateBefore, true)]
    [InlineData(ChangelogMode.All, RowKind.Delete, true)]
    public void Contains_EachModeAndKind_AsFlinkDefinesThem(ChangelogMode mode, RowKind kind, bool expected) =>
        mode.Contains(kind).ShouldBe(expected);

    [Theory]
    [InlineData(ChangelogMode.InsertOnly, ChangelogMode.InsertOnly, true)]
    [InlineData(ChangelogMode.InsertOnly, ChangelogMode.Upsert, false)]
    [InlineData(ChangelogMode.InsertOnly, ChangelogMode.All, false)]
    [InlineData(ChangelogMode.Upsert, ChangelogMode.InsertOnly, true)]
    [InlineData(ChangelogMode.Upsert, ChangelogMode.Upsert, true)]
    [InlineData(ChangelogMode.Upsert, ChangelogMode.All, true)]
    [InlineData(ChangelogMode.All, ChangelogMode.Upsert, true)]
    [InlineData(ChangelogMode.All, ChangelogMode.All, true)]
    public void Accepts_SinkModeAndProducedMode_OnlyAppendOnlySinksRefuseUpdates(ChangelogMode sink, ChangelogMode produced, bool expected) =>
        sink.Accepts(produced).ShouldBe(expected);

    [Fact]
    public void EnsureAccepts_UpdatingQueryIntoAppendOnlySink_OneSentenceNamingTableAndOperator() =>
        Should.Throw<NotSupportedException>(() => ChangelogMode.InsertOnly.EnsureAccepts(ChangelogMode.All, "visits_out", "GroupAggregate(user_id)"))
            .Message.ShouldBe("Table 'visits_out' is an append-only sink, but GroupAggregate(user_id) produces an updating changelog ([+I, -U, +U, -D]); write it into an upsert sink (a table with a PRIMARY KEY on 'upsert-kafka' or 'duckdb'), or make the query append-only.");

    [Fact]
    public void EnsureAccepts_UpsertSink_TakesARetractingChangelog() =>
        Should.NotThrow(() => ChangelogMode.Upsert.EnsureAccepts(ChangelogMode.All, "visits_out", "GroupAggregate(user_id)"));

    [Fact]
    public void Contains_UndefinedMode_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => ((ChangelogMode)7).Contains(RowKind.Insert)).ParamName.ShouldBe("mode");
}
